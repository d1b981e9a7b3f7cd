/**
 * Follows every worker thread this process starts, from `new Worker(...)` to its 'exit' event,
 * so that a suite can count the threads still running and reach one of them. (The process report
 * also lists a thread that has ended but is still being torn down, which made a correct close look
 * like a thread left running on a busy machine.)
 *
 * Import it before the exercise: it replaces `Worker` in node:worker_threads (syncBuiltinESMExports
 * makes `import { Worker } from 'node:worker_threads'` see the replacement too). Plain JavaScript,
 * so that lesson 10's child processes can load it too (`node --import`), with no TypeScript loader.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import v8 from 'node:v8';

// V8 first runs onnxruntime's WebAssembly with its quick compiler (Liftoff) and later recompiles
// the hot parts with its optimising one (TurboFan), on the 2 cores the suite shares. Measured
// here: that recompilation stalls one thread's first job or load for 1.5–3.5 s, at a moment no
// test can predict. The suites' models are tiny or slow on purpose, so they keep the quick code
// only: loads take 0.3–0.8 s and no job stalls. (A server wants TurboFan: it pays once, early.)
v8.setFlagsFromString('--liftoff-only');

const require = createRequire(import.meta.url);
const threads = require('node:worker_threads');
/** @type {import('./threads.d.mts').FollowedThread[]} */
const followed = [];
/** @type {((entry: import('./threads.d.mts').FollowedThread) => void)[]} */
const listeners = [];

threads.Worker = class FollowedWorker extends threads.Worker {
  constructor(file, options) {
    super(file, options);
    const entry = { worker: this, file: String(file), workerData: options?.workerData, startedAt: performance.now() };
    followed.push(entry);
    this.once('exit', (code) => Object.assign(entry, { exitCode: code, exitedAt: performance.now() }));
    for (const listener of listeners) listener(entry);
  }
};
syncBuiltinESMExports();

/** Every thread started since this module loaded, in order. */
export const startedThreads = () => followed;
/** The threads started and not yet exited. */
export const runningThreads = () => followed.filter((entry) => entry.exitCode === undefined);
/** Calls `listener` with each thread started from now on, as it starts. */
export const onThreadStarted = (listener) => void listeners.push(listener);
