import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { koreanEditionProblems, twinProblems } from '../twins.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

const english = ['# Title', '', 'Some words.', '', '```ts', 'const a = 1; // a comment', '```', '', '## Part', '', 'More.', ''].join('\n');
const korean = ['# 제목', '', '몇 마디.', '', '```ts', 'const a = 1; // a comment', '```', '', '## 부분', '', '더.', ''].join('\n');

describe('the Korean edition guard', () => {
  test('a twin with other words but the same code blocks and headings has no problems', () => {
    expect(twinProblems(english, korean)).toEqual([]);
  });

  test('a code block changed by one character, or one missing, is named', () => {
    expect(twinProblems(english, korean.replace('// a comment', '// 주석'))).toEqual([expect.stringMatching(/^code block 1 .*differs/)]);
    expect(twinProblems(english, korean.replace(/```ts[\s\S]*?```\n/, ''))).toEqual([expect.stringMatching(/0 code block\(s\) where the English has 1/)]);
  });

  test('a heading missing, added or at another level is named', () => {
    expect(twinProblems(english, korean.replace('## 부분', '부분'))).toEqual([expect.stringMatching(/headings/)]);
    expect(twinProblems(english, korean.replace('## 부분', '### 부분'))).toEqual([expect.stringMatching(/headings/)]);
    expect(twinProblems(english, `${korean}\n## 덧붙임\n`)).toEqual([expect.stringMatching(/headings/)]);
  });

  test('a "#" inside a code block is code, not a heading', () => {
    const withComment = (text: string) => text.replace('const a = 1; // a comment', '# a shell comment');
    expect(twinProblems(withComment(english), withComment(korean))).toEqual([]);
  });

  test('hint headings must stay the English lines', () => {
    const hints = '# Hints\n\n## TODO 1, hint 1\n\nA nudge.\n\n## TODO 1, hint 2\n\nCloser.\n';
    expect(twinProblems(hints, '# 힌트\n\n## TODO 1, hint 1\n\n방향.\n\n## TODO 1, hint 2\n\n거의 답.\n')).toEqual([]);
    expect(twinProblems(hints, '# 힌트\n\n## TODO 1, 힌트 1\n\n방향.\n\n## TODO 1, 힌트 2\n\n거의 답.\n')).toEqual([expect.stringMatching(/hint headings/)]);
  });

  test('in a workbook, a missing twin and an out-of-step one fail by name', () => {
    const root = workbook();
    fs.writeFileSync(path.join(root, 'README.md'), english);
    fs.writeFileSync(path.join(root, 'README.ko.md'), korean);
    for (const id of ['01-first', '02-second']) {
      const dir = path.join(root, 'lessons', id);
      fs.writeFileSync(path.join(dir, 'README.ko.md'), fs.readFileSync(path.join(dir, 'README.md'), 'utf8').replace('Text.', '본문.'));
      fs.writeFileSync(path.join(dir, 'hints.ko.md'), fs.readFileSync(path.join(dir, 'hints.md'), 'utf8'));
    }
    expect(koreanEditionProblems(root)).toEqual([]);
    fs.rmSync(path.join(root, 'lessons', '02-second', 'hints.ko.md'));
    fs.writeFileSync(path.join(root, 'README.ko.md'), korean.replace('const a = 1;', 'const a = 2;'));
    expect(koreanEditionProblems(root)).toEqual([
      expect.stringMatching(/^README\.ko\.md: code block 1/),
      expect.stringMatching(/^lessons\/02-second\/hints\.ko\.md is missing/),
    ]);
  });
});
