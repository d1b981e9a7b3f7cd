/**
 * `npm test` (every lesson) and `npm test -- NN [NN …]` (some): vitest's own output, against the
 * learner's files unless WORKBOOK_TARGET=solutions, then what tsc finds wrong in the exercises.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { startVitest } from 'vitest/node';
import { exerciseFile, typeErrors } from './compile.ts';
import { paint } from './format.ts';
import { listLessons, relative, type Lesson } from './lessons.ts';
import { RUN_LIMIT_MS, stopChildProcesses, suiteFilter } from './run-suites.ts';
import { currentTarget, ROOT } from './target.ts';

/**
 * vitest's error stream less its banner that type testing is experimental: the banner asks to pin
 * vitest's version, which package.json does, and a learner can do nothing about it.
 */
const withoutTypeTestingBanner = new Writable({
  write(chunk: Buffer, _encoding, done) {
    if (!chunk.toString().includes('Testing types with tsc')) process.stderr.write(chunk);
    done();
  },
});

/** Runs the suites of the given lessons (all when none are given); resolves to the exit code. */
export async function runTests(chosen: Lesson[]): Promise<number> {
  const target = currentTarget();
  const lessons = chosen.length > 0 ? chosen : listLessons();
  const watchdog = setTimeout(() => {
    console.error(paint('red', `\nThe tests did not finish within ${RUN_LIMIT_MS / 1000} s: is there an endless loop in an exercise? Stopped.`));
    stopChildProcesses();
    process.exit(1);
  }, RUN_LIMIT_MS);
  const [vitest, compileErrors] = await Promise.all([
    startVitest(
      'test',
      chosen.map(suiteFilter),
      { root: ROOT, config: path.join(ROOT, 'vitest.config.ts'), watch: false },
      {},
      { stderr: withoutTypeTestingBanner },
    ),
    typeErrors(target, lessons),
  ]);
  clearTimeout(watchdog);
  await vitest.close();

  for (const lesson of lessons) {
    const errors = compileErrors.get(lesson.id);
    if (!errors) continue;
    const file = relative(exerciseFile(lesson, target));
    console.log(paint('red', `\n✗ TypeScript finds ${errors.length} error(s) in ${file}`) + ' (the tests run without types, so fix these too):');
    for (const error of errors) console.log(`  ${error.replaceAll('\n', '\n  ')}`);
  }
  const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0;
  return failed || compileErrors.size > 0 || process.exitCode ? 1 : 0;
}
