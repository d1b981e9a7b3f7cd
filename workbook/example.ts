/**
 * `npm run example -- NN`: runs the lesson's example in this process (tsx is already loaded),
 * so a serving example keeps running until Ctrl-C and handles the signal itself.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { relative, type Lesson } from './lessons.ts';
import { say } from './messages.ts';

export async function runExample(lesson: Lesson): Promise<void> {
  if (!fs.existsSync(lesson.example)) throw new Error(say.noExample(lesson.id, relative(lesson.example)));
  await import(pathToFileURL(lesson.example).href);
}
