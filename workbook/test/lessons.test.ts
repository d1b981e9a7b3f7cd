import { describe, expect, test } from 'vitest';
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
