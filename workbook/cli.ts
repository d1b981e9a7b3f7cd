/**
 * The learner's commands, one module each; package.json's scripts call this file.
 *   guide | test [NN …] | example NN | hint NN | progress | reset NN | check [--update-starts]
 * Modules are imported when their command runs, so `hint` does not pay for loading vitest.
 */
import { findLesson, listLessons, UnknownLessonError } from './lessons.ts';

async function main(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'guide': {
      const { runGuide } = await import('./guide.ts');
      await runGuide(process.stdin.isTTY === true && process.stdout.isTTY === true);
      return 0;
    }
    case 'test': {
      const { runTests } = await import('./test.ts');
      const lessons = listLessons();
      return runTests(args.map((name) => findLesson(name, lessons)));
    }
    case 'example': {
      const { runExample } = await import('./example.ts');
      await runExample(findLesson(args[0]));
      return 0;
    }
    case 'hint': {
      const { formatHint, nextHint } = await import('./hints.ts');
      const lesson = findLesson(args[0]);
      console.log(formatHint(lesson, nextHint(lesson)));
      return 0;
    }
    case 'progress': {
      const [{ runSuites }, { formatProgress }] = await Promise.all([import('./run-suites.ts'), import('./progress.ts')]);
      console.log(formatProgress(await runSuites('lessons', listLessons())));
      return 0;
    }
    case 'reset': {
      const { formatReset, resetExercise } = await import('./reset.ts');
      const lesson = findLesson(args[0]);
      console.log(formatReset(lesson, resetExercise(lesson)));
      return 0;
    }
    case 'check': {
      const { runCheck } = await import('./check.ts');
      return runCheck({ updateStarts: args.includes('--update-starts') });
    }
    default:
      console.error(`Unknown command "${command ?? ''}". Commands: guide, test, example, hint, progress, reset, check.`);
      return 2;
  }
}

const [command, ...args] = process.argv.slice(2);
main(command, args).then(
  (code) => {
    // A serving example keeps the process alive on purpose; everything else ends here.
    if (command !== 'example') process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof UnknownLessonError || error instanceof Error ? error.message : error);
    process.exit(error instanceof UnknownLessonError ? 2 : 1);
  },
);
