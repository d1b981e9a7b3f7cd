/**
 * An error that escaped the tests: a promise the exercise let go of was rejected (an unhandled
 * rejection), or a callback of its threw where no test could catch it (a socket's 'message'
 * handler: an uncaught exception). No test fails for it; vitest hands it over on its own, with
 * the name of the test that was running and the suite's file. This says where to look: the lines
 * of the exercise its stack passes through, each with its TODO (todo-lines.ts), and that test.
 */
import path from 'node:path';
import type { TestOutcome } from './outcome.ts';
import { todoNumber } from './todos.ts';
import { say } from './messages.ts';

/** What vitest gives for such an error: the error itself, serialised, with these fields added. */
export interface EscapedError {
  type: 'Unhandled Rejection' | 'Uncaught Exception';
  name?: string;
  message?: unknown;
  stack?: string;
  /** The running test's own name, without its describe blocks. */
  VITEST_TEST_NAME?: string;
  /** The suite file that was running, absolute. */
  VITEST_TEST_PATH?: string;
}

export function isEscaped(error: unknown): error is EscapedError {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  return type === 'Unhandled Rejection' || type === 'Uncaught Exception';
}

/** Where the error escaped from, as a learner reads it. */
export interface EscapedContext {
  /** The exercise (or solution) file, absolute, and as the learner types it. */
  file: string;
  shownAs: string;
  /** The lesson's tests of this run, to find the running one's full name and TODO. */
  tests: TestOutcome[];
  todoAt: (line: number) => number[];
}

/** The lines of `file` a stack passes through, innermost first, each once. */
export function linesInStack(stack: string, file: string): number[] {
  const lines: number[] = [];
  for (const frame of stack.split('\n')) {
    const place = frame.match(/^\s*at (?:.*\()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/);
    if (place && path.resolve(place[1]!) === file && !lines.includes(Number(place[2]))) lines.push(Number(place[2]));
  }
  return lines;
}

export function describeEscaped(error: EscapedError, context: EscapedContext): string {
  const name = error.VITEST_TEST_NAME;
  const test = name === undefined ? undefined : context.tests.find((candidate) => candidate.name === name || candidate.name.endsWith(` > ${name}`));
  const running = test?.name ?? name;
  const intro = error.type === 'Unhandled Rejection' ? say.escapedRejection(running) : say.escapedException(running);
  const thrown = `${error.name ?? 'Error'}: ${String(error.message)}`;
  const lines = linesInStack(error.stack ?? '', context.file);
  const where =
    lines.length > 0
      ? say.escapedFrom(context.shownAs, lines.map((line) => ({ line, todos: context.todoAt(line) })))
      : say.escapedElsewhere(context.shownAs, test === undefined ? undefined : todoNumber(test));
  // Where before what: a long message (a ZodError's issues) would push it off the screen.
  return [intro, where, thrown].join('\n');
}
