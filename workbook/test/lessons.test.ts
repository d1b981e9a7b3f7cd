import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { findLesson, listLessons, UnknownLessonError } from '../lessons.ts';
import { makeWorkbook, removeWorkbook } from './fixture.ts';

let root: string;
beforeEach(() => {
  root = makeWorkbook();
});
afterEach(() => removeWorkbook(root));

describe('lessons', () => {
  test('lists lesson folders in order, with the README title, ignoring other folders', () => {
    const lessons = listLessons(root);
    expect(lessons.map((lesson) => [lesson.id, lesson.number, lesson.title])).toEqual([
      ['01-first', '01', 'First things'],
      ['02-second', '02', 'Second things'],
    ]);
  });

  test.each(['2', '02', '02-second', ' 2 '])('finds a lesson named %j', (name) => {
    expect(findLesson(name, listLessons(root)).id).toBe('02-second');
  });

  test.each(['9', '002', '2-second', 'second', '', 'x1', undefined])('answers %j with the list of lessons', (name) => {
    const lessons = listLessons(root);
    expect(() => findLesson(name, lessons)).toThrow(UnknownLessonError);
    try {
      findLesson(name, lessons);
    } catch (error) {
      expect((error as Error).message).toContain('01-first');
      expect((error as Error).message).toContain('02-second');
    }
  });
});
