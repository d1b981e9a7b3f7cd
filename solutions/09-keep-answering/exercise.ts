/**
 * Lesson 09 — keep answering: the annotated solution.
 * The comments say why each piece is written the way it is. The given parts are the exercise's.
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
// Given: the shapes of your four parts
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
// TODO 1: one thread, spoken to in messages
// ---------------------------------------------------------------------------------------------

// What worker.mjs sends (its header comment is the contract).
type FromThread =
  | { type: 'ready'; model: ModelInfo }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; result: JobResult }
  | { type: 'error'; id: number; message: string };

export async function startInferenceThread(modelPath: string, options: ThreadOptions = {}): Promise<InferenceThread> {
  const started = performance.now();
  const thread = new Worker(options.file ?? WORKER_FILE, { workerData: { modelPath, threads: options.threads } });
  // 'error' (an exception nobody caught in the thread) always comes before 'exit': keep it as the cause.
  let crash: Error | undefined;
  thread.once('error', (error) => (crash = error));
  const ended = new Promise<{ code: number; error?: Error }>((resolve) => thread.once('exit', (code) => resolve(crash ? { code, error: crash } : { code })));

  // The first word from the thread: ready, failed, or an end before either.
  const first = await Promise.race([
    new Promise<FromThread>((resolve) => thread.once('message', resolve)),
    ended.then(({ code, error }) => new Error(`the inference thread for ${modelPath} ended (exit code ${code}${error ? `: ${error.message}` : ''}) before the model was loaded`)),
  ]);
  if (first instanceof Error || first.type !== 'ready') {
    // After 'failed' the thread ends by itself; wait for it, so that nothing of this attempt is
    // left running when the caller hears of it.
    await thread.terminate();
    throw first instanceof Error ? first : new Error(first.type === 'failed' ? first.message : `unexpected first message from the thread for ${modelPath}`);
  }
  const loadSeconds = (performance.now() - started) / 1000;

  // An answer is a message, not a return value: each job has an id, each id a waiting promise.
  const pending = new Map<number, { resolve: (result: JobResult) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let gone: Error | undefined;
  thread.on('message', (message: FromThread) => {
    if (message.type !== 'done' && message.type !== 'error') return;
    const job = pending.get(message.id);
    pending.delete(message.id);
    // A job onnxruntime refused after prepareRequest passed it is our bug, not the client's: a
    // plain Error, which the app turns into a 500.
    if (message.type === 'done') job?.resolve(message.result);
    else job?.reject(new Error(`the model failed on a job: ${message.message}`));
  });
  // A thread that ends for any reason answers every job it held: no caller waits forever.
  void ended.then(({ code, error }) => {
    gone ??= new WorkerUnavailableError(`the inference thread ended (exit code ${code}${error ? `: ${error.message}` : ''})`);
    for (const job of pending.values()) job.reject(gone);
    pending.clear();
  });

  let closing: Promise<void> | undefined;
  return {
    model: first.model,
    loadSeconds,
    ended,
    run(job) {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise<JobResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Transferred, not copied: the input buffers move to the thread (this side is done with them).
        thread.postMessage({ type: 'run', id, job }, Object.values(job.feeds).map((feed) => feed.data.buffer as ArrayBuffer));
      });
    },
    close() {
      closing ??= (async () => {
        gone ??= new WorkerUnavailableError('the inference thread is closed');
        // The thread reads 'close' after the jobs before it: they are answered first, then it
        // releases its session and exits 0. One that does not end in 5 s is stopped anyway.
        thread.postMessage({ type: 'close' });
        const timer = setTimeout(() => void thread.terminate(), 5_000);
        await ended;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 2: a thread that dies is logged and replaced
// ---------------------------------------------------------------------------------------------

export async function startWorker(modelPath: string, options: WorkerOptions = {}): Promise<InferenceWorker> {
  const firstDelay = options.restartDelayMs ?? DEFAULTS.restartDelayMs;
  const maxDelay = options.maxRestartDelayMs ?? DEFAULTS.maxRestartDelayMs;
  // The first load is not retried: a wrong path or a broken file is a mistake to report at once
  // (the process exits non-zero and the operator reads why), not to retry for ever.
  let current: InferenceThread | undefined = await startInferenceThread(modelPath, options);
  const { model, loadSeconds } = current;
  let restarts = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const watch = (thread: InferenceThread) => {
    void thread.ended.then(({ code, error }) => {
      if (closed || current !== thread) return; // asked to end: nothing to heal
      current = undefined; // not ready from this moment: new jobs get 503, not a dead thread
      console.error(`The inference thread died (exit code ${code}${error ? `: ${error.message}` : ''}); the jobs it held were answered 503. Starting a new one.`);
      schedule(firstDelay);
    });
  };
  // Waits, then tries again, doubling the wait after each failure in a row: a model that crashes
  // on load is not restarted in a tight loop (Kubernetes' CrashLoopBackOff does the same to pods).
  const schedule = (delay: number) => {
    timer = setTimeout(async () => {
      try {
        const thread = await startInferenceThread(modelPath, options);
        if (closed) return void (await thread.close());
        current = thread;
        restarts += 1;
        watch(thread);
        console.error(`A new inference thread is ready (restart ${restarts}).`);
      } catch (error) {
        if (closed) return;
        const next = Math.min(delay * 2, maxDelay);
        console.error(`Could not start a new inference thread (${(error as Error).message}); trying again in ${next} ms.`);
        schedule(next);
      }
    }, delay);
  };
  watch(current);

  return {
    model,
    loadSeconds,
    get ready() {
      return current !== undefined && !closed;
    },
    get restarts() {
      return restarts;
    },
    run(job) {
      // No thread right now: say so at once rather than queue work for a thread that is not there.
      if (!current || closed) return Promise.reject(new WorkerUnavailableError('the model is not loaded right now'));
      return current.run(job);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await current?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 3: backpressure — a bounded number in flight, a bounded queue, a deadline
// ---------------------------------------------------------------------------------------------

export function createLimiter({ maxInFlight, maxQueue, deadlineMs }: LimiterOptions): Limiter {
  let inFlight = 0;
  // FIFO: first come, first served. An entry starts its task when a slot frees.
  const queue: { start: () => void }[] = [];
  let idlers: (() => void)[] = [];

  const checkIdle = () => {
    if (inFlight > 0 || queue.length > 0) return;
    const waiting = idlers;
    idlers = [];
    for (const resolve of waiting) resolve();
  };
  const startWaiting = () => {
    while (inFlight < maxInFlight && queue.length > 0) queue.shift()!.start();
    checkIdle();
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return queue.length;
    },
    idle() {
      return inFlight === 0 && queue.length === 0 ? Promise.resolve() : new Promise((resolve) => idlers.push(resolve));
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      // Refuse at once, before anything is kept: this is what bounds the memory a flood can take.
      if (inFlight >= maxInFlight && queue.length >= maxQueue) {
        return Promise.reject(new OverloadedError(`${inFlight} running and ${queue.length} waiting`));
      }
      return new Promise<T>((resolve, reject) => {
        // The task and the deadline race: whichever comes first answers the caller, once.
        let answered = false;
        const answer = (settle: () => void) => {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          settle();
        };
        const entry = {
          start: () => {
            inFlight += 1;
            // Promise.resolve().then(task): a task that throws at once becomes a rejection too.
            Promise.resolve()
              .then(task)
              .then(
                (value) => answer(() => resolve(value)),
                (error: unknown) => answer(() => reject(error)),
              )
              .finally(() => {
                // The slot is freed when the work really ends, even if its caller was answered
                // long ago (deadline): the worker was busy until now.
                inFlight -= 1;
                startWaiting();
              });
          },
        };
        const timer = setTimeout(() => {
          const at = queue.indexOf(entry);
          // Still waiting: drop it, so it never runs. Running: it keeps its slot until it ends.
          if (at >= 0) queue.splice(at, 1);
          answer(() => reject(new DeadlineError(`no answer within ${deadlineMs} ms`)));
          checkIdle();
        }, deadlineMs);
        queue.push(entry);
        startWaiting();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 4: the app — cheap checks first, then the limiter, and an answer for every refusal
// ---------------------------------------------------------------------------------------------

export function createApp({ worker, limiter, retryAfterSeconds = DEFAULTS.retryAfterSeconds }: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // First: 415 for a body that is not JSON, 413 beyond MAX_BODY_BYTES before a byte is parsed.
  app.use(jsonBody());

  // Live: the process answers. It stays 200 while a dead thread is replaced: restarting the whole
  // container would only add the image's start to the model's load.
  app.get('/v2/health/live', (_req, res) => void res.json({ live: true }));
  // Ready: send me traffic. Not while no thread holds the model. (Not under load either: every
  // replica is loaded at once, and taking them all out of the Service helps nobody.)
  app.get('/v2/health/ready', (_req, res) => void res.status(worker.ready ? 200 : 503).json({ ready: worker.ready }));
  app.get('/v2', (_req, res) => void res.json(serverMetadata()));

  const known = (req: express.Request, res: express.Response): boolean => {
    if (req.params.name === MODEL_NAME) return true;
    fail(req, res, 404, `Unknown model: only "${MODEL_NAME}" is served here`);
    return false;
  };
  app.get('/v2/models/:name', (req, res) => void (known(req, res) && res.json(modelMetadata(worker.model))));
  app.get('/v2/models/:name/ready', (req, res) => {
    if (known(req, res)) res.status(worker.ready ? 200 : 503).json({ name: MODEL_NAME, ready: worker.ready });
  });

  const comeBackLater = (req: express.Request, res: express.Response, message: string) => {
    // Retry-After: how long a well-behaved client (or proxy) waits before trying again.
    res.set('Retry-After', String(retryAfterSeconds));
    fail(req, res, 503, message);
  };

  /** Runs a checked job through the limiter; answers every refusal that is not the route's. */
  const compute = async (req: express.Request, res: express.Response, job: Job): Promise<JobResult | undefined> => {
    if (!worker.ready) return void comeBackLater(req, res, 'Not ready to take this request; try again later');
    try {
      return await limiter.run(() => worker.run(job));
    } catch (error) {
      if (error instanceof OverloadedError) return void comeBackLater(req, res, 'Too many requests in progress');
      if (error instanceof WorkerUnavailableError) return void comeBackLater(req, res, 'The model thread stopped before answering; try again');
      if (error instanceof DeadlineError) return void fail(req, res, 504, 'The inference did not finish in time');
      throw error; // our bug: the error handler answers 500
    }
  };

  /** prepareRequest's checks, before the limiter: a malformed request costs no slot and gets its 400 at once, even from a full server. */
  const checked = (req: express.Request, res: express.Response, body: unknown): Job | undefined => {
    try {
      return prepareRequest(worker.model, body);
    } catch (error) {
      if (error instanceof InferenceError) return void fail(req, res, 400, error.message);
      throw error;
    }
  };

  app.post('/v2/models/:name/infer', async (req, res) => {
    if (!known(req, res)) return;
    const job = checked(req, res, req.body);
    if (!job) return;
    const result = await compute(req, res, job);
    if (result) res.json(shapeResponse(worker.model, job, result));
  });

  app.post('/predict', async (req, res) => {
    const read = readFlowers(worker.model, req.body);
    if ('detail' in read) return void res.status(422).json({ detail: read.detail });
    // The flowers are valid; a model whose inputs do not take them (a fixed batch of 1, say) is
    // still a 400 rather than our 500.
    const job = checked(req, res, read.request);
    if (!job) return;
    const result = await compute(req, res, job);
    if (!result) return;
    const predictions = toPredictions(worker.model, shapeResponse(worker.model, job, result));
    res.json(read.many ? predictions : predictions[0]);
  });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
