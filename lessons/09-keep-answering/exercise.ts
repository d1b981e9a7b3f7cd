/**
 * Lesson 09 — keep answering. Welcome! Lesson 08's model server, made to keep answering under
 * pressure: the model computes in a worker thread while the event loop serves, a thread that dies
 * is replaced, and a full server says 503 at once instead of piling up work.
 *
 * Fill in each TODO, then run `npm test -- 09` (or keep `npm start` open: it reruns on save).
 * `npm run example -- 09` serves a finished one; the README beside this file explains every idea,
 * and `npm run hint -- 09` helps when you are stuck. Given, to read: worker.mjs (the thread's side)
 * and serving.ts (lesson 08's checks and error policy), both beside this file.
 *
 * The API (lesson 08's, without the docs):
 *   GET  /v2                    200 the server's metadata (serverMetadata)
 *   GET  /v2/health/live        200 {"live": true}, always
 *   GET  /v2/health/ready       200 {"ready": true}; 503 {"ready": false} while no thread holds the model
 *   GET  /v2/models/iris        200 the model's metadata (modelMetadata)
 *   GET  /v2/models/iris/ready  like /v2/health/ready, plus "name": "iris"
 *   POST /v2/models/iris/infer  an inference request → 200 an inference response, 400 {"error"}
 *   POST /predict               a flower or a list → 200 a prediction or a list, 422 {"detail": [...]}
 * Infer and predict answer 503 with Retry-After when the server is full or no thread is ready,
 * 504 past the deadline. Errors are {"error"} under /v2 and {"detail"} elsewhere (the given fail()).
 */
import { Worker } from 'node:worker_threads';
import express from 'express';
import {
  DEFAULTS,
  DeadlineError,
  InferenceError,
  MODEL_NAME,
  OverloadedError,
  WORKER_FILE,
  WorkerUnavailableError,
  errorHandler,
  fail,
  jsonBody,
  modelMetadata,
  notFound,
  prepareRequest,
  readFlowers,
  serverMetadata,
  shapeResponse,
  toPredictions,
  type Job,
  type JobResult,
  type ModelInfo,
} from '../../lessons/09-keep-answering/serving.ts';

export * from '../../lessons/09-keep-answering/serving.ts';

// ---------------------------------------------------------------------------------------------
// Given (no change needed): the shapes of your four parts
// ---------------------------------------------------------------------------------------------

/** How startInferenceThread starts its thread. */
export interface ThreadOptions {
  /** onnxruntime's thread count inside the worker (default: onnxruntime's own choice). */
  threads?: number;
  /** The thread's file (default WORKER_FILE; the suite gives a wrapper of it that can crash). */
  file?: URL;
}

/** One inference thread, as the main thread sees it (TODO 1). */
export interface InferenceThread {
  /** The model the thread loaded. */
  readonly model: ModelInfo;
  /** Seconds from starting the thread to its "ready". */
  readonly loadSeconds: number;
  /** Computes one job in the thread. */
  run(job: Job): Promise<JobResult>;
  /** Asks the thread to end; resolves once it has. */
  close(): Promise<void>;
  /** Resolves once the thread has ended, whatever the reason: its exit code, and the error that killed it if one did. */
  readonly ended: Promise<{ code: number; error?: Error }>;
}

/** How startWorker keeps a thread alive (missing: DEFAULTS). */
export interface WorkerOptions extends ThreadOptions {
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/** The model, always served by a live thread (TODO 2): what the app uses. */
export interface InferenceWorker {
  readonly model: ModelInfo;
  /** True while a loaded thread is there to take jobs; false while a dead one is being replaced, and after close(). */
  readonly ready: boolean;
  /** How many times a dead thread has been replaced so far. */
  readonly restarts: number;
  /** Seconds the first thread took to load. */
  readonly loadSeconds: number;
  run(job: Job): Promise<JobResult>;
  close(): Promise<void>;
}

/** The options of createLimiter. */
export interface LimiterOptions {
  /** How many tasks may run at once (≥ 1). */
  maxInFlight: number;
  /** How many more may wait for a slot (≥ 0). */
  maxQueue: number;
  /** Milliseconds from run() to the answer. */
  deadlineMs: number;
}

/** Bounded concurrency with a bounded queue and a deadline (TODO 3). */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly inFlight: number;
  /** Tasks waiting for a slot now. */
  readonly queued: number;
  /** Resolves once nothing runs and nothing waits (at once if that is already so). */
  idle(): Promise<void>;
}

/** What createApp serves with (TODO 4). */
export interface AppParts {
  worker: InferenceWorker;
  limiter: Limiter;
  /** Default DEFAULTS.retryAfterSeconds. */
  retryAfterSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Your part
// ---------------------------------------------------------------------------------------------

/**
 * Starts one inference thread — `new Worker(options.file ?? WORKER_FILE, { workerData: { modelPath,
 * threads: options.threads } })` — and resolves once it says "ready" (worker.mjs's header lists
 * its messages).
 * @returns an InferenceThread:
 *   - `model`: the ModelInfo the thread sent; `loadSeconds`: seconds from the start to "ready".
 *   - `run(job)`: posts {type: 'run', id, job} and resolves with that job's result. Many calls may
 *     wait at once; each gets its own answer, in whatever order they come. A job the model
 *     refused rejects with an Error. Once the thread has ended (crashed or closed), every job it
 *     held and every later call rejects with WorkerUnavailableError.
 *   - `close()`: posts {type: 'close'} (jobs sent before it are still answered) and resolves once
 *     the thread has exited; a second call is harmless.
 *   - `ended`: resolves once the thread has exited, for any reason, with its exit code and, when an
 *     uncaught exception killed it, that error (the 'error' event comes before 'exit').
 * @throws (rejects) an Error whose message names `modelPath` when the model cannot be loaded, once
 *   the thread has ended
 */
export async function startInferenceThread(modelPath: string, options: ThreadOptions = {}): Promise<InferenceThread> {
  // TODO 1: start the thread, wait for its first message, then match each answer to its job.
  throw new Error('startInferenceThread is not written yet');
}

/**
 * The model, served by a thread that is replaced when it dies. Starts the first thread with
 * startInferenceThread (rejecting as it does: a model that cannot load at start is reported, not
 * retried) and resolves once it is ready.
 * @returns an InferenceWorker:
 *   - `model`, `loadSeconds`: the first thread's.
 *   - `ready`: true while a loaded thread is there; false from the moment it dies until a new
 *     one is loaded, and after close().
 *   - `run(job)`: the current thread's run; with no thread ready, rejects at once with
 *     WorkerUnavailableError.
 *   - when a thread ends without close() having been called: log one line with console.error
 *     that names the cause (its error's message, or its exit code); after `restartDelayMs`,
 *     start a new thread (with the same options); if that fails, log it and try again after
 *     twice the wait, at most `maxRestartDelayMs`. `restarts` counts the threads started so.
 *   - `close()`: no more restarts (a pending one is cancelled); closes the current thread.
 */
export async function startWorker(modelPath: string, options: WorkerOptions = {}): Promise<InferenceWorker> {
  // TODO 2: watch the thread's end; log it, then start a new one after a growing wait.
  throw new Error('startWorker is not written yet');
}

/**
 * Bounded concurrency, a bounded queue, a deadline: FastAPI's thread pool without its endless wait.
 * - `run(task)` calls `task()` at once when fewer than `maxInFlight` tasks run; otherwise the task
 *   waits in a queue, first come first served, until a slot frees. When `maxInFlight` run and
 *   `maxQueue` wait already, `run` rejects at once with OverloadedError and never calls `task`.
 * - `run` resolves or rejects as the task does, unless `deadlineMs` pass first (counted from the
 *   call to run): then it rejects with DeadlineError at that moment. A task still waiting is
 *   dropped (it never starts); a running one keeps its slot until it really ends (the worker is
 *   still busy with it), and its late result is ignored.
 * - `inFlight` and `queued`: how many tasks run and wait now. `idle()` resolves once both are 0.
 */
export function createLimiter(options: LimiterOptions): Limiter {
  // TODO 3: the counter, the queue, the deadline timer.
  throw new Error('createLimiter is not written yet');
}

/**
 * The app: the routes in the comment at the top of this file. Mount the given jsonBody() first,
 * notFound and errorHandler last.
 * - Ready (both ready routes) is `worker.ready`; live is always 200.
 * - Infer and predict check the request first, without the limiter: prepareRequest (its
 *   InferenceError → 400 with its message) and, for /predict, readFlowers (→ 422). A bad request
 *   gets its 4xx whatever the server's state. Then, with `worker.ready` false → 503 with the header
 *   `Retry-After: <retryAfterSeconds>`; else `limiter.run(() => worker.run(job))`:
 *   OverloadedError and WorkerUnavailableError → 503 with Retry-After, DeadlineError → 504, any
 *   other error is our bug (throw it: the given errorHandler answers 500). shapeResponse makes the
 *   answer; /predict answers toPredictions' one prediction for one flower, a list for a list.
 * - An unknown model name → 404 {"error"}.
 * @returns a new Express app
 */
export function createApp(parts: AppParts): express.Express {
  // TODO 4: checks, then the limiter, then an answer for every way it can refuse.
  throw new Error('createApp is not written yet');
}

// Imported for the TODOs; this line keeps the imports in use until then. You may delete it.
void [Worker, express, DeadlineError, InferenceError, MODEL_NAME, OverloadedError, WORKER_FILE, WorkerUnavailableError, errorHandler, fail, jsonBody, modelMetadata, notFound, prepareRequest, readFlowers, serverMetadata, shapeResponse, toPredictions];
