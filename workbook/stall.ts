/**
 * When a run is stuck. vitest's own timeouts end a test or a hook that waits too long, but not
 * one held by a synchronous endless loop in the exercise: the loop blocks the worker's timers.
 * So the runner stops the worker itself once nothing has moved (no test or hook started or ended)
 * for longer than what is running may legitimately take (STALL_LIMITS):
 * - a test: its own timeout (vitest's 15 s, or what the suite sets: lesson 05's browser tests
 *   take 75 s, as their page budget grows to 60 s on a slow machine) plus a margin of 5 s, so
 *   that vitest's own timeout, with its message, comes first;
 * - a hook: as long as the longest test it serves, and at least 65 s. vitest does not
 *   tell a hook's own timeout, and suites give their set-up up to 60 s (start Chromium and a
 *   warm-up page, bundle and start lesson 10's image); workbook/test/stall.test.ts fails when a
 *   suite gives a hook more. A loop in a hook (a learner's close() in afterEach) is rare, so a
 *   long wait there costs little;
 * - a suite file from the moment it is queued until its tests are collected (a worker starting,
 *   the suite and the exercise imported): 20 s;
 * - anything else (the time between tests): 20 s, which is also what a test with vitest's
 *   default timeout gets.
 * The plain limit and the margin grow with how busy the machine is: a suite that imports Chromium's
 * driver or onnxruntime took more than 20 s to load beside six busy loops, and vitest's own
 * timers fire late on a starved worker. A loop at a suite's top level is rare; waiting longer for
 * it costs little.
 */
import os from 'node:os';
import type { ReportedHookContext, TestCase } from 'vitest/node';

export interface StallLimits {
  /** When nothing with a timeout of its own runs. */
  limitMs: number;
  /** Added to a test's own timeout. */
  marginMs: number;
  /** At least this for a hook. */
  hookMs: number;
  /** For a suite file from queued to collected: a worker starting, the suite and the exercise imported. */
  loadMs: number;
}

export const STALL_LIMITS: StallLimits = { limitMs: 20_000, marginMs: 5_000, hookMs: 65_000, loadMs: 20_000 };

/** How much busier than idle the machine is now: 1 when idle, 4 with eight busy processes on 2 cores. */
export function busyFactor(load = os.loadavg()[0]!, cores = os.availableParallelism()): number {
  return Math.max(1, load / cores);
}

/** The limits for a machine `factor` times busier than idle: all but the hook's floor grow. */
export function scaledLimits(limits: StallLimits, factor: number): StallLimits {
  return { ...limits, limitMs: limits.limitMs * factor, marginMs: limits.marginMs * factor, loadMs: limits.loadMs * factor };
}

/** How long a running test may go quiet. A timeout of 0 means none in vitest: the plain limit then. */
export function testAllowance(test: Pick<TestCase, 'options'>, limits: StallLimits): number {
  const timeout = test.options.timeout ?? 0;
  return timeout > 0 ? timeout + limits.marginMs : limits.limitMs;
}

/** How long a running hook may go quiet. */
export function hookAllowance(hook: ReportedHookContext, limits: StallLimits): number {
  const tests = hook.entity.type === 'test' ? [hook.entity] : [...hook.entity.children.allTests()];
  return Math.max(limits.hookMs, ...tests.map((test) => testAllowance(test, limits)));
}
