/**
 * Shared by the suites that wait on servers, threads and processes (lessons 09 and 10): bounded
 * waits whose failures say what was awaited, and small promise helpers.
 */
import { busyFactor } from '../../workbook/stall.ts';

export const show = (value: unknown) => (value === undefined ? '(nothing)' : JSON.stringify(value));
export const ms = (value: number) => `${Math.round(value)} ms`;
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** How much busier than idle this machine is now (1 when idle): bounds that must be absolute grow with it. */
export const busy = () => busyFactor();

/** Fails with `what` when `promise` has not settled after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${timeoutMs / 1000} s`)), timeoutMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` is true (there is no event to wait for); `what` may be computed when it fails. */
export async function until(probe: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${typeof what === 'string' ? what : what()}: still not so after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How a promise settled: its value, or the error it rejected with. */
export async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

/** A promise awaited later: marked as handled now, so that a test failing before it awaits it leaves no unhandled rejection. */
export function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** What happened to a promise so far. */
export function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** A promise and the functions that settle it. */
export function deferred<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}
