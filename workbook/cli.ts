/**
 * The learner's commands, one module each; package.json's scripts call this file.
 *   guide | test [NN …] | example [NN] | hint [NN] | debug [NN] [-t words | --all] | progress [--fresh]
 *   | reset [NN] | check [--update-starts]
 * Modules are imported when their command runs, so `hint` does not pay for loading vitest.
 * Without a lesson number, example, hint, debug and reset use the lesson the guide showed last.
 */
import { findLesson, listLessons, UnknownLessonError, type Lesson } from './lessons.ts';
import { cleanUpAfterKilledRuns, readState } from './state.ts';
import { say } from './messages.ts';

/** The lesson named on the command line, or else the one on the guide's screen last. */
function lessonFrom(args: string[]): Lesson {
  const lessons = listLessons();
  if (args[0] !== undefined) return findLesson(args[0], lessons);
  const current = lessons.find((lesson) => lesson.id === readState().current);
  if (current) {
    console.error(say.usingCurrentLesson(current.number));
    return current;
  }
  return findLesson(undefined, lessons);
}

async function main(command: string | undefined, args: string[]): Promise<number> {
  cleanUpAfterKilledRuns();
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
      await runExample(lessonFrom(args));
      return 0;
    }
    case 'hint': {
      const [{ formatHint, nextHint }, { currentTodo }, { lookUp, VerdictKeys }] = await Promise.all([
        import('./hints.ts'),
        import('./todos.ts'),
        import('./verdicts.ts'),
      ]);
      const lesson = lessonFrom(args);
      // The TODO the learner is on, from the last run (npm test or the guide), if it still holds.
      const verdict = lookUp(lesson, new VerdictKeys().of(lesson));
      console.log(formatHint(lesson, nextHint(lesson, verdict ? currentTodo(verdict) : undefined)));
      return 0;
    }
    case 'debug': {
      const { runDebugCommand } = await import('./debug.ts');
      return runDebugCommand(args, lessonFrom);
    }
    case 'progress': {
      const { runProgress } = await import('./progress.ts');
      console.log(await runProgress(listLessons(), args.includes('--fresh')));
      return 0;
    }
    case 'reset': {
      const { formatReset, resetExercise } = await import('./reset.ts');
      const lesson = lessonFrom(args);
      console.log(formatReset(lesson, resetExercise(lesson)));
      return 0;
    }
    case 'check': {
      const { runCheck } = await import('./check.ts');
      return runCheck({ updateStarts: args.includes('--update-starts') });
    }
    default:
      console.error(say.unknownCommand(command ?? ''));
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
