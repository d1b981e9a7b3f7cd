import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { formatHint, nextHint } from '../hints.ts';
import { useLanguage } from '../messages.ts';
import { findLesson, listLessons, UnknownLessonError } from '../lessons.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

describe('lessons', () => {
  test('lists lesson folders in order, with the README title, ignoring other folders', () => {
    const lessons = listLessons(workbook());
    expect(lessons.map((lesson) => [lesson.id, lesson.number, lesson.title])).toEqual([
      ['01-first', '01', 'First things'],
      ['02-second', '02', 'Second things'],
    ]);
  });

  test.each(['2', '02', '02-second', ' 2 '])('finds a lesson named %j', (name) => {
    expect(findLesson(name, listLessons(workbook())).id).toBe('02-second');
  });

  test.each(['9', '002', '2-second', 'second', '', 'x1', undefined])('answers %j with the list of lessons', (name) => {
    const lessons = listLessons(workbook());
    expect(() => findLesson(name, lessons)).toThrow(UnknownLessonError);
    try {
      findLesson(name, lessons);
    } catch (error) {
      expect((error as Error).message).toContain('01-first');
      expect((error as Error).message).toContain('02-second');
    }
  });
});

describe('lessons in Korean', () => {
  afterEach(() => useLanguage('en'));

  test('a lesson with README.ko.md and hints.ko.md takes its title and hints from them; one without keeps the English', () => {
    const root = workbook();
    const first = path.join(root, 'lessons', '01-first');
    fs.writeFileSync(path.join(first, 'README.ko.md'), '# 첫 번째 레슨\n\n본문.\n');
    fs.writeFileSync(path.join(first, 'hints.ko.md'), '# 힌트\n\n## Hint 1\n\n방향만 알려 주는 힌트.\n\n## Hint 2\n\n거의 답.\n');
    useLanguage('ko');
    const [korean, english] = listLessons(root);
    expect([korean!.title, english!.title]).toEqual(['첫 번째 레슨', 'Second things']);
    expect(path.basename(korean!.readme)).toBe('README.ko.md');
    const shown = formatHint(korean!, nextHint(korean!, undefined, root), 'h 키', root);
    expect(shown).toContain('방향만 알려 주는 힌트.');
    expect(shown).toMatch(/힌트 1\/2 — 레슨 01-first/);
    expect(path.basename(english!.hints), 'no Korean twin: the English hints').toBe('hints.md');
    useLanguage('en');
    expect(listLessons(root)[0]!.title, 'in English, the English README').toBe('First things');
  });

  test('an unknown lesson is answered in Korean, still with the list', () => {
    useLanguage('ko');
    const lessons = listLessons(workbook());
    expect(() => findLesson('9', lessons)).toThrow(/"9"에 해당하는 레슨이 없습니다[\s\S]*01-first[\s\S]*02-second/);
  });
});
