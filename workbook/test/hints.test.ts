import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatHint, nextHint, parseHints, reflow } from '../hints.ts';
import { findLesson, listLessons } from '../lessons.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

const PER_TODO = '# Hints\n\n## TODO 1, hint 1\n\nnudge one\n\n## TODO 1, hint 2\n\nanswer one\n\n## TODO 2, hint 1\n\nnudge two\n\n## TODO 2, hint 2\n\nanswer two\n';

describe('hints', () => {
  test('splits hints.md at its "## Hint" headings', () => {
    expect(parseHints('# Title\n\nintro\n\n## Hint 1\n\none\n\n## Hint 2 — closer\n\ntwo\nmore\n')).toEqual([{ text: 'one' }, { text: 'two\nmore' }]);
  });

  test('reads the TODO of "## TODO N, hint K" headings', () => {
    expect(parseHints(PER_TODO).map((hint) => [hint.todo, hint.text])).toEqual([
      [1, 'nudge one'],
      [1, 'answer one'],
      [2, 'nudge two'],
      [2, 'answer two'],
    ]);
  });

  test('shows one more hint per call, remembers it, and repeats the last one at the end', () => {
    const lesson = findLesson('1', listLessons(workbook()));
    const shown = [1, 2, 3, 4].map(() => nextHint(lesson, undefined, workbook()));
    expect(shown.map((hint) => [hint.number, hint.text, hint.repeated])).toEqual([
      [1, 'A nudge.', false],
      [2, 'Closer.', false],
      [3, 'Nearly the answer.', false],
      [3, 'Nearly the answer.', true],
    ]);
  });

  test('gives the hints of the TODO the learner is on, never another TODO\'s', () => {
    const lesson = findLesson('1', listLessons(workbook()));
    fs.writeFileSync(lesson.hints, PER_TODO);
    const forTwo = [1, 2, 3].map(() => nextHint(lesson, 2, workbook()));
    expect(forTwo.map((hint) => [hint.todo, hint.number, hint.total, hint.text])).toEqual([
      [2, 1, 2, 'nudge two'],
      [2, 2, 2, 'answer two'],
      [2, 2, 2, 'answer two'],
    ]);
    expect(nextHint(lesson, 1, workbook()).text, 'TODO 1 keeps its own count').toBe('nudge one');
    expect(formatHint(lesson, nextHint(lesson, 1, workbook()), 'press h', workbook())).toContain('Hint 2 of 2 for TODO 1');
  });

  test('gives every hint in order when the TODO is not known or has none', () => {
    const lesson = findLesson('1', listLessons(workbook()));
    fs.writeFileSync(lesson.hints, PER_TODO);
    expect(nextHint(lesson, undefined, workbook()).text).toBe('nudge one');
    expect(nextHint(lesson, 9, workbook()).text).toBe('answer one');
  });

  test('counts each lesson separately', () => {
    const [first, second] = listLessons(workbook());
    nextHint(first!, undefined, workbook());
    nextHint(first!, undefined, workbook());
    expect(nextHint(second!, undefined, workbook()).number).toBe(1);
  });
});

describe('reflow', () => {
  test('joins a line that starts with emphasis; keeps list items', () => {
    expect(reflow('The kind must be a\n*literal* type.\n* an item\n* another')).toBe('The kind must be a *literal* type.\n* an item\n* another');
  });

  test('joins the lines of a paragraph, keeps code blocks and list items as written', () => {
    const text = 'One line\nand its continuation.\n\n```ts\nconst a = 1;\nconst b = 2;\n```\n\n- first item\n- second item\n\nNext paragraph\nhere.';
    expect(reflow(text)).toBe('One line and its continuation.\n\n```ts\nconst a = 1;\nconst b = 2;\n```\n\n- first item\n- second item\n\nNext paragraph here.');
  });
});
