/**
 * Lesson 09 — run it like production. Real worker threads running onnxruntime, real servers on
 * 127.0.0.1, real child processes receiving real signals. Grouped by the exercise's TODOs.
 *
 * Timing: the "heavy" model (tests/support/09-models.ts) takes a few hundred milliseconds for a
 * batch of 256 rows. Checks about time compare with that duration, measured here, rather than with
 * fixed numbers, so that a slow or busy machine does not make them fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  DEFAULTS,
  DeadlineError,
  InferenceError,
  MODEL_NAME,
  OverloadedError,
  createApp,
  createLimiter,
  createMetrics,
  startInferenceWorker,
  startServer,
  type InferenceWorker,
  type Limiter,
  type Metrics,
  type Started,
} from '#exercise/09-production';
import { currentTarget, ROOT } from '../workbook/target.ts';
import { CHILD_REPORT, IRIS_MODEL, LESSON_DIR, batchOf, irisProbabilities, writeSuiteModels, type SuiteModels } from './support/09-models.ts';
import { ExpositionError, parseExposition, total, type Family } from './support/09-prometheus.ts';
import { canBind, freePort, parseJson, serve, type Running } from './support/http.ts';

// Worker threads load onnxruntime's WebAssembly (1–3 s each on a busy machine); child processes
// add tsx's start-up on top. More time per test and hook than the project's 15 s default.
vi.setConfig({ testTimeout: 40_000, hookTimeout: 40_000 });

const show = (value: unknown) => (value === undefined ? '(nothing)' : JSON.stringify(value));
const ms = (value: number) => `${Math.round(value)} ms`;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

let models: SuiteModels;
beforeAll(() => {
  models = writeSuiteModels();
});

// Workers are shared by the tests that only use them (starting one costs seconds); each is closed
// at the end of the file. A failure to start is reported by every test that asked for it.
const opened: InferenceWorker[] = [];
const workers = new Map<string, Promise<InferenceWorker>>();
function shared(file: string): Promise<InferenceWorker> {
  let starting = workers.get(file);
  if (!starting) {
    starting = startInferenceWorker(file).then((worker) => (opened.push(worker), worker));
    starting.catch(() => undefined);
    workers.set(file, starting);
  }
  return starting;
}
const iris = () => shared(IRIS_MODEL);
const heavy = () => shared(models.heavy);

// Whatever a test opens (servers, started servers, children) is closed after it, even when it fails.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).reverse().map((cleanup) => cleanup()));
});
afterAll(async () => {
  for (const worker of opened) await worker.close?.().catch(() => undefined);
  rmSync(models.dir, { recursive: true, force: true });
});

/** Worker threads this process has now (tsx's loader thread, when there is one, is counted too: compare, never expect 0). */
// A thread that has ended can stay in the report for a moment while it is torn down: the checks
// after a close wait up to a second for it to go (a thread never closed stays, and fails them).
const threads = () => (process.report.getReport() as { workers: unknown[] }).workers.length;

const KNOWN: [string, number[]][] = [
  ['setosa', [5.1, 3.5, 1.4, 0.2]],
  ['versicolor', [7.0, 3.2, 4.7, 1.4]],
  ['virginica', [6.3, 3.3, 6.0, 2.5]],
];
const flowerOf = ([sepal_length, sepal_width, petal_length, petal_width]: number[]) => ({ sepal_length, sepal_width, petal_length, petal_width });
const rowsRequest = (rows: number[][], extra: Record<string, unknown> = {}) => ({ ...extra, inputs: [{ name: 'features', datatype: 'FP32', shape: [rows.length, 4], data: rows }] });
/** An inference request of `rows` rows: on the heavy model, about 2 ms a row here. */
const batch = (rows: number) => rowsRequest(batchOf(rows));
const INFER = '/v2/models/iris/infer';

interface Answer {
  status: number;
  json: unknown;
  text: string;
  headers: Headers;
}

async function call(base: string, method: string, url: string, body?: unknown): Promise<Answer> {
  const response = await fetch(base + url, {
    method,
    // A server that never answers fails the test with this, not with a stalled run.
    signal: AbortSignal.timeout(15_000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: parseJson(text), text, headers: response.headers };
}

/** The same call, or the reason it got no answer (a refused or cut connection). */
async function attempt(base: string, method: string, url: string, body?: unknown): Promise<Answer | { failed: string }> {
  try {
    return await call(base, method, url, body);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { failed: cause?.code ?? cause?.message ?? String(error) };
  }
}
const describeAnswer = (answer: Answer | { failed: string }) => ('failed' in answer ? `no answer (${answer.failed})` : `${answer.status} ${answer.text.slice(0, 200)}`);

/** Polls until `probe` gives a value (there is no event to wait for across HTTP or processes). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** How long the heavy model takes for 256 rows on this machine now (after a first run, which warms it up). */
const heavyTimes = new WeakMap<object, Promise<number>>();
function heavyMs(worker: InferenceWorker): Promise<number> {
  let measuring = heavyTimes.get(worker);
  if (!measuring) {
    measuring = (async () => {
      await worker.infer(batch(256));
      const started = performance.now();
      await worker.infer(batch(256));
      return performance.now() - started;
    })();
    heavyTimes.set(worker, measuring);
  }
  return measuring;
}

/** Serves createApp(parts) on a free port until the end of the test. */
async function app(parts: Parameters<typeof createApp>[0]): Promise<string> {
  const running: Running = await serve(createApp(parts));
  cleanups.push(() => running.close());
  return running.url;
}

/** Rejects with `what` when `promise` has not settled after `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${timeoutMs / 1000} s`)), timeoutMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise and the functions that settle it. */
function deferred<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

/** A promise awaited later: marked as handled now, so that a test failing before it awaits it leaves no unhandled rejection. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** What happened to a promise so far: 'pending', or how it settled. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** GET /metrics, read as Prometheus reads it. */
async function scrape(base: string): Promise<Map<string, Family>> {
  const answer = await call(base, 'GET', '/metrics');
  expect(answer.status, `GET /metrics: ${answer.text.slice(0, 200)}`).toBe(200);
  try {
    return parseExposition(answer.text);
  } catch (error) {
    if (error instanceof ExpositionError) expect.fail(`GET /metrics is not in Prometheus' text format: ${error.message}`);
    throw error;
  }
}
const gauge = (families: Map<string, Family>, name: string) => total(families, name, name);
/** inference_in_flight + inference_queue_depth: the requests the limiter holds. */
const accepted = async (base: string) => {
  const families = await scrape(base);
  return gauge(families, 'inference_in_flight') + gauge(families, 'inference_queue_depth');
};

// ---------------------------------------------------------------------------------------------

describe('TODO 1: the model runs in a worker thread', () => {
  test('the iris model: its metadata comes from the thread, and known flowers get the right probabilities', async () => {
    const worker = await within(iris(), 20_000, 'startInferenceWorker(model.onnx): resolves once the thread has loaded the model');
    const version = createHash('sha256').update(readFileSync(IRIS_MODEL)).digest('hex').slice(0, 12);
    expect(worker.model, 'worker.model for model.onnx').toEqual({
      version,
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    });
    expect(Number.isFinite(worker.loadSeconds) && worker.loadSeconds > 0, `worker.loadSeconds = ${worker.loadSeconds}: seconds, more than 0`).toBe(true);
    const rows = KNOWN.map(([, values]) => values);
    const answer = await within(worker.infer(rowsRequest(rows, { id: 'known-3' })), 10_000, 'worker.infer(3 rows): the thread should answer');
    expect([answer.model_name, answer.id], 'model_name and id of the answer').toEqual(['iris', 'known-3']);
    const [output] = answer.outputs;
    expect([output?.name, output?.datatype, output?.shape], 'the output for 3 rows').toEqual(['probabilities', 'FP32', [3, 3]]);
    const expected = irisProbabilities(rows).flat();
    for (const [index, value] of (output?.data as number[]).entries()) {
      expect(Math.abs(value - expected[index]!), `probability ${index}: ${value}, computed from the weights: ${expected[index]}`).toBeLessThan(1e-5);
    }
  });

  test('many calls at once: each gets the answer to its own request', async () => {
    const worker = await iris();
    const rows = batchOf(40);
    const expected = irisProbabilities(rows);
    const answers = await within(Promise.all(rows.map((row, index) => worker.infer(rowsRequest([row], { id: `row-${index}` })))), 10_000, '40 calls of worker.infer at once: each should get an answer');
    for (const [index, answer] of answers.entries()) {
      expect(answer.id, `call ${index} of 40 made at once got the answer for`).toBe(`row-${index}`);
      const got = answer.outputs[0]?.data as number[];
      expect(Math.max(...got.map((value, c) => Math.abs(value - expected[index]![c]!))), `call ${index}: ${show(got)} for the row ${show(rows[index])}`).toBeLessThan(1e-5);
    }
  });

  const deep = (() => {
    let data: unknown = [5.1, 3.5, 1.4, 0.2];
    for (let level = 0; level < 100_000; level++) data = [data];
    return data;
  })();
  test.each([
    ['no inputs', { inputs: [] }],
    ['shape [1, 5]', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 5], data: [1, 2, 3, 4, 5] }] }],
    ['1e39 (Infinity as a float32)', rowsRequest([[5.1, 1e39, 1.4, 0.2]])],
    ['data nested 100,000 levels deep', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: deep }] }],
    ['257 rows (over MAX_BATCH)', batch(257)],
  ])('%s → rejects with InferenceError, status 400; the worker still serves', async (what, body) => {
    const worker = await iris();
    const error = await worker.infer(body).then(
      (value) => expect.fail(`worker.infer(${what}) should reject with an InferenceError; it answered ${show(value).slice(0, 200)}`),
      (reason: unknown) => reason,
    );
    expect(error, `worker.infer(${what}) should reject with an InferenceError (prepareRequest's), got ${String(error)}`).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).status, 'its status').toBe(400);
    const after = await worker.infer(rowsRequest([KNOWN[0]![1]]));
    expect(after.outputs[0]?.shape, 'a good request afterwards').toEqual([1, 3]);
  });

  test('while the thread computes a batch of 256 rows on a heavy model, the main thread stays free', async () => {
    const worker = await heavy();
    await heavyMs(worker); // warm
    const pauses: number[] = [];
    let done = false;
    const started = performance.now();
    const job = later(worker.infer(batch(256)).finally(() => (done = true)));
    let last = performance.now();
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const now = performance.now();
      pauses.push(now - last);
      last = now;
    }
    const took = performance.now() - started;
    const answer = await job;
    expect(answer.outputs[0]?.shape, 'the heavy answer').toEqual([256, 3]);
    const longest = Math.max(...pauses);
    expect(
      longest,
      `a 5 ms timer waited up to ${ms(longest)} while infer computed 256 rows (${ms(took)} in all): the main thread was blocked. session.run must happen in the worker thread`,
    ).toBeLessThan(took / 2);
    expect(pauses.length, `the 5 ms timer fired ${pauses.length} times during ${ms(took)}`).toBeGreaterThanOrEqual(3);
  });

  test('a model that cannot be loaded: rejects with an Error naming the path, and no thread is left', async () => {
    const before = threads();
    const error = await startInferenceWorker(models.missing).then(
      async (worker) => {
        await worker.close();
        return undefined;
      },
      (reason: unknown) => reason,
    );
    expect(error, `startInferenceWorker(${models.missing}) should reject`).toBeInstanceOf(Error);
    expect((error as Error).message, 'the message names the model file, so the log says which one').toContain(models.missing);
    await vi.waitFor(() => expect(threads(), 'worker threads after the failed start, compared with before it: none left running').toBe(before), { timeout: 1_000 });
  });

  test('close(): the thread ends, infer then rejects, a second close() is harmless', async () => {
    const before = threads();
    const worker = await startInferenceWorker(IRIS_MODEL);
    let closed = false;
    cleanups.push(async () => void (closed || (await worker.close().catch(() => undefined))));
    expect(threads(), 'worker threads while it runs, compared with before').toBe(before + 1);
    await worker.infer(rowsRequest([KNOWN[1]![1]]));
    await within(worker.close(), 10_000, 'worker.close()');
    closed = true;
    await vi.waitFor(() => expect(threads(), 'worker threads once close() has resolved, compared with before the start').toBe(before), { timeout: 1_000 });
    const late = await within(
      worker.infer(rowsRequest([KNOWN[1]![1]])).then(
        () => 'answered',
        (reason: unknown) => (reason instanceof InferenceError ? 'InferenceError' : 'rejected'),
      ),
      5_000,
      'worker.infer after close()',
    );
    expect(late, 'worker.infer(a good request) after close()').toBe('rejected');
    await within(worker.close(), 5_000, 'a second worker.close()');
  });
});

// ---------------------------------------------------------------------------------------------

/** A task the test finishes when it wants, and whether it was ever started. */
function task<T = string>() {
  const gate = deferred<T>();
  const record = { started: 0, run: () => (record.started++, gate.promise), ...gate };
  return record;
}

describe('TODO 2: backpressure — a bounded number in flight, a bounded queue, a deadline', () => {
  test('runs up to maxInFlight tasks at once; the others wait, first come first served', async () => {
    const limiter = createLimiter({ maxInFlight: 2, maxQueue: 5, deadlineMs: 30_000 });
    const tasks = [task(), task(), task(), task()];
    const runs = tasks.map((entry) => limiter.run(entry.run));
    await tick();
    expect(tasks.map((entry) => entry.started), 'started, after 4 run() calls with maxInFlight 2').toEqual([1, 1, 0, 0]);
    expect([limiter.inFlight, limiter.queued], '[inFlight, queued]').toEqual([2, 2]);
    tasks[1]!.resolve('second');
    await expect(within(runs[1]!, 5_000, 'run(task 2) once task 2 has ended'), 'run(task 2) resolves with its task\'s value').resolves.toBe('second');
    await tick();
    expect(tasks.map((entry) => entry.started), 'started, once task 2 has ended (the first waiting one goes next)').toEqual([1, 1, 1, 0]);
    tasks[0]!.resolve('first');
    tasks[2]!.resolve('third');
    await within(Promise.all([runs[0], runs[2]]), 5_000, 'run(task 1) and run(task 3) once their tasks have ended');
    await tick();
    expect(tasks[3]!.started, 'task 4 started once a slot was free').toBe(1);
    tasks[3]!.resolve('fourth');
    expect(await within(Promise.all(runs), 5_000, 'every run() once every task has ended'), 'what each run() resolved with').toEqual(['first', 'second', 'third', 'fourth']);
    expect([limiter.inFlight, limiter.queued], '[inFlight, queued] at the end').toEqual([0, 0]);
  });

  test('beyond maxQueue: run() rejects at once with OverloadedError and never calls the task', async () => {
    const limiter = createLimiter({ maxInFlight: 1, maxQueue: 2, deadlineMs: 30_000 });
    const held = [task(), task(), task()];
    const runs = held.map((entry) => limiter.run(entry.run));
    const extra = task();
    const refused = watch(limiter.run(extra.run));
    await tick();
    expect(refused.settled, 'run() with 1 running and 2 waiting (maxInFlight 1, maxQueue 2) should reject at once').toBe(true);
    expect(refused.error, `it rejected with ${String(refused.error)}`).toBeInstanceOf(OverloadedError);
    expect([limiter.inFlight, limiter.queued], '[inFlight, queued] after the refusal').toEqual([1, 2]);
    for (const entry of held) entry.resolve('ok');
    await within(Promise.all(runs), 5_000, 'the three accepted run() calls once their tasks have ended');
    await tick();
    expect(extra.started, 'the refused task must never run (its caller was told no)').toBe(0);

    const none = createLimiter({ maxInFlight: 1, maxQueue: 0, deadlineMs: 30_000 });
    const busy = task();
    const running = none.run(busy.run);
    await expect(none.run(task().run), 'maxQueue 0: a second run() while one runs').rejects.toBeInstanceOf(OverloadedError);
    busy.resolve('done');
    await within(running, 5_000, 'run() once its task has ended');
  });

  test('errors pass through, and a failed task frees its slot', async () => {
    const limiter = createLimiter({ maxInFlight: 1, maxQueue: 1, deadlineMs: 30_000 });
    const failure = new InferenceError('no');
    await expect(within(limiter.run(() => Promise.reject(failure)), 5_000, 'run(a task that rejects)'), 'run(a task that rejects)').rejects.toBe(failure);
    const thrown = new Error('thrown at once');
    await expect(within(limiter.run(() => { throw thrown; }), 5_000, 'run(a task that throws)'), 'run(a task that throws before returning a promise)').rejects.toBe(thrown);
    expect([limiter.inFlight, limiter.queued], '[inFlight, queued] after two failed tasks').toEqual([0, 0]);
    await expect(within(limiter.run(async () => 'next'), 5_000, 'run(a task after them)'), 'a task after them').resolves.toBe('next');
  });

  test('past the deadline: DeadlineError at that moment; a waiting task is dropped and never starts', async () => {
    const limiter = createLimiter({ maxInFlight: 1, maxQueue: 4, deadlineMs: 120 });
    const first = task();
    const waiting = task();
    const started = performance.now();
    const running = watch(limiter.run(first.run));
    const queued = limiter.run(waiting.run);
    const error = await within(
      queued.then(() => undefined, (reason: unknown) => reason),
      5_000,
      'run() of a task still waiting 120 ms after the call (deadlineMs 120): does it reject with DeadlineError at the deadline',
    );
    const took = performance.now() - started;
    expect(error, `run() of a task still waiting after deadlineMs (120) rejected with ${String(error)}`).toBeInstanceOf(DeadlineError);
    expect(took, `it rejected after ${ms(took)}: at the deadline, not before`).toBeGreaterThanOrEqual(110);
    expect(took, `it rejected after ${ms(took)}: at the deadline, while the first task was still running`).toBeLessThan(3_000);
    await tick();
    expect(running.error, 'the running task\'s run() too rejects with DeadlineError at the deadline').toBeInstanceOf(DeadlineError);
    expect(limiter.queued, 'queued once the waiting task is dropped').toBe(0);
    first.resolve('late');
    await within(limiter.idle(), 5_000, 'idle() once the only running task has ended');
    await tick();
    expect(waiting.started, 'the dropped task never starts, even after a slot frees').toBe(0);
  });

  test('past the deadline a running task keeps its slot until it really ends; then the next one starts', async () => {
    const limiter = createLimiter({ maxInFlight: 1, maxQueue: 4, deadlineMs: 100 });
    const slow = task();
    const error = await within(
      limiter.run(slow.run).then(() => undefined, (reason: unknown) => reason),
      5_000,
      'run() of a task still running 100 ms after the call (deadlineMs 100): does it reject with DeadlineError at the deadline',
    );
    expect(error, `run(a task that takes longer than the deadline) rejected with ${String(error)}`).toBeInstanceOf(DeadlineError);
    expect(limiter.inFlight, 'inFlight after the deadline, while the task still runs (the worker is busy with it)').toBe(1);
    const next = task();
    const nextRun = limiter.run(next.run);
    await tick();
    expect(next.started, 'a new task waits while the timed-out one still runs').toBe(0);
    slow.resolve('too late');
    await until(async () => (next.started === 1 ? true : undefined), 'the next task starts once the slow one has ended', 2_000);
    next.resolve('ok');
    await expect(within(nextRun, 5_000, 'the next task\'s run()'), 'the next task\'s run()').resolves.toBe('ok');
  });

  test('idle() resolves at once when nothing runs, else once the last task has ended', async () => {
    const limiter = createLimiter({ maxInFlight: 1, maxQueue: 2, deadlineMs: 30_000 });
    await within(limiter.idle(), 1_000, 'idle() of an unused limiter');
    const a = task();
    const b = task();
    const runs = [limiter.run(a.run), limiter.run(b.run)];
    const idle = watch(limiter.idle());
    a.resolve('a');
    await within(runs[0]!, 5_000, 'run(a) once a has ended');
    await tick();
    expect(idle.settled, 'idle() while a task still waits or runs').toBe(false);
    b.resolve('b');
    await within(runs[1]!, 5_000, 'run(b) once b has ended');
    await within(limiter.idle(), 1_000, 'idle() after the last task');
    await tick();
    expect(idle.settled, 'the idle() promise asked for earlier').toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

const limits = (maxInFlight: number, maxQueue: number, deadlineMs = 30_000): Limiter => createLimiter({ maxInFlight, maxQueue, deadlineMs });

describe('TODO 3: the app serves through the limiter', () => {
  test('lesson 08\'s API, from the worker: health, metadata, infer, predict, errors in both shapes', async () => {
    const worker = await iris();
    const base = await app({ worker, limiter: limits(2, 8) });
    expect([(await call(base, 'GET', '/v2/health/live')).json], 'GET /v2/health/live').toEqual([{ live: true }]);
    const ready = await call(base, 'GET', '/v2/health/ready');
    expect([ready.status, ready.json], 'GET /v2/health/ready').toEqual([200, { ready: true }]);
    const modelReady = await call(base, 'GET', '/v2/models/iris/ready');
    expect([modelReady.status, modelReady.json], 'GET /v2/models/iris/ready').toEqual([200, { name: 'iris', ready: true }]);
    const meta = await call(base, 'GET', '/v2/models/iris');
    expect([meta.status, (meta.json as { inputs?: unknown })?.inputs], 'GET /v2/models/iris: status and inputs').toEqual([200, worker.model.inputs]);
    const inferred = await call(base, 'POST', INFER, rowsRequest([KNOWN[2]![1]]));
    const p = (inferred.json as { outputs?: { data?: number[] }[] })?.outputs?.[0]?.data ?? [];
    expect([inferred.status, p.indexOf(Math.max(...p))], `POST ${INFER} with a virginica: ${inferred.text.slice(0, 200)}`).toEqual([200, 2]);
    const one = await call(base, 'POST', '/predict', flowerOf(KNOWN[0]![1]));
    expect([one.status, (one.json as { label?: string })?.label], `POST /predict with a setosa: ${one.text.slice(0, 200)}`).toEqual([200, 'setosa']);
    const list = await call(base, 'POST', '/predict', KNOWN.map(([, values]) => flowerOf(values)));
    expect((list.json as { label?: string }[]).map?.((entry) => entry.label), `POST /predict with a list of 3: ${list.text.slice(0, 200)}`).toEqual(['setosa', 'versicolor', 'virginica']);
    const invalid = await call(base, 'POST', '/predict', { sepal_length: 5.1 });
    expect([invalid.status, Array.isArray((invalid.json as { detail?: unknown })?.detail)], 'POST /predict with one field: 422 {"detail": [...]}').toEqual([422, true]);
    const wrong = await call(base, 'POST', INFER, { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 5], data: [1, 2, 3, 4, 5] }] });
    expect([wrong.status, typeof (wrong.json as { error?: unknown })?.error], `POST ${INFER} with shape [1, 5]: 400 {"error": "..."}`).toEqual([400, 'string']);
    const unknown = await call(base, 'POST', '/v2/models/nope/infer', rowsRequest([KNOWN[0]![1]]));
    expect([unknown.status, typeof (unknown.json as { error?: unknown })?.error], 'POST /v2/models/nope/infer: 404 {"error": "..."}').toEqual([404, 'string']);
    const nothing = await call(base, 'GET', '/nothing-here');
    expect([nothing.status, nothing.json], 'GET /nothing-here').toEqual([404, { detail: 'Not Found' }]);
  });

  test('live answers at once while the worker computes a heavy batch', async () => {
    const worker = await heavy();
    const base = await app({ worker, limiter: limits(1, 4) });
    await heavyMs(worker); // warm
    const latencies: number[] = [];
    let done = false;
    const started = performance.now();
    const job = later(call(base, 'POST', INFER, batch(256)).finally(() => (done = true)));
    while (!done) {
      const sent = performance.now();
      const live = await call(base, 'GET', '/v2/health/live');
      latencies.push(performance.now() - sent);
      expect(live.status, 'GET /v2/health/live during the batch').toBe(200);
    }
    const took = performance.now() - started;
    const answer = await job;
    expect(answer.status, `the batch of 256 rows: ${answer.text.slice(0, 200)}`).toBe(200);
    const slowest = Math.max(...latencies);
    expect(
      slowest,
      `GET /v2/health/live took up to ${ms(slowest)} while a batch of 256 rows was computed (${ms(took)} in all): the event loop was blocked. Infer through the worker (TODO 1)`,
    ).toBeLessThan(took / 2);
    expect(latencies.length, `live answered ${latencies.length} times during the ${ms(took)} of the batch`).toBeGreaterThanOrEqual(3);
  });

  test('a flood beyond maxInFlight + maxQueue: the rest get 503 with Retry-After at once, nothing else fails, and the server still serves', async () => {
    const worker = await heavy();
    const limiter = limits(1, 2);
    const base = await app({ worker, limiter, retryAfterSeconds: 2 });
    const FLOOD = 12;
    const answers = await Promise.all(Array.from({ length: FLOOD }, () => call(base, 'POST', INFER, batch(64))));
    const statuses = answers.map((answer) => answer.status);
    for (const answer of answers) {
      expect([200, 503], `${FLOOD} requests at once, maxInFlight 1, maxQueue 2: every answer is 200 or 503 (got ${answer.status}: ${answer.text.slice(0, 200)})`).toContain(answer.status);
      if (answer.status === 503) {
        expect(answer.headers.get('retry-after'), 'Retry-After of a 503 (retryAfterSeconds: 2)').toBe('2');
        expect(typeof (answer.json as { error?: unknown })?.error, `the 503's body: ${answer.text}`).toBe('string');
      } else {
        expect((answer.json as { outputs?: { shape?: unknown }[] })?.outputs?.[0]?.shape, 'a 200\'s output shape').toEqual([64, 3]);
      }
    }
    const served = statuses.filter((status) => status === 200).length;
    expect(served, `statuses ${show(statuses)}: at least the 3 that fit (1 running + 2 waiting) are served`).toBeGreaterThanOrEqual(3);
    expect(served, `statuses ${show(statuses)}: ${served} were served; with maxInFlight 1 and maxQueue 2, most of ${FLOOD} sent at once must be refused at once`).toBeLessThanOrEqual(6);
    await within(limiter.idle(), 10_000, 'the limiter empties after the flood');
    const after = await call(base, 'POST', '/predict', flowerOf(KNOWN[0]![1]));
    expect(after.status, `POST /predict after the flood: ${after.text.slice(0, 200)}`).toBe(200);
  });

  test('past the deadline: 504 at the deadline ({"error"} under /v2, {"detail"} on /predict), not when the work ends', async () => {
    const worker = await heavy();
    const took = await heavyMs(worker);
    const deadlineMs = Math.max(30, Math.round(took / 5));
    const limiter = limits(1, 4, deadlineMs);
    const base = await app({ worker, limiter });
    const started = performance.now();
    const [timedOut, predicted] = await Promise.all([
      call(base, 'POST', INFER, batch(256)),
      call(base, 'POST', '/predict', batchOf(256).map(flowerOf)),
    ]);
    const waited = performance.now() - started;
    expect([timedOut.status, typeof (timedOut.json as { error?: unknown })?.error], `POST ${INFER} of 256 rows (${ms(took)} of work) with a deadline of ${deadlineMs} ms: ${timedOut.text.slice(0, 200)}`).toEqual([504, 'string']);
    expect([predicted.status, typeof (predicted.json as { detail?: unknown })?.detail], `POST /predict of 256 flowers, waiting behind it: ${predicted.text.slice(0, 200)}`).toEqual([504, 'string']);
    expect(waited, `both answered after ${ms(waited)}; the work alone takes ${ms(took)}: answer at the deadline`).toBeLessThan(deadlineMs + took * 0.6);
    await within(limiter.idle(), 10_000, 'the limiter after the timed-out work ends');
  });

  test('draining: ready 503, infer and predict 503 with Retry-After, live still 200', async () => {
    const worker = await iris();
    let draining = false;
    const base = await app({ worker, limiter: limits(2, 8), draining: () => draining, retryAfterSeconds: 3 });
    expect((await call(base, 'GET', '/v2/health/ready')).status, 'ready before draining').toBe(200);
    draining = true;
    const ready = await call(base, 'GET', '/v2/health/ready');
    expect([ready.status, ready.json], 'GET /v2/health/ready while draining() is true').toEqual([503, { ready: false }]);
    expect((await call(base, 'GET', '/v2/models/iris/ready')).status, 'GET /v2/models/iris/ready while draining').toBe(503);
    const inferred = await call(base, 'POST', INFER, rowsRequest([KNOWN[0]![1]]));
    expect([inferred.status, inferred.headers.get('retry-after'), typeof (inferred.json as { error?: unknown })?.error], `POST ${INFER} while draining`).toEqual([503, '3', 'string']);
    const predicted = await call(base, 'POST', '/predict', flowerOf(KNOWN[0]![1]));
    expect([predicted.status, predicted.headers.get('retry-after'), typeof (predicted.json as { detail?: unknown })?.detail], 'POST /predict while draining').toEqual([503, '3', 'string']);
    expect((await call(base, 'GET', '/v2/health/live')).status, 'GET /v2/health/live while draining (a restart would only lose work)').toBe(200);
    draining = false;
    expect((await call(base, 'GET', '/v2/health/ready')).status, 'ready once draining() is false again (it is asked on each request)').toBe(200);
  });

  test('a failure that is not the client\'s (the worker fails) → 500 with no details, logged', async () => {
    const worker = await iris();
    const broken: InferenceWorker = { model: worker.model, loadSeconds: worker.loadSeconds, infer: () => Promise.reject(new Error('zz-INTERNAL-detail')), close: async () => {} };
    const base = await app({ worker: broken, limiter: limits(2, 8) });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const inferred = await call(base, 'POST', INFER, rowsRequest([KNOWN[0]![1]]));
      expect([inferred.status, inferred.json], `POST ${INFER} when worker.infer rejects with an Error`).toEqual([500, { error: 'Internal Server Error' }]);
      const predicted = await call(base, 'POST', '/predict', flowerOf(KNOWN[0]![1]));
      expect([predicted.status, predicted.json], 'POST /predict when worker.infer rejects with an Error').toEqual([500, { detail: 'Internal Server Error' }]);
      expect(spy, 'the error is logged with console.error (the given errorHandler does it)').toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

// ---------------------------------------------------------------------------------------------

const isInfer = (route: string | undefined) => route !== undefined && route.endsWith('/infer');
const isPredict = (route: string | undefined) => route !== undefined && route.includes('predict');
const status = (code: number) => (value: string | undefined) => value === String(code);

describe('TODO 4: metrics for Prometheus', () => {
  test('GET /metrics: text/plain in Prometheus\' format, with the five metrics and their types', async () => {
    const worker = await iris();
    const base = await app({ worker, limiter: limits(2, 8), metrics: createMetrics() });
    const answer = await call(base, 'GET', '/metrics');
    expect(answer.status, 'GET /metrics').toBe(200);
    expect(answer.headers.get('content-type') ?? '', 'the Content-Type of /metrics').toMatch(/^text\/plain/);
    const families = await scrape(base);
    const types = Object.fromEntries(['http_requests_total', 'inference_duration_seconds', 'inference_queue_depth', 'inference_in_flight', 'model_load_seconds'].map((name) => [name, families.get(name)?.type]));
    expect(types, 'the metrics and their TYPE lines').toEqual({
      http_requests_total: 'counter',
      inference_duration_seconds: 'histogram',
      inference_queue_depth: 'gauge',
      inference_in_flight: 'gauge',
      model_load_seconds: 'gauge',
    });
    expect(gauge(families, 'model_load_seconds'), 'model_load_seconds: the worker\'s loadSeconds').toBeCloseTo(worker.loadSeconds, 6);
    expect([gauge(families, 'inference_queue_depth'), gauge(families, 'inference_in_flight')], '[queue depth, in flight] of an idle server').toEqual([0, 0]);
  });

  test('the counters move with the requests sent; URLs never become labels', async () => {
    const worker = await iris();
    const base = await app({ worker, limiter: limits(2, 8), metrics: createMetrics() });
    const before = await scrape(base);
    for (const [, values] of KNOWN) expect((await call(base, 'POST', INFER, rowsRequest([values]))).status, 'a good infer').toBe(200);
    for (const [, values] of KNOWN.slice(0, 2)) expect((await call(base, 'POST', '/predict', flowerOf(values))).status, 'a good predict').toBe(200);
    expect((await call(base, 'POST', INFER, { inputs: [] })).status, 'an infer with no inputs').toBe(400);
    expect((await call(base, 'POST', '/v2/models/nope-model-7a1/infer', rowsRequest([KNOWN[0]![1]]))).status, 'an infer for an unknown model').toBe(404);
    expect((await call(base, 'GET', '/nope-path-3f9')).status, 'an unknown path').toBe(404);
    expect((await call(base, 'GET', '/nope-path-8c2/deeper')).status, 'another unknown path').toBe(404);
    const after = await scrape(base);
    const moved = (sample: string, where: Parameters<typeof total>[3]) => total(after, 'http_requests_total', sample, where) - total(before, 'http_requests_total', sample, where);
    expect(moved('http_requests_total', { route: isInfer, status: status(200) }), 'http_requests_total{route=".../infer", status="200"} moved by (3 sent)').toBe(3);
    expect(moved('http_requests_total', { route: isPredict, status: status(200) }), 'http_requests_total{route="...predict", status="200"} moved by (2 sent)').toBe(2);
    expect(moved('http_requests_total', { status: status(400) }), 'http_requests_total{status="400"} moved by (1 sent)').toBe(1);
    expect(moved('http_requests_total', { status: status(404) }), 'http_requests_total{status="404"} moved by (3 sent)').toBe(3);
    const labels = (after.get('http_requests_total')?.samples ?? []).flatMap((sample) => Object.values(sample.labels));
    expect(labels.filter((value) => value.includes('nope-')), 'label values made from URLs (one series per URL someone makes up grows without end): use the matched route\'s pattern').toEqual([]);
    const counted = total(after, 'inference_duration_seconds', 'inference_duration_seconds_count') - total(before, 'inference_duration_seconds', 'inference_duration_seconds_count');
    expect(counted, 'inference_duration_seconds_count moved by (5 inferences answered: 3 infer + 2 predict; the 400 and 404 ran nothing)').toBe(5);
    const summed = total(after, 'inference_duration_seconds', 'inference_duration_seconds_sum') - total(before, 'inference_duration_seconds', 'inference_duration_seconds_sum');
    expect(summed > 0 && summed < 60, `inference_duration_seconds_sum moved by ${summed}: seconds, more than 0`).toBe(true);
  });

  test('while the worker is busy the gauges show it, and a 503 is counted', async () => {
    const worker = await heavy();
    const base = await app({ worker, limiter: limits(1, 1), metrics: createMetrics() });
    const before = await scrape(base);
    const jobs = [later(call(base, 'POST', INFER, batch(192))), later(call(base, 'POST', INFER, batch(192)))];
    const families = await until(async () => {
      const now = await scrape(base);
      return gauge(now, 'inference_in_flight') === 1 && gauge(now, 'inference_queue_depth') === 1 ? now : undefined;
    }, 'inference_in_flight 1 and inference_queue_depth 1 while one request runs and one waits (maxInFlight 1, maxQueue 1)');
    expect(families.size, 'the scrape while busy').toBeGreaterThan(0);
    const refused = await call(base, 'POST', INFER, batch(4));
    expect(refused.status, 'a third request while one runs and one waits').toBe(503);
    expect((await Promise.all(jobs)).map((answer) => answer.status), 'the two accepted requests').toEqual([200, 200]);
    const after = await scrape(base);
    expect([gauge(after, 'inference_in_flight'), gauge(after, 'inference_queue_depth')], '[in flight, queue depth] once both are answered').toEqual([0, 0]);
    const moved = total(after, 'http_requests_total', 'http_requests_total', { route: isInfer, status: status(503) }) - total(before, 'http_requests_total', 'http_requests_total', { route: isInfer, status: status(503) });
    expect(moved, 'http_requests_total{route=".../infer", status="503"} moved by (1 refused)').toBe(1);
    const counted = total(after, 'inference_duration_seconds', 'inference_duration_seconds_count') - total(before, 'inference_duration_seconds', 'inference_duration_seconds_count');
    expect(counted, 'inference_duration_seconds_count moved by (2 answered)').toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

/** Starts a server with the learner's startServer and makes sure it is shut down after the test. */
async function started(options: Parameters<typeof startServer>[0]): Promise<Started> {
  const server = await startServer(options);
  cleanups.push(() => within(server.shutdown(), 20_000, 'shutdown() in the clean-up').catch(() => undefined));
  return server;
}

describe('TODO 5: startServer, and a graceful shutdown()', () => {
  test('listens on host:port with the model loaded; shutdown() frees the port and ends the thread', async () => {
    const before = threads();
    const server = await started({ modelPath: IRIS_MODEL, host: '127.0.0.1', port: 0 });
    const url = new URL(server.url);
    expect(url.hostname, `startServer(...).url = ${server.url}`).toBe('127.0.0.1');
    expect(Number(url.port), `the real port in ${server.url}, not 0`).toBeGreaterThan(0);
    expect([server.address?.address, server.address?.port], 'startServer(...).address').toEqual(['127.0.0.1', Number(url.port)]);
    expect(threads(), 'worker threads while it runs, compared with before').toBe(before + 1);
    expect((await call(server.url, 'GET', '/v2/health/ready')).status, 'ready once startServer has resolved').toBe(200);
    const predicted = await call(server.url, 'POST', '/predict', flowerOf(KNOWN[1]![1]));
    expect((predicted.json as { label?: string })?.label, `POST /predict: ${predicted.text.slice(0, 200)}`).toBe('versicolor');
    expect((await call(server.url, 'GET', '/metrics')).status, 'GET /metrics (startServer gives createApp its metrics)').toBe(200);
    await within(server.shutdown(), 10_000, 'shutdown() of an idle server');
    expect(await canBind(Number(url.port)), `port ${url.port} can be bound again once shutdown() has resolved`).toBe(true);
    await vi.waitFor(() => expect(threads(), 'worker threads once shutdown() has resolved, compared with before the start').toBe(before), { timeout: 1_000 });
    await within(server.shutdown(), 2_000, 'a second shutdown()');
  });

  test('shutdown() with requests in progress: ready 503 at once, new work 503, every accepted request answered, then the port is freed', async () => {
    const before = threads();
    const server = await started({ modelPath: models.heavy, host: '127.0.0.1', port: 0, maxInFlight: 1, maxQueue: 4, shutdownTimeoutMs: 30_000 });
    const jobs = [0, 1, 2].map(() => attempt(server.url, 'POST', INFER, batch(128)));
    await until(async () => ((await accepted(server.url)) === 3 ? true : undefined), 'inference_in_flight + inference_queue_depth = 3 after sending 3 requests');
    const stopping = watch(server.shutdown());
    const ready = await attempt(server.url, 'GET', '/v2/health/ready');
    expect(describeAnswer(ready), 'GET /v2/health/ready right after shutdown() was called, with 3 requests still in progress').toMatch(/^503 /);
    expect((ready as Answer).json, 'its body').toEqual({ ready: false });
    const fresh = await attempt(server.url, 'POST', INFER, batch(4));
    expect(describeAnswer(fresh), `a new POST ${INFER} during the shutdown`).toMatch(/^503 /);
    expect((fresh as Answer).headers.get('retry-after'), 'its Retry-After (DEFAULTS.retryAfterSeconds)').toBe(String(DEFAULTS.retryAfterSeconds));
    const answers = await Promise.all(jobs);
    for (const [index, answer] of answers.entries()) {
      expect(describeAnswer(answer), `request ${index + 1} of 3, accepted before shutdown(): it must still get its answer`).toMatch(/^200 /);
      expect(((answer as Answer).json as { outputs?: { shape?: unknown }[] })?.outputs?.[0]?.shape, `request ${index + 1}'s output`).toEqual([128, 3]);
    }
    await within(
      until(async () => (stopping.settled ? true : undefined), 'shutdown() resolves'),
      20_000,
      'shutdown() once the accepted requests are answered',
    );
    expect(stopping.error, 'shutdown() should resolve').toBeUndefined();
    expect(await canBind(server.address.port), `port ${server.address.port} can be bound again once shutdown() has resolved`).toBe(true);
    await vi.waitFor(() => expect(threads(), 'worker threads once shutdown() has resolved, compared with before the start').toBe(before), { timeout: 1_000 });
  });

  test('shutdown() is bounded by shutdownTimeoutMs: past it, what is left is cut and the thread ends', async () => {
    const before = threads();
    const timeout = 200;
    const server = await started({ modelPath: models.heavy, host: '127.0.0.1', port: 0, maxInFlight: 1, maxQueue: 4, shutdownTimeoutMs: timeout });
    await call(server.url, 'POST', INFER, batch(256)); // warm
    const one = performance.now();
    expect((await call(server.url, 'POST', INFER, batch(256))).status, 'a batch of 256 rows').toBe(200);
    const took = performance.now() - one;
    const jobs = [0, 1, 2, 3, 4].map(() => attempt(server.url, 'POST', INFER, batch(256)));
    await until(async () => ((await accepted(server.url)) === 5 ? true : undefined), 'inference_in_flight + inference_queue_depth = 5 after sending 5 requests');
    const asked = performance.now();
    await within(server.shutdown(), 20_000, `shutdown() with shutdownTimeoutMs ${timeout} and about ${ms(5 * took)} of work left`);
    const waited = performance.now() - asked;
    const work = 5 * took;
    expect(waited, `shutdown() resolved after ${ms(waited)}; the work left takes about ${ms(work)}; shutdownTimeoutMs is ${timeout}: cut what is left`).toBeLessThan(timeout + (work - timeout) / 2);
    expect(await canBind(server.address.port), `port ${server.address.port} can be bound again`).toBe(true);
    await vi.waitFor(() => expect(threads(), 'worker threads once shutdown() has resolved (a busy worker is terminated)').toBe(before), { timeout: 1_000 });
    await Promise.all(jobs); // cut or answered: either is fine here
  });

  test('a model that cannot be loaded: rejects naming the path; nothing listening, no thread left', async () => {
    const before = threads();
    const port = await freePort();
    const error = await startServer({ modelPath: models.missing, host: '127.0.0.1', port }).then(
      async (server) => {
        await server.shutdown();
        return undefined;
      },
      (reason: unknown) => reason,
    );
    expect(error, `startServer({modelPath: ${models.missing}}) should reject`).toBeInstanceOf(Error);
    expect((error as Error).message, 'the message names the model file').toContain(models.missing);
    expect(await canBind(port), `port ${port} is free after the failed start`).toBe(true);
    await vi.waitFor(() => expect(threads(), 'worker threads after the failed start, compared with before').toBe(before), { timeout: 1_000 });
  });
});

// ---------------------------------------------------------------------------------------------

const DEPLOY = path.join(LESSON_DIR, 'deploy');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
const DOCKER_KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

/** A Dockerfile's instructions: comments dropped, continued lines joined; an unknown keyword fails. */
function readDockerfile(file: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const [index, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (/^\s*#/.test(raw) || (raw.trim() === '' && !pending)) continue;
    const text = (pending ? `${pending.text} ` : '') + raw.trim().replace(/\\$/, '');
    const line = pending?.line ?? index + 1;
    if (/\\\s*$/.test(raw)) {
      pending = { text, line };
      continue;
    }
    pending = undefined;
    const [keyword = '', ...rest] = text.split(/\s+/);
    expect(DOCKER_KEYWORDS.has(keyword.toUpperCase()), `${path.relative(ROOT, file)}:${line}: ${keyword} is not a Dockerfile instruction`).toBe(true);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line });
  }
  expect(pending, `${path.relative(ROOT, file)} ends inside a continued line`).toBeUndefined();
  return instructions;
}

/** ENV's pairs, in both spellings (KEY=value ... and KEY value). */
function dockerEnv(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of instructions.filter((entry) => entry.keyword === 'ENV')) {
    if (!args.includes('=')) {
      const [key = '', ...value] = args.split(/\s+/);
      env[key] = value.join(' ');
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[match[1]!] = match[3] ?? match[2]!;
  }
  return env;
}

function readYaml(file: string): Record<string, any>[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    expect(document.errors.map((error) => error.message), `${path.relative(ROOT, file)} parses as YAML`).toEqual([]);
  }
  return list.map((document) => document.toJS() as Record<string, any>).filter(Boolean);
}

interface Child {
  process: ChildProcess;
  started: { url: string; address: { address: string; port: number; family: string } };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; workers: number | null }>;
  output: () => string;
}

/** Runs the exercise's main() in a child process (tests/support/09-child.ts) with this environment. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const exercise = path.join(ROOT, currentTarget(), '09-production', 'exercise.ts');
  const runner = path.join(ROOT, 'tests', 'support', '09-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', runner, exercise], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let workers: number | null = null;
  const reports: Record<string, unknown>[] = [];
  const onReport = (line: string) => {
    if (!line.startsWith(CHILD_REPORT)) return;
    const value = JSON.parse(line.slice(CHILD_REPORT.length)) as Record<string, unknown>;
    reports.push(value);
    if (value.exit) workers = (value.exit as { workers: number | null }).workers;
  };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(onReport);
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; workers: number | null }>((resolve) =>
    child.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal, workers }))),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const tail = () => output.trim().split('\n').slice(-8).join('\n');
  const first = await within(
    new Promise<Record<string, unknown>>((resolve) => {
      const look = () => {
        const found = reports.find((report) => report.started || report.failed);
        if (found) resolve(found);
      };
      child.stdout.on('data', look);
      void exited.then(() => resolve(reports.find((report) => report.started || report.failed) ?? { failed: `the process exited before main() resolved:\n${tail()}` }));
    }),
    30_000,
    'main() in a child process',
  );
  if (first.failed) expect.fail(`main() did not start the server: ${String(first.failed)}`);
  return { process: child, started: first.started as Child['started'], exited, output: () => output };
}

/** The exit of a child within `timeoutMs`, or a failure that says what it printed. */
async function exitOf(child: Child, timeoutMs: number, what: string) {
  try {
    return await within(child.exited, timeoutMs, what);
  } catch (error) {
    return expect.fail(`${(error as Error).message}. Its output ended with:\n${child.output().trim().split('\n').slice(-6).join('\n')}`);
  }
}

describe('TODO 6: the process, as a container runs it (deploy/)', () => {
  const dockerfile = path.join(DEPLOY, 'Dockerfile');
  const kubernetes = path.join(DEPLOY, 'kubernetes.yaml');
  const kserve = path.join(DEPLOY, 'kserve.yaml');
  const container = () => dockerEnv(readDockerfile(dockerfile));

  // One child runs main() with the Dockerfile's environment (a free port instead of its PORT, the
  // heavy model, small limits) for the deploy checks; the SIGTERM test then stops it.
  let child: Child | undefined;
  let childFailure: unknown;
  const running = (): Child => {
    if (!child) throw childFailure;
    return child;
  };
  const base = () => `http://127.0.0.1:${running().started.address?.port}`;
  beforeAll(async () => {
    try {
      child = await startChild({ ...container(), PORT: '0', MODEL_PATH: models.heavy, MAX_IN_FLIGHT: '1', MAX_QUEUE: '4', DEADLINE_MS: '60000', SHUTDOWN_TIMEOUT_MS: '30000' });
      cleanups.splice(0); // kept until the end of the group, not of the hook
    } catch (error) {
      childFailure = error;
    }
  });
  afterAll(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child?.exited;
  });

  test('deploy/Dockerfile: not root, HOST=0.0.0.0 and the server binds it, EXPOSE = PORT ≥ 1024, a HEALTHCHECK that answers, node as the command', async () => {
    const instructions = readDockerfile(dockerfile);
    expect(instructions.find((entry) => entry.keyword !== 'ARG')?.keyword, 'the first instruction (after ARGs)').toBe('FROM');
    const user = instructions.filter((entry) => entry.keyword === 'USER').at(-1)?.args.trim();
    expect(user, 'the last USER: the process must not run as root').toBeDefined();
    expect(['root', '0', '0:0', 'root:root'], `USER ${user}`).not.toContain(user);
    const env = dockerEnv(instructions);
    expect(env.HOST, 'ENV HOST: inside a container 127.0.0.1 is the container\'s own loopback, which port publishing cannot reach').toBe('0.0.0.0');
    const port = Number(env.PORT);
    expect(Number.isInteger(port) && port >= 1024, `ENV PORT=${env.PORT}: a user that is not root can bind it (1024 or more)`).toBe(true);
    const exposed = instructions.filter((entry) => entry.keyword === 'EXPOSE').flatMap((entry) => entry.args.split(/\s+/)).map((value) => Number(value.replace(/\/tcp$/, '')));
    expect(exposed, 'EXPOSE names the PORT the server listens on').toContain(port);
    expect(running().started.address?.address, `main() with the Dockerfile's environment (HOST=${env.HOST}) bound the server to`).toBe('0.0.0.0');
    const health = instructions.find((entry) => entry.keyword === 'HEALTHCHECK')?.args ?? '';
    const healthPath = /\/v2\/[\w/-]+/.exec(health)?.[0];
    expect(healthPath, 'the HEALTHCHECK asks a /v2/... path').toBeDefined();
    expect((await call(base(), 'GET', healthPath!)).status, `GET ${healthPath} (the HEALTHCHECK's path) on main()'s server`).toBe(200);
    const cmd = instructions.filter((entry) => entry.keyword === 'CMD').at(-1)?.args ?? '';
    const argv = (() => {
      try {
        return JSON.parse(cmd) as string[];
      } catch {
        return undefined;
      }
    })();
    expect(argv, `CMD ${cmd}: the exec form (a JSON array), so that node is PID 1 and gets the signals`).toBeInstanceOf(Array);
    expect(argv?.[0], 'the program CMD starts').toBe('node');
    const file = argv?.find((arg) => arg.endsWith('.ts'));
    expect(file, 'the file CMD runs').toBe('lessons/09-production/exercise.ts');
    expect(existsSync(path.join(ROOT, file!)), `${file} exists`).toBe(true);
    const stop = instructions.find((entry) => entry.keyword === 'STOPSIGNAL')?.args.trim() ?? 'SIGTERM';
    expect(['SIGTERM', 'SIGINT'], 'STOPSIGNAL: a signal main() handles').toContain(stop);
  });

  test('deploy/kubernetes.yaml: a Deployment and a Service that fit the app — probes, port, replicas, limits, not root, time to drain', async () => {
    const documents = readYaml(kubernetes);
    const deployment = documents.find((document) => document.kind === 'Deployment');
    const service = documents.find((document) => document.kind === 'Service');
    expect([deployment?.apiVersion, service?.apiVersion], 'a Deployment (apps/v1) and a Service (v1)').toEqual(['apps/v1', 'v1']);
    expect(deployment!.spec.replicas, 'replicas: more than one, so that one can restart while another serves').toBeGreaterThanOrEqual(2);
    const pod = deployment!.spec.template;
    const labels: Record<string, string> = pod.metadata.labels ?? {};
    expect(labels, 'the pods\' labels include the Deployment\'s selector').toMatchObject(deployment!.spec.selector.matchLabels);
    expect(labels, 'the pods\' labels include the Service\'s selector').toMatchObject(service!.spec.selector);
    const [server] = pod.spec.containers as Record<string, any>[];
    const port = Number(container().PORT);
    const ports = (server!.ports ?? []) as { name?: string; containerPort: number }[];
    const named = ports.find((entry) => entry.containerPort === port);
    expect(named, `a containerPort equal to the Dockerfile's PORT (${port})`).toBeDefined();
    const refers = (value: unknown) => value === port || (named?.name !== undefined && value === named.name);
    const env = Object.fromEntries(((server!.env ?? []) as { name: string; value?: string }[]).map((entry) => [entry.name, entry.value]));
    if (env.HOST !== undefined) expect(env.HOST, 'the container\'s HOST').toBe('0.0.0.0');
    if (env.PORT !== undefined) expect(Number(env.PORT), 'the container\'s PORT').toBe(port);
    const live = server!.livenessProbe?.httpGet;
    const ready = server!.readinessProbe?.httpGet;
    expect(refers(live?.port) && refers(ready?.port), `the probes' ports (${show(live?.port)}, ${show(ready?.port)}) name the container's port`).toBe(true);
    expect(live?.path, 'liveness and readiness are different questions (a draining pod is alive, not ready)').not.toBe(ready?.path);
    const liveAnswer = await call(base(), 'GET', live?.path);
    expect(liveAnswer.status, `GET ${live?.path} (livenessProbe) on main()'s server`).toBe(200);
    const readyAnswer = await call(base(), 'GET', ready?.path);
    expect(readyAnswer.status, `GET ${ready?.path} (readinessProbe) on main()'s server`).toBe(200);
    const limits = server!.resources?.limits ?? {};
    expect([limits.cpu !== undefined, limits.memory !== undefined, server!.resources?.requests !== undefined], 'resources: limits.cpu, limits.memory, requests').toEqual([true, true, true]);
    const nonRoot = server!.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
    expect(nonRoot, 'securityContext.runAsNonRoot').toBe(true);
    const grace = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const drain = Number(env.SHUTDOWN_TIMEOUT_MS ?? DEFAULTS.shutdownTimeoutMs);
    expect(grace, `terminationGracePeriodSeconds (${grace / 1000} s) must leave the server its own graceful stop (${drain} ms) before SIGKILL`).toBeGreaterThan(drain);
    expect((service!.spec.ports as { targetPort: unknown }[]).every((entry) => refers(entry.targetPort)), 'the Service\'s targetPort names the container\'s port').toBe(true);
    const scrapePath = pod.metadata.annotations?.['prometheus.io/path'];
    if (scrapePath !== undefined) {
      const metrics = await call(base(), 'GET', scrapePath);
      expect([metrics.status, metrics.headers.get('content-type')?.startsWith('text/plain')], `GET ${scrapePath} (the prometheus.io/path annotation) on main()'s server`).toEqual([200, true]);
    }
  });

  test('deploy/kserve.yaml: the same model file and the same protocol on KServe — clients do not change', async () => {
    const [service] = readYaml(kserve);
    expect([service?.apiVersion, service?.kind], 'apiVersion and kind').toEqual(['serving.kserve.io/v1beta1', 'InferenceService']);
    const model = service!.spec.predictor.model;
    expect([model.modelFormat?.name, model.protocolVersion], 'modelFormat.name and protocolVersion').toEqual(['onnx', 'v2']);
    expect(model.storageUri, 'storageUri: where KServe fetches model.onnx from').toMatch(/^[a-z][a-z0-9+.-]*:\/\/\S+/);
    const name = service!.metadata.name as string;
    expect(name, 'the InferenceService\'s name is the model\'s name in /v2/models/<name>/...').toBe(MODEL_NAME);
    expect((await call(base(), 'GET', `/v2/models/${name}/ready`)).status, `GET /v2/models/${name}/ready on main()'s server`).toBe(200);
    const answer = await call(base(), 'POST', `/v2/models/${name}/infer`, rowsRequest([KNOWN[0]![1]]));
    expect([answer.status, (answer.json as { outputs?: { shape?: unknown }[] })?.outputs?.[0]?.shape], `POST /v2/models/${name}/infer on main()'s server: the request a KServe client sends`).toEqual([200, [1, 3]]);
    const here = readFileSync(IRIS_MODEL);
    const lesson08 = path.join(ROOT, 'lessons', '08-serve-model', 'model.onnx');
    if (existsSync(lesson08)) expect(here.equals(readFileSync(lesson08)), `${path.relative(ROOT, IRIS_MODEL)} is lesson 08's model.onnx, byte for byte`).toBe(true);
  });

  test('SIGTERM (docker stop, a deleted pod) with requests in progress: ready 503 at once, every accepted request answered, exit 0, port freed, no thread left', async () => {
    const proc = running();
    const readyPath = (readYaml(kubernetes).find((document) => document.kind === 'Deployment')?.spec.template.spec.containers[0].readinessProbe?.httpGet?.path as string | undefined) ?? '/v2/health/ready';
    const jobs = [0, 1, 2].map(() => attempt(base(), 'POST', INFER, batch(128)));
    const states = jobs.map(watch);
    await until(async () => ((await accepted(base())) === 3 ? true : undefined), 'inference_in_flight + inference_queue_depth = 3 after sending 3 requests');
    proc.process.kill('SIGTERM');
    const turned = await until(async () => {
      const answer = await attempt(base(), 'GET', readyPath);
      if ('status' in answer && answer.status === 503) return answer;
      if (states.every((state) => state.settled)) return answer;
      if ('failed' in answer) return answer;
      return undefined;
    }, `GET ${readyPath} turns 503 after SIGTERM`);
    expect(describeAnswer(turned), `GET ${readyPath} (the readinessProbe) after SIGTERM, while the 3 requests are still in progress: keep listening, answer 503`).toMatch(/^503 /);
    const live = await attempt(base(), 'GET', '/v2/health/live');
    expect(describeAnswer(live), 'GET /v2/health/live while draining (liveness must not fail: a restart would lose the work)').toMatch(/^200 /);
    const answers = await Promise.all(jobs);
    for (const [index, answer] of answers.entries()) {
      expect(describeAnswer(answer), `request ${index + 1} of 3, accepted before SIGTERM: it must get its answer`).toMatch(/^200 /);
    }
    const exit = await exitOf(proc, 20_000, 'the process after SIGTERM and the last answer');
    expect([exit.code, exit.signal], 'exit code and signal after a graceful stop').toEqual([0, null]);
    expect(exit.workers, 'worker threads still running when the process exited (close the worker before exiting)').toBe(0);
    expect(await canBind(proc.started.address.port), `port ${proc.started.address.port} is free after the exit`).toBe(true);
  });

  test('Ctrl-C (SIGINT) starts the same graceful stop; a second signal exits at once', async () => {
    const proc = await startChild({ HOST: '127.0.0.1', PORT: '0', MODEL_PATH: models.heavy, MAX_IN_FLIGHT: '1', MAX_QUEUE: '4', DEADLINE_MS: '60000', SHUTDOWN_TIMEOUT_MS: '30000' });
    const url = `http://127.0.0.1:${proc.started.address?.port}`;
    const jobs = [0, 1, 2, 3].map(() => attempt(url, 'POST', INFER, batch(256)));
    const states = jobs.map(watch);
    await until(async () => ((await accepted(url)) === 4 ? true : undefined), 'inference_in_flight + inference_queue_depth = 4 after sending 4 requests');
    proc.process.kill('SIGINT');
    const turned = await until(async () => {
      const answer = await attempt(url, 'GET', '/v2/health/ready');
      return ('status' in answer && answer.status === 503) || 'failed' in answer || states.every((state) => state.settled) ? answer : undefined;
    }, 'GET /v2/health/ready turns 503 after SIGINT');
    expect(describeAnswer(turned), 'GET /v2/health/ready after Ctrl-C (SIGINT), requests still in progress: the same graceful stop as SIGTERM').toMatch(/^503 /);
    const second = performance.now();
    proc.process.kill('SIGINT');
    const exit = await exitOf(proc, 5_000, 'the process after a second SIGINT');
    const took = performance.now() - second;
    expect(
      exit.code === 0 && exit.signal === null,
      `after a second SIGINT the process exited with code 0 after ${ms(took)}: a second signal must exit at once (code 1), not wait for the work to finish`,
    ).toBe(false);
    const answers = await Promise.all(jobs);
    expect(answers.some((answer) => 'failed' in answer), `a second signal exits at once (it took ${ms(took)}), without waiting for the requests: ${answers.map(describeAnswer).join('; ').slice(0, 300)}`).toBe(true);
    expect(await canBind(proc.started.address.port), `port ${proc.started.address.port} is free after the exit`).toBe(true);
  });
});
