import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../target.ts';

/** A row of a README's lesson table: `| 03 | [title](lessons/03-endpoints/README.md) | … |`. */
const ROW = /^\| (\d{2}) \| \[(.*)\]\((lessons\/([^/]+)\/README(?:\.ko)?\.md)\) \|/;

/** The lesson folders, from disk. */
const lessonIds = fs.readdirSync(path.join(ROOT, 'lessons')).filter((name) => /^\d{2}-/.test(name)).sort();

function firstHeading(file: string): string | undefined {
  return fs.readFileSync(path.join(ROOT, file), 'utf8').match(/^#\s+(.+)$/m)?.[1]?.trim();
}

describe.each(['README.md', 'README.ko.md'])('the lesson table of %s', (readme) => {
  const rows = fs
    .readFileSync(path.join(ROOT, readme), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const row = line.match(ROW);
      // In a table a `|` is written `\|`, in a code span too.
      return row ? [{ number: row[1]!, title: row[2]!.replaceAll('\\|', '|'), link: row[3]!, id: row[4]! }] : [];
    });

  test('has one row per lesson, in order, each linking to its lesson\'s README in that language', () => {
    expect(rows.map((row) => row.id)).toEqual(lessonIds);
    for (const row of rows) {
      expect(row.number, `${readme}: the row of ${row.id}`).toBe(row.id.slice(0, 2));
      expect(row.link, `${readme}: the row of ${row.id}`).toBe(`lessons/${row.id}/${readme}`);
    }
  });

  test('names each lesson by its README\'s first heading, word for word', () => {
    for (const row of rows) {
      expect(row.title, `${readme}, row ${row.number}: the heading of ${row.link}`).toBe(firstHeading(row.link));
    }
  });
});
