import type { Worker } from 'node:worker_threads';

export interface FollowedThread {
  worker: Worker;
  /** The file or URL it was started on. */
  file: string;
  workerData: unknown;
  /** When it was started (performance.now()). */
  startedAt: number;
  /** Its exit code, once it has exited. */
  exitCode?: number;
  /** When it exited (performance.now()). */
  exitedAt?: number;
}

/** Every thread started since the module loaded, in order. */
export function startedThreads(): readonly FollowedThread[];
/** The threads started and not yet exited. */
export function runningThreads(): FollowedThread[];
/** Calls `listener` with each thread started from now on, as it starts. */
export function onThreadStarted(listener: (entry: FollowedThread) => void): void;
