/**
 * A lesson's report in words, shared by the guide and `npm test` so both say the same thing:
 * a verdict line, per-TODO progress, then the failures in the order to fix them (the first
 * unfinished TODO's first; in a TODO, its type errors, then run-time tests, then type tests) and
 * what TypeScript finds wrong.
 */
import fs from 'node:fs';
import { describeCompileError, describeFailure, isTypeTest, paint } from './format.ts';
import { relative } from './lessons.ts';
import { passed, type LessonReport } from './outcome.ts';
import { groupByTodo, shortName } from './todos.ts';
import { say } from './messages.ts';

export interface ReportText {
  passed: boolean;
  /** The verdict and the TODO progress: always shown. */
  status: string[];
  /** One block per failing test (or per error that kept the suite from running), in fixing order. */
  failures: string[][];
  /** What each block of `failures` is: a failing test, a type error in a TODO's code, or an error that kept the suite from running. */
  kinds: ('test' | 'typeError' | 'error')[];
  /** tsc's errors in the exercise outside any TODO's code, as one block (those in a TODO's code are among its failures). */
  compile: string[];
}

export interface ReportOptions {
  /** Lines of each failure's message to show (the guide keeps it short; npm test shows all). */
  messageLines?: number;
  /** The run-time tests are in but the type tests and the compile check are still running. */
  typesPending?: boolean;
  /** The exercise is still its starting version: the verdict is "not started", not a failure. */
  untouched?: boolean;
  /**
   * The run goes on, its first failing TODO settled: these TODOs' tests are still to come (the
   * report holds the tests finished so far).
   */
  stillRunning?: number[];
}

export function describeReport(report: LessonReport, options: ReportOptions = {}): ReportText {
  const { lesson, tests, errors, typeErrors } = report;
  const messageLines = options.messageLines ?? 4;
  const text: ReportText = { passed: passed(report) && !options.typesPending && !options.stillRunning, status: [], failures: [], kinds: [], compile: [] };

  if (errors.length > 0) {
    // When the suite cannot even load, test counts and compiler messages about it only mislead.
    if (!fs.existsSync(lesson.exercise)) {
      text.status.push(paint('red', say.exerciseMissing(relative(lesson.exercise), lesson.number)));
    } else {
      // Tests that ran have verdicts, but the error outside them decides (an escaped error, a stall).
      const ran = tests.some((test) => test.state !== 'skipped');
      text.status.push(paint('red', ran ? say.keptFromPassing : say.couldNotRun));
      // A blank line between errors: each is several lines, none marked like a failing test.
      text.failures = errors.map((error, index) => [...(index === 0 ? [] : ['']), ...error.split('\n').map((line) => `    ${line}`)]);
      text.kinds = errors.map(() => 'error');
    }
    return text;
  }

  const groups = groupByTodo(tests, typeErrors);
  const outsideTodos = typeErrors.filter((error) => !groups.some((group) => group.compileErrors.includes(error)));
  if (outsideTodos.length > 0) {
    text.compile.push(paint('red', say.compileErrors(outsideTodos.length, relative(lesson.exercise))) + say.fixThese);
    for (const error of outsideTodos) text.compile.push(...error.text.split('\n').map((line) => `    ${line}`));
  }

  const ok = tests.filter((test) => test.state === 'passed').length;
  const failing = tests.length - ok - tests.filter((test) => test.state === 'skipped').length;
  const stillRunning = options.stillRunning ?? [];
  const soFar = options.stillRunning !== undefined;
  const pending = soFar ? paint('dim', say.stillRunning(stillRunning)) : options.typesPending ? paint('dim', say.checkingTypes) : '';
  // While some tests are still to come, the count is of those finished: say so, or the total seems to jump.
  const count = soFar ? say.testsPassSoFar(ok, tests.length) : options.typesPending ? say.someRuntimeTestsPass(ok, tests.length) : say.someTestsPass(ok, tests.length);
  if (failing > 0 && options.untouched) text.status.push(`${paint('dim', '○')} ${count} ${say.notStartedYet}${pending}`);
  else if (failing > 0) text.status.push(`${paint('red', '✗')} ${count}${pending}`);
  else if (typeErrors.length > 0) text.status.push(`${paint('yellow', '✗')} ${say.passButCompile(tests.length)}`);
  else if (options.typesPending) text.status.push(`${say.runtimePass(tests.length)}${pending}`);
  else text.status.push(`${paint('green', say.allPass(tests.length))} ${say.readSolution(relative(lesson.solution))}`);

  const numbered = groups.filter((group) => group.todo !== undefined);
  const todos = [...new Set([...numbered.map((group) => group.todo!), ...stillRunning])].sort((a, b) => a - b);
  if (todos.length > 0) {
    // No-break spaces keep each item whole when the line wraps.
    const marks = todos.map((todo) => {
      const group = numbered.find((candidate) => candidate.todo === todo);
      if (group && (group.failing > 0 || group.compileErrors.length > 0)) return `TODO\u00a0${todo}\u00a0${paint('red', say.todoNotDone(group.failing, group.compileErrors.length))}`;
      return `TODO\u00a0${todo}\u00a0${stillRunning.includes(todo) ? paint('dim', '…') : paint('green', '✓')}`;
    });
    text.status.push(marks.join('  '));
  }

  for (const group of groups) {
    const failed = group.tests
      .filter((test) => test.state === 'failed')
      .sort((a, b) => Number(isTypeTest(a)) - Number(isTypeTest(b)));
    // A type error first: its place in the code is often why the TODO's tests fail.
    const blocks = [
      ...group.compileErrors.map((error) => ({ kind: 'typeError' as const, lines: describeCompileError(error, messageLines) })),
      ...failed.map((test) => ({ kind: 'test' as const, lines: describeFailure(test, shortName(test), messageLines) })),
    ];
    blocks.forEach((block, index) => {
      const heading = index === 0 && group.todo !== undefined ? [paint('cyan', group.label === '' ? `TODO ${group.todo}` : `TODO ${group.todo}: ${group.label}`)] : [];
      text.failures.push([...heading, ...block.lines]);
      text.kinds.push(block.kind);
    });
  }
  return text;
}
