import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nextHint } from '../hints.ts';
import { findLesson, listLessons } from '../lessons.ts';
import { formatReset, resetExercise } from '../reset.ts';
import { startsFile } from '../starts.ts';
import { START, useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

describe('reset', () => {
  test('backs the learner\'s file up, then restores the start', () => {
    const lesson = findLesson('01', listLessons(workbook()));
    fs.writeFileSync(lesson.exercise, 'my work');
    const { backup } = resetExercise(lesson, workbook());
    expect(backup).toBeDefined();
    expect(fs.readFileSync(backup!, 'utf8')).toBe('my work');
    expect(fs.readFileSync(lesson.exercise, 'utf8')).toBe(START);
  });

  test('keeps every backup when reset twice in the same instant', () => {
    const lesson = findLesson('01', listLessons(workbook()));
    const now = new Date('2026-01-01T00:00:00Z');
    fs.writeFileSync(lesson.exercise, 'first try');
    const first = resetExercise(lesson, workbook(), now);
    fs.writeFileSync(lesson.exercise, 'second try');
    const second = resetExercise(lesson, workbook(), now);
    expect(second.backup).not.toBe(first.backup);
    expect(fs.readFileSync(first.backup!, 'utf8')).toBe('first try');
    expect(fs.readFileSync(second.backup!, 'utf8')).toBe('second try');
  });

  test('starts the lesson\'s hints over', () => {
    const lesson = findLesson('01', listLessons(workbook()));
    nextHint(lesson, undefined, workbook());
    nextHint(lesson, undefined, workbook());
    fs.writeFileSync(lesson.exercise, 'my work');
    resetExercise(lesson, workbook());
    expect(nextHint(lesson, undefined, workbook()).number).toBe(1);
  });

  test('changes nothing and makes no backup when the file is at its start', () => {
    const lesson = findLesson('01', listLessons(workbook()));
    expect(resetExercise(lesson, workbook())).toEqual({});
    expect(fs.readFileSync(lesson.exercise, 'utf8')).toBe(START);
  });

  test('says it restored an exercise that was deleted', () => {
    const lesson = findLesson('01', listLessons(workbook()));
    fs.rmSync(lesson.exercise);
    const result = resetExercise(lesson, workbook());
    expect(result.restored).toBe(true);
    expect(formatReset(lesson, result, workbook())).toMatch(/was missing/);
    expect(fs.readFileSync(lesson.exercise, 'utf8')).toBe(START);
  });

  test('refuses, leaving the work alone, when the start is not recorded', () => {
    const lesson = findLesson('02', listLessons(workbook()));
    fs.writeFileSync(startsFile(workbook()), JSON.stringify({}));
    fs.writeFileSync(lesson.exercise, 'my work');
    expect(() => resetExercise(lesson, workbook())).toThrow(/not recorded/);
    expect(fs.readFileSync(lesson.exercise, 'utf8')).toBe('my work');
  });
});
