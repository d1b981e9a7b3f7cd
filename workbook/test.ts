/**
 * `npm test` (every lesson) and `npm test -- NN` (one lesson): vitest's own output, against the
 * learner's files unless WORKBOOK_TARGET=solutions.
 */
import path from 'node:path';
import { startVitest } from 'vitest/node';
import type { Lesson } from './lessons.ts';
import { suiteFilter } from './run-suites.ts';
import { ROOT } from './target.ts';

/** Runs the suites of the given lessons (all when undefined); resolves to the exit code. */
export async function runTests(lesson: Lesson | undefined): Promise<number> {
  const vitest = await startVitest('test', lesson ? [suiteFilter(lesson)] : [], {
    root: ROOT,
    config: path.join(ROOT, 'vitest.config.ts'),
    watch: false,
  });
  await vitest.close();
  const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0;
  return failed || process.exitCode ? 1 : 0;
}
