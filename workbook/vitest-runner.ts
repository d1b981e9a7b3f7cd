/**
 * vitest's own test runner, loaded in the test worker (vitest's `runner` option), never in the
 * guide's process, with two changes:
 *
 * - A run can give the order in which a suite's top-level TODO blocks run (todos.ts, `TodoOrder`,
 *   provided by run-suites.ts). The guide starts from the TODO the learner is on, so a learner on
 *   TODO 3 of lesson 09 sees TODO 3's verdict without first waiting for TODOs 1–2's five seconds
 *   of threads; the check runs the solutions last TODO first.
 * - Results reach the guide soon after each test. vitest sends them at most every 100 ms, with a
 *   timer for the last ones; when that timer fires on the 100th millisecond exactly, vitest 4.1.12
 *   drops it, and the results wait for the next test's, seconds later if that test is slow. The
 *   watchdog (stall.ts) then took a finished test for one stuck in a loop. A send is triggered
 *   150 ms after each test starts and ends, and again every second while a test runs: the one
 *   after the test's end did not always suffice (CI, Node 22, once more), and a send costs little.
 */
import { updateTask } from '@vitest/runner';
import type { RunnerTask, RunnerTestFile } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';
import { inTodoOrder, TODO_ORDER, todoNumber, type TodoOrder } from './todos.ts';

/** Past vitest's 100 ms between two sendings, so that a send this triggers goes out at once. */
const SEND_AFTER_MS = 150;
/** While a test runs, a send this often: well inside the watchdog's margin (a second and more). */
const HEARTBEAT_MS = 1_000;

export default class WorkbookRunner extends VitestTestRunner {
  // After collection (vitest has sent the file's tests in their written order) and before the run.
  onBeforeRunFiles(files: RunnerTestFile[]): void {
    const order = (this.injectValue(TODO_ORDER) as TodoOrder | undefined) ?? 'written';
    for (const file of files) file.tasks = inTodoOrder(file.tasks, order, todoNumber);
  }

  /** Sends what waits every second while a test runs: whatever held it back, it waits no longer. */
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  override async onBeforeRunTask(test: RunnerTask): Promise<void> {
    await super.onBeforeRunTask(test);
    this.sendSoon(test);
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.send(test), HEARTBEAT_MS).unref();
  }

  override onAfterRunTask(test: RunnerTask): void {
    super.onAfterRunTask(test);
    clearInterval(this.heartbeat);
    this.sendSoon(test);
  }

  /** Sends what waits to be sent, in a moment. */
  private sendSoon(test: RunnerTask): void {
    setTimeout(() => this.send(test), SEND_AFTER_MS).unref();
  }

  /** Sends what waits to be sent: any update does; the main process ignores this one's event. */
  private send(test: RunnerTask): void {
    updateTask('workbook-send' as Parameters<typeof updateTask>[0], test, this);
  }
}
