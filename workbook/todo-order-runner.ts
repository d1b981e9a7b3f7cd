/**
 * vitest's own test runner, with one change: a run can give the order in which a suite's top-level
 * TODO blocks run (todos.ts, `TodoOrder`, provided by run-suites.ts). The guide starts from the
 * TODO the learner is on, so a learner on TODO 3 of lesson 09 sees TODO 3's verdict without first
 * waiting for TODOs 1–2's five seconds of threads; the check runs the solutions last TODO first.
 * Loaded in the test worker (vitest's `runner` option), never in the guide's process.
 */
import type { RunnerTestFile } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';
import { inTodoOrder, TODO_ORDER, todoOf, type TodoOrder } from './todos.ts';

export default class TodoOrderRunner extends VitestTestRunner {
  // After collection (vitest has sent the file's tests in their written order) and before the run.
  onBeforeRunFiles(files: RunnerTestFile[]): void {
    const order = (this.injectValue(TODO_ORDER) as TodoOrder | undefined) ?? 'written';
    for (const file of files) file.tasks = inTodoOrder(file.tasks, order, (task) => todoOf(task)?.todo);
  }
}
