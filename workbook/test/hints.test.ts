import { describe, expect, test } from 'vitest';
import { nextHint, parseHints } from '../hints.ts';
import { findLesson, listLessons } from '../lessons.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

describe('hints', () => {
  test('splits hints.md at its "## Hint" headings', () => {
    expect(parseHints('# Title\n\nintro\n\n## Hint 1\n\none\n\n## Hint 2 — closer\n\ntwo\nmore\n')).toEqual(['one', 'two\nmore']);
  });

  test('shows one more hint per call, remembers it, and repeats the last one at the end', () => {
    const lesson = findLesson('1', listLessons(workbook()));
    const shown = [1, 2, 3, 4].map(() => nextHint(lesson, workbook()));
    expect(shown.map((hint) => [hint.number, hint.text, hint.repeated])).toEqual([
      [1, 'A nudge.', false],
      [2, 'Closer.', false],
      [3, 'Nearly the answer.', false],
      [3, 'Nearly the answer.', true],
    ]);
  });

  test('counts each lesson separately', () => {
    const [first, second] = listLessons(workbook());
    nextHint(first!, workbook());
    nextHint(first!, workbook());
    expect(nextHint(second!, workbook()).number).toBe(1);
  });
});
