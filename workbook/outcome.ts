/**
 * What a run of a lesson's suites found, in the runner's own terms. Kept apart from
 * run-suites.ts so that the guide can show remembered verdicts without loading vitest.
 */
import type { Lesson } from './lessons.ts';
import type { TodoOrder } from './todos.ts';

export interface TestOutcome {
  /** The suite file, relative to the workbook, e.g. tests/01-models.test.ts */
  file: string;
  /** The describe blocks and test name, joined with " > ". */
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  /** The first error's message, for a failed test. */
  message?: string;
}

/** One error tsc finds in an exercise. */
export interface CompileError {
  /** `file:line:col message`, the file as a learner types it. */
  text: string;
  /** The TODOs whose code holds its line (todo-lines.ts): several when they share a function, none outside any TODO's code. */
  todos: number[];
}

export interface LessonReport {
  lesson: Lesson;
  tests: TestOutcome[];
  /** Errors outside any test: a suite that cannot load (a syntax error in the exercise, say). */
  errors: string[];
  /** What tsc finds wrong in the exercise: the tests may pass while the types do not. */
  typeErrors: CompileError[];
  /** The order the run took the suite's TODO blocks in, when not as written (todos.ts). */
  order?: TodoOrder;
}

/** A lesson passes when it has tests, none failed, it compiles and nothing broke outside the tests. */
export function passed(report: Pick<LessonReport, 'tests' | 'errors' | 'typeErrors'>): boolean {
  return (
    report.errors.length === 0 &&
    report.typeErrors.length === 0 &&
    report.tests.length > 0 &&
    report.tests.every((test) => test.state !== 'failed')
  );
}
