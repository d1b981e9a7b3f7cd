/**
 * Lesson 09's example: lesson 08's iris server, made to keep answering.
 *
 *   npm run example -- 09                  (or: npx tsx lessons/09-keep-answering/example.ts)
 *   MAX_IN_FLIGHT=1 MAX_QUEUE=4 npm run example -- 09     a small limit, easy to fill
 *   CRASH_AFTER=3 npm run example -- 09                     each thread is killed on its 4th job
 *
 * - The model runs in a worker thread (the given worker.mjs), so the event loop keeps answering
 *   while it computes.
 * - It listens first and loads the model beside it: ready answers 503 until the thread is loaded.
 *   A model that cannot be loaded at the start ends the process with exit code 1 and the reason.
 * - A thread that dies: the jobs it held get 503 with Retry-After, the cause is logged, and a new
 *   thread starts after a wait that doubles after each failed attempt (100 ms up to 5 s); ready
 *   answers 503 until it is loaded, live stays 200.
 * - At most MAX_IN_FLIGHT jobs go to the thread at once and MAX_QUEUE wait; one more gets 503 with
 *   Retry-After: RETRY_AFTER_SECONDS. An answer later than DEADLINE_MS is a 504.
 * - Requests are checked before they queue: a bad one gets its 4xx at once, even from a full server.
 * - CRASH_AFTER=N lets each thread serve N jobs and kills it (worker.terminate()) as it is handed
 *   the next one, standing in for a crash (a bug in a native library, an out-of-memory): that
 *   request gets the 503.
 * - Ctrl-C or SIGTERM stops it at once (lesson 10 teaches the graceful stop).
 *
 * Environment, digits only: MAX_IN_FLIGHT (2), MAX_QUEUE (32), DEADLINE_MS (10000),
 * RETRY_AFTER_SECONDS (1), ORT_NUM_THREADS (onnxruntime's threads in the worker; default its own
 * choice), CRASH_AFTER (off); MODEL_PATH (the lesson's model.onnx); HOST, PORT as in lesson 06.
 *
 * Shaped differently from the solution on purpose: one small class keeps the thread alive and
 * speaks its messages, and the limiter is an Express middleware placed after the checks.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import express from 'express';
import {
  DEFAULT_MODEL_PATH,
  DEFAULTS,
  InferenceError,
  MODEL_NAME,
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
} from './serving.ts';
import { serveExample } from '../../workbook/example-server.ts';

// ---- Settings: whole numbers only; a typo stops the start with a message ------------------------

function setting(name: string, fallback: number | undefined, least: number): number | undefined {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < least) {
    console.error(`${name} must be a whole number, at least ${least}; got ${JSON.stringify(raw)}.`);
    process.exit(2);
  }
  return Number(raw);
}
const MAX_IN_FLIGHT = setting('MAX_IN_FLIGHT', DEFAULTS.maxInFlight, 1)!;
const MAX_QUEUE = setting('MAX_QUEUE', DEFAULTS.maxQueue, 0)!;
const DEADLINE_MS = setting('DEADLINE_MS', DEFAULTS.deadlineMs, 1)!;
const RETRY_AFTER_SECONDS = setting('RETRY_AFTER_SECONDS', DEFAULTS.retryAfterSeconds, 1)!;
const ORT_NUM_THREADS = setting('ORT_NUM_THREADS', undefined, 1);
const CRASH_AFTER = setting('CRASH_AFTER', undefined, 0);
const MODEL_PATH = path.resolve(process.env.MODEL_PATH?.trim() || DEFAULT_MODEL_PATH);

// ---- The thread's keeper: one thread at a time, replaced when it dies ---------------------------

/** What worker.mjs sends (its header lists the conversation). */
type FromThread =
  | { type: 'ready'; model: ModelInfo }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; result: JobResult }
  | { type: 'error'; id: number; message: string };

interface Held {
  resolve: (result: JobResult) => void;
  reject: (error: Error) => void;
}

class ModelThread {
  /** The loaded model's description (the newest thread's); undefined until the first one loads. */
  model: ModelInfo | undefined;
  restarts = 0;
  #current: { thread: Worker; held: Map<number, Held>; handed: number } | undefined;
  #loading: Worker | undefined;
  #nextId = 1;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly modelPath: string) {}

  get ready(): boolean {
    return this.#current !== undefined && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts the first thread; rejects with the reason when the model cannot be loaded. */
  async start(): Promise<number> {
    return this.#load();
  }

  /** Computes one job; rejects at once with WorkerUnavailableError when no thread is ready. */
  run(job: Job): Promise<JobResult> {
    const current = this.#current;
    if (!current || this.#closed) return Promise.reject(new WorkerUnavailableError('no inference thread is ready'));
    const id = this.#nextId++;
    const answer = new Promise<JobResult>((resolve, reject) => current.held.set(id, { resolve, reject }));
    current.handed += 1;
    if (CRASH_AFTER !== undefined && current.handed > CRASH_AFTER) {
      // Killed before the job is posted, so that it is surely lost with the thread.
      console.error(`CRASH_AFTER=${CRASH_AFTER}: killing the inference thread on purpose (worker.terminate()) as it is handed job ${current.handed}.`);
      void current.thread.terminate();
      return answer;
    }
    // Transferred, not copied: the Float32Arrays' memory moves to the thread.
    current.thread.postMessage({ type: 'run', id, job }, Object.values(job.feeds).map((feed) => feed.data.buffer as ArrayBuffer));
    return answer;
  }

  /** No more replacements; the thread is asked to end, and stopped if it takes longer than a second. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const loading = this.#loading;
    if (loading) await loading.terminate();
    const current = this.#current;
    if (!current) return;
    const exited = new Promise((resolve) => current.thread.once('exit', resolve));
    current.thread.postMessage({ type: 'close' });
    const late = setTimeout(() => void current.thread.terminate(), 1_000);
    await exited;
    clearTimeout(late);
  }

  /** One thread, from `new Worker` to its "ready"; resolves with the milliseconds it took. */
  async #load(): Promise<number> {
    const started = performance.now();
    const thread = new Worker(WORKER_FILE, { workerData: { modelPath: this.modelPath, threads: ORT_NUM_THREADS } });
    this.#loading = thread;
    // 'error' (an exception nobody caught in the thread) comes before 'exit': keep it as the cause.
    let cause: Error | undefined;
    thread.on('error', (error) => (cause = error));
    try {
      const model = await new Promise<ModelInfo>((resolve, reject) => {
        thread.once('message', (message: FromThread) =>
          message.type === 'ready' ? resolve(message.model) : reject(new Error(message.type === 'failed' ? message.message : `unexpected "${message.type}"`)),
        );
        thread.once('exit', (code) => reject(new Error(`the thread ended (exit code ${code}${cause ? `: ${cause.message}` : ''}) before the model was loaded`)));
      });
      if (this.model && this.model.version !== model.version) console.log(`The new thread loaded another file: version ${model.version}, was ${this.model.version}.`);
      this.model = model;
    } catch (error) {
      await thread.terminate();
      throw error;
    } finally {
      this.#loading = undefined;
    }
    if (this.#closed) {
      await thread.terminate();
      throw new Error('stopped while loading');
    }

    const current = { thread, held: new Map<number, Held>(), handed: 0 };
    thread.on('message', (message: FromThread) => {
      if (message.type !== 'done' && message.type !== 'error') return;
      const job = current.held.get(message.id);
      current.held.delete(message.id);
      // Only the words cross from the thread: a refused job is our bug here (the checks passed it).
      if (message.type === 'done') job?.resolve(message.result);
      else job?.reject(new Error(`the model failed on a job: ${message.message}`));
    });
    thread.once('exit', (code) => {
      const lost = current.held.size;
      for (const job of current.held.values()) job.reject(new WorkerUnavailableError('the inference thread ended while it held this job'));
      current.held.clear();
      if (this.#current !== current) return;
      this.#current = undefined;
      if (this.#closed) return;
      console.error(`The inference thread died (${cause ? cause.message : `exit code ${code}`}); ${lost} job(s) it held were answered 503. Replacing it; ready answers 503 meanwhile.`);
      this.#replaceAfter(DEFAULTS.restartDelayMs);
    });
    this.#current = current;
    return performance.now() - started;
  }

  /** Tries again after `delay`, doubling it after each failure in a row, up to the cap. */
  #replaceAfter(delay: number): void {
    this.#timer = setTimeout(async () => {
      try {
        const took = await this.#load();
        this.restarts += 1;
        console.log(`A new inference thread is ready (restart ${this.restarts}, loaded in ${Math.round(took)} ms).`);
      } catch (error) {
        if (this.#closed) return;
        const next = Math.min(delay * 2, DEFAULTS.maxRestartDelayMs);
        console.error(`Could not start a new inference thread (${(error as Error).message}); trying again in ${next} ms.`);
        this.#replaceAfter(next);
      }
    }, delay);
  }
}

const model = new ModelThread(MODEL_PATH);

// ---- The limiter, as a middleware placed after the checks ---------------------------------------

const comeBackLater = (req: express.Request, res: express.Response, message: string) => {
  res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  fail(req, res, 503, message);
};

let inFlight = 0;
const waiting: (() => void)[] = [];

/**
 * Lets a request through when a slot is free, queues it when the queue has room, refuses it with
 * 503 otherwise. The route must call res.locals.release() once its job has really ended.
 * At DEADLINE_MS the client gets 504: a waiting request leaves the queue and never runs; a running
 * one keeps its slot until the thread is done with it.
 */
const limit: express.RequestHandler = (req, res, next) => {
  if (inFlight >= MAX_IN_FLIGHT && waiting.length >= MAX_QUEUE) return comeBackLater(req, res, 'Too many requests in progress');
  let released = false;
  res.locals.release = () => {
    if (released) return;
    released = true;
    inFlight -= 1;
    waiting.shift()?.();
  };
  const enter = () => {
    inFlight += 1;
    next();
  };
  const timer = setTimeout(() => {
    const at = waiting.indexOf(enter);
    if (at >= 0) waiting.splice(at, 1);
    if (!res.headersSent) fail(req, res, 504, 'The inference did not finish in time');
  }, DEADLINE_MS);
  // Answered: no deadline left. A client that hung up keeps its timer: its queued job is dropped
  // at the deadline (it is not dropped at once; that would take an AbortSignal in the limiter).
  res.once('close', () => res.writableFinished && clearTimeout(timer));
  if (inFlight < MAX_IN_FLIGHT) enter();
  else waiting.push(enter);
};

// ---- The app --------------------------------------------------------------------------------------

const app = express();
app.disable('x-powered-by');
app.use(jsonBody()); // 415, then JSON no larger than MAX_BODY_BYTES (413 beyond it)

app.get('/', (_req, res) =>
  void res.json({
    model: path.basename(MODEL_PATH),
    ready: model.ready,
    restarts: model.restarts,
    inFlight,
    queued: waiting.length,
    limits: { MAX_IN_FLIGHT, MAX_QUEUE, DEADLINE_MS, RETRY_AFTER_SECONDS, ORT_NUM_THREADS: ORT_NUM_THREADS ?? "onnxruntime's choice", CRASH_AFTER: CRASH_AFTER ?? 'off' },
    routes: ['GET /v2', 'GET /v2/health/live', 'GET /v2/health/ready', 'GET /v2/models/iris', 'GET /v2/models/iris/ready', 'POST /v2/models/iris/infer', 'POST /predict'],
  }),
);
app.get('/v2', (_req, res) => void res.json(serverMetadata()));
// Live: the process answers. It stays 200 while a thread is replaced (a new one loads in about a second).
app.get('/v2/health/live', (_req, res) => void res.json({ live: true }));
app.get('/v2/health/ready', (_req, res) => void res.status(model.ready ? 200 : 503).json({ ready: model.ready }));

// Every /v2/models/:name route: a known name, then a loaded model.
const iris: express.RequestHandler = (req, res, next) => {
  if (req.params.name !== MODEL_NAME) return fail(req, res, 404, `Unknown model: only "${MODEL_NAME}" is served here`);
  next();
};
app.get('/v2/models/:name/ready', iris, (_req, res) => void res.status(model.ready ? 200 : 503).json({ name: MODEL_NAME, ready: model.ready }));
const loaded: express.RequestHandler = (req, res, next) => (model.model ? next() : comeBackLater(req, res, 'The model is still loading'));
app.get('/v2/models/:name', iris, loaded, (_req, res) => void res.json(modelMetadata(model.model!)));

// The checks: no slot, no thread, just the request against the model's metadata.
const checkInfer: express.RequestHandler = (req, res, next) => {
  try {
    res.locals.job = prepareRequest(model.model!, req.body);
  } catch (error) {
    if (error instanceof InferenceError) return fail(req, res, 400, error.message);
    throw error;
  }
  next();
};
const checkFlowers: express.RequestHandler = (req, res, next) => {
  const read = readFlowers(model.model!, req.body);
  if ('detail' in read) return void res.status(422).json({ detail: read.detail });
  res.locals.job = prepareRequest(model.model!, read.request);
  res.locals.many = read.many;
  next();
};
// A thread being replaced: say so before queueing work for it.
const threadReady: express.RequestHandler = (req, res, next) => (model.ready ? next() : comeBackLater(req, res, 'The inference thread is being replaced'));

/** Runs the checked job; answers with `answer` unless the deadline has answered already. */
const compute = (answer: (res: express.Response, job: Job, result: JobResult) => void): express.RequestHandler => async (req, res) => {
  const job = res.locals.job as Job;
  try {
    const result = await model.run(job);
    if (!res.headersSent) answer(res, job, result);
  } catch (error) {
    if (res.headersSent) return void (error instanceof WorkerUnavailableError || console.error('After its 504:', error));
    if (error instanceof WorkerUnavailableError) return comeBackLater(req, res, 'The inference thread died; try again');
    throw error; // our bug: errorHandler logs it and answers 500
  } finally {
    (res.locals.release as () => void)();
  }
};

app.post('/v2/models/:name/infer', iris, loaded, checkInfer, threadReady, limit, compute((res, job, result) => void res.json(shapeResponse(model.model!, job, result))));
app.post('/predict', loaded, checkFlowers, threadReady, limit, compute((res, job, result) => {
  const predictions = toPredictions(model.model!, shapeResponse(model.model!, job, result));
  res.json(res.locals.many ? predictions : predictions[0]);
}));
app.use(notFound);
app.use(errorHandler);

// ---- Listen first, then load beside it --------------------------------------------------------

const flower = '{"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}';
await serveExample(app, {
  tryThis: [
    "curl -s -w ' %{http_code}\\n' {url}/v2/health/ready       503 until the thread has loaded the model, then 200",
    `curl -s {url}/predict -H 'content-type: application/json' -d '${flower}'`,
    `curl -s {url}/v2/models/iris/infer -H 'content-type: application/json' -d '{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [5.1, 3.5, 1.4, 0.2]}]}'`,
    `npx autocannon -c 100 -d 3 -m POST -H content-type=application/json -b '${flower}' {url}/predict     a flood: watch the non 2xx (503) count`,
    `curl -si {url}/predict -H 'content-type: application/json' -d '${flower}' | grep -iE '^(HTTP|retry-after)'     while the flood runs`,
    'CRASH_AFTER=3 npm run example -- 09, then five predict curls: the 4th gets 503, the log shows the thread replaced',
  ],
  onClose: () => model.close(),
});
console.log(`Loading ${path.basename(MODEL_PATH)} in an inference thread; limits: ${MAX_IN_FLIGHT} in flight, ${MAX_QUEUE} waiting, ${DEADLINE_MS} ms deadline.`);
try {
  const took = await model.start();
  const { version, inputs, outputs } = model.model!;
  console.log(`Model ${path.basename(MODEL_PATH)} loaded in the inference thread in ${Math.round(took)} ms (version ${version}): ready. Input ${JSON.stringify(inputs[0])}, outputs ${JSON.stringify(outputs)}`);
} catch (error) {
  // At the start a model that cannot load is a mistake to report, not to retry. (Unless a stop
  // ended the load: then the stop exits, with 0.)
  if (!model.closed) {
    console.error(`Cannot serve: ${(error as Error).message}`);
    process.exit(1);
  }
}
