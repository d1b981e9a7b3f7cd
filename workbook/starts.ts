/**
 * The starting content of every exercise, kept in workbook/starts.json so that `reset` works in
 * a copy downloaded without git. `npm run check` verifies it matches lessons/ on a clean clone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from './lessons.ts';
import { ROOT } from './target.ts';

export type Starts = Record<string, string>;

export function startsFile(root = ROOT): string {
  return path.join(root, 'workbook', 'starts.json');
}

export function readStarts(root = ROOT): Starts {
  const file = startsFile(root);
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Starts;
}

/** Records the exercises as they are now as their starting content. */
export function writeStarts(lessons: Lesson[], root = ROOT): void {
  const starts: Starts = {};
  for (const lesson of lessons) {
    if (fs.existsSync(lesson.exercise)) starts[lesson.id] = fs.readFileSync(lesson.exercise, 'utf8');
  }
  fs.writeFileSync(startsFile(root), `${JSON.stringify(starts, null, 2)}\n`);
}

/** Lessons whose exercise differs from the recorded start (or has none recorded). */
export function changedFromStart(lessons: Lesson[], root = ROOT): Lesson[] {
  const starts = readStarts(root);
  return lessons.filter(
    (lesson) => !fs.existsSync(lesson.exercise) || starts[lesson.id] !== fs.readFileSync(lesson.exercise, 'utf8'),
  );
}

/** The ids of lessons whose exercise is still, byte for byte, its recorded start: never started. */
export function untouchedLessons(lessons: Lesson[], root = ROOT): Set<string> {
  const changed = changedFromStart(lessons, root);
  return new Set(lessons.filter((lesson) => !changed.includes(lesson)).map((lesson) => lesson.id));
}
