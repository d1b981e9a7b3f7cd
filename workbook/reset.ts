/**
 * `npm run reset -- NN`: puts an exercise back to its start, after backing the learner's file up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { relative, type Lesson } from './lessons.ts';
import { readStarts } from './starts.ts';
import { forgetHints } from './hints.ts';
import { stateDir } from './state.ts';
import { ROOT } from './target.ts';
import { say } from './messages.ts';

export interface ResetResult {
  /** Where the learner's file was copied before it was replaced; undefined when nothing changed. */
  backup?: string;
  /** The exercise did not exist: it was written from its start. */
  restored?: boolean;
}

/** Backs the exercise up into .workbook/backups/, then writes its starting content. */
export function resetExercise(lesson: Lesson, root = ROOT, now = new Date()): ResetResult {
  const start = readStarts(root)[lesson.id];
  if (start === undefined) {
    throw new Error(say.startNotRecorded(lesson.id));
  }
  const current = fs.existsSync(lesson.exercise) ? fs.readFileSync(lesson.exercise, 'utf8') : undefined;
  if (current === start) return {};

  let backup: string | undefined;
  if (current !== undefined) {
    backup = writeBackup(path.join(stateDir(root), 'backups'), lesson.id, now, current);
  }
  fs.mkdirSync(path.dirname(lesson.exercise), { recursive: true });
  fs.writeFileSync(lesson.exercise, start);
  // Starting over starts the hints over too.
  forgetHints(lesson, root);
  return backup === undefined ? { restored: true } : { backup };
}

/** Writes the backup under a name no other backup has; 'wx' makes sure nothing is overwritten. */
function writeBackup(dir: string, id: string, now: Date, content: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let copy = 1; ; copy += 1) {
    const file = path.join(dir, `${id}-${stamp}${copy === 1 ? '' : `-${copy}`}.ts`);
    try {
      fs.writeFileSync(file, content, { flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

export function formatReset(lesson: Lesson, result: ResetResult, root = ROOT): string {
  const file = relative(lesson.exercise, root);
  if (result.restored) return say.restoredMissing(file);
  if (result.backup === undefined) return say.alreadyAtStart(file);
  const backup = relative(result.backup, root);
  return say.resetDone(backup, file);
}
