/**
 * Lesson 09 — run it like production: the annotated solution.
 * The comments say why each piece is written the way it is. The given parts are the exercise's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData, type WorkerOptions } from 'node:worker_threads';
import express from 'express';
import * as ort from 'onnxruntime-web';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Given (no change needed): names, limits, defaults, the shapes you pass around
// ---------------------------------------------------------------------------------------------

/** The name the model is served under, whatever file it came from. */
export const MODEL_NAME = 'iris';
/** The classes, in the order of the model's probabilities. */
export const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
/** The features, in the order of the model's input columns. */
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
/** The most rows one request may carry. */
export const MAX_BATCH = 256;

/** The lesson's model.onnx (the same relative path works from lessons/ and from solutions/). */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../lessons/09-production/model.onnx', import.meta.url));

/** What startServer uses for an option it is not given (and optionsFromEnv for a variable that is unset). */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8000,
  /** Jobs handed to the worker at once: 2 keeps it busy while the next answer travels back. */
  maxInFlight: 2,
  /** Jobs waiting for a slot; one more is refused with 503. */
  maxQueue: 32,
  /** From arrival to answer; past it the client gets 504. */
  deadlineMs: 10_000,
  /** What a 503 tells the client to wait before trying again. */
  retryAfterSeconds: 1,
  /** How long a graceful shutdown may take before what is left is cut (Docker waits 10 s). */
  shutdownTimeoutMs: 8_000,
} as const;

/** One input or output as the protocol describes it: {"name": "features", "datatype": "FP32", "shape": [-1, 4]}. */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** What the main thread knows about the model the worker loaded. */
export interface ModelInfo {
  /** The first 12 hex digits of the SHA-256 of the model file's bytes. */
  version: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/** An inference answer, as the protocol writes it. */
export interface InferenceResponse {
  model_name: string;
  id?: string;
  outputs: { name: string; datatype: string; shape: number[]; data: (number | boolean)[] }[];
}

/**
 * One job for the worker: the checked input tensors and the outputs wanted. Everything in it can
 * cross to a worker thread (postMessage copies it; the Float32Arrays' buffers can be transferred).
 */
export interface Job {
  id?: string;
  feeds: Record<string, { data: Float32Array; dims: number[] }>;
  outputs: string[];
}

/** What the worker sends back for a job: each output's values and dimensions, by name. */
export type JobResult = Record<string, { data: ArrayLike<number | bigint | boolean>; dims: number[] }>;

/** The client's mistake (status 400): the request does not fit the model. The message says what. */
export class InferenceError extends Error {
  override name = 'InferenceError';
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/** The limiter is full: every slot busy and the queue at its limit (answer 503 with Retry-After). */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** The deadline passed before the job's answer came (answer 504). */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** The model running in the worker thread, as the main thread sees it. */
export interface InferenceWorker {
  /** The model the thread loaded: version, inputs, outputs. */
  readonly model: ModelInfo;
  /** Seconds from starting the thread to the model being ready. */
  readonly loadSeconds: number;
  /** Runs one Open Inference Protocol request; see startInferenceWorker. */
  infer(body: unknown): Promise<InferenceResponse>;
  /** Ends the thread; see startInferenceWorker. */
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

/** Bounded concurrency with a bounded queue and a deadline; see createLimiter. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly inFlight: number;
  /** Tasks waiting for a slot now. */
  readonly queued: number;
  /** Resolves once nothing runs and nothing waits (at once if that is already so). */
  idle(): Promise<void>;
}

/** The service's metrics, in a registry of their own; see createMetrics. */
export interface Metrics {
  registry: Registry;
  /** http_requests_total{method, route, status} */
  requests: Counter<'method' | 'route' | 'status'>;
  /** inference_duration_seconds */
  inferenceSeconds: Histogram;
  /** inference_queue_depth */
  queueDepth: Gauge;
  /** inference_in_flight */
  inFlight: Gauge;
  /** model_load_seconds */
  modelLoadSeconds: Gauge;
}

/** What createApp serves with. */
export interface AppParts {
  worker: InferenceWorker;
  limiter: Limiter;
  /** When given, the app counts its requests and serves GET /metrics (TODO 4). */
  metrics?: Metrics;
  /** True once shutdown has begun. Default: never. */
  draining?: () => boolean;
  /** Default DEFAULTS.retryAfterSeconds. */
  retryAfterSeconds?: number;
}

/** The options of startServer (the defaults are DEFAULTS). */
export interface ServerOptions {
  modelPath: string;
  host?: string;
  port?: number;
  maxInFlight?: number;
  maxQueue?: number;
  deadlineMs?: number;
  retryAfterSeconds?: number;
  shutdownTimeoutMs?: number;
}

/** A running server. */
export interface Started {
  /** e.g. http://127.0.0.1:8000 (the real port, never 0) */
  url: string;
  /** What the server is bound to: server.address(). */
  address: AddressInfo;
  /** The graceful stop; see startServer. */
  shutdown(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Given: lesson 08's model code, split between the two threads
// ---------------------------------------------------------------------------------------------

// onnxruntime's element types → the protocol's datatype names (a Map: "constructor" finds nothing).
const DATATYPES = new Map<string, string>([
  ['bool', 'BOOL'], ['uint8', 'UINT8'], ['int8', 'INT8'], ['int16', 'INT16'], ['int32', 'INT32'],
  ['int64', 'INT64'], ['float16', 'FP16'], ['float32', 'FP32'], ['float64', 'FP64'], ['string', 'BYTES'],
]);

/** A model loaded in the thread that will run it. */
export interface LoadedModel {
  info: ModelInfo;
  session: ort.InferenceSession;
}

/**
 * Given (worker side): loads an ONNX file, describes it in the protocol's words, and runs it once.
 * @throws an Error naming `file` when it is missing, is not a model, or has an input that is not FP32
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`Cannot read the model file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw new Error(`${file} is not a model onnxruntime can load: ${(error as Error).message.split('\n')[0]}`);
  }
  const describe = (values: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] =>
    values.map((value) => {
      const datatype = value.isTensor ? DATATYPES.get(value.type) : undefined;
      if (!value.isTensor || !datatype) throw new Error(`${file}: "${value.name}" is not a tensor of a supported type`);
      return { name: value.name, datatype, shape: value.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) };
    });
  try {
    const inputs = describe(session.inputMetadata);
    const outputs = describe(session.outputMetadata);
    const other = inputs.find((input) => input.datatype !== 'FP32');
    if (other) throw new Error(`${file}: input "${other.name}" is ${other.datatype}; this server feeds FP32 only`);
    // Warm-up (Triton calls it model_warmup): the first run of a session is many times slower
    // than the next ones. One row of zeros now, so that no client's request pays for it.
    const zeros = Object.fromEntries(
      inputs.map(({ name, shape }) => {
        const dims = shape.map((dim) => (dim < 0 ? 1 : dim));
        return [name, new ort.Tensor('float32', new Float32Array(dims.reduce((product, dim) => product * dim, 1)), dims)];
      }),
    );
    await session.run(zeros);
    const version = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    return { info: { version, inputs, outputs }, session };
  } catch (error) {
    await session.release();
    const message = (error as Error).message.split('\n')[0]!;
    throw new Error(message.includes(file) ? message : `${file} cannot run: ${message}`);
  }
}

/** Given (worker side): runs one job on the session; the result can be posted back as it is. */
export async function runJob(session: ort.InferenceSession, job: Job): Promise<JobResult> {
  const feeds = Object.fromEntries(Object.entries(job.feeds).map(([name, { data, dims }]) => [name, new ort.Tensor('float32', data, dims)]));
  const results = await session.run(feeds, job.outputs);
  return Object.fromEntries(job.outputs.map((name) => [name, { data: results[name]!.data as JobResult[string]['data'], dims: [...results[name]!.dims] }]));
}

const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** The Open Inference Protocol's inference request. `data` is only checked as an array here: prepareRequest looks inside, without recursion. */
export const InferenceRequestSchema = z.object({
  id: z.string().optional(),
  parameters: Parameters.optional(),
  inputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), datatype: z.string(), parameters: Parameters.optional(), data: z.array(z.unknown()) })),
  outputs: z.array(z.object({ name: z.string(), parameters: Parameters.optional() })).optional(),
});
export type InferenceRequest = z.infer<typeof InferenceRequestSchema>;

const bad = (message: string) => new InferenceError(message);

/** Flattens nested data row-major, no deeper than `depth` levels, with a stack of its own (deep garbage cannot overflow the call stack). */
function flatten(data: unknown[], depth: number, name: string): unknown[] {
  const out: unknown[] = [];
  const stack = [{ items: data, index: 0, level: 1 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.index++];
    if (!Array.isArray(item)) out.push(item);
    else if (top.level >= depth) throw bad(`input "${name}": data is nested deeper than its shape`);
    else stack.push({ items: item, index: 0, level: top.level + 1 });
  }
  return out;
}

/**
 * Given (main side): checks an inference request against the model (lesson 08's checks) and turns
 * it into a Job. Cheap: at most MAX_BATCH rows, so it runs on the main thread.
 * @throws InferenceError (400) for a request that does not fit, never quoting the client's values
 */
export function prepareRequest(model: ModelInfo, body: unknown): Job {
  const parsed = InferenceRequestSchema.safeParse(body);
  if (!parsed.success) throw bad(`the request does not follow the inference request schema (at ${String(parsed.error.issues[0]?.path[0] ?? 'the body')})`);
  const request = parsed.data;
  const feeds: Job['feeds'] = {};
  for (const input of request.inputs) {
    const meta = model.inputs.find((entry) => entry.name === input.name);
    if (!meta) throw bad(`unknown input name: the model's inputs are ${model.inputs.map((entry) => entry.name).join(', ')}`);
    if (Object.hasOwn(feeds, meta.name)) throw bad(`input "${meta.name}" is given twice`);
    if (input.datatype !== meta.datatype) throw bad(`input "${meta.name}": datatype must be ${meta.datatype}`);
    const { shape } = input;
    const fits = shape.length === meta.shape.length && shape.every((dim, index) => dim >= 1 && (meta.shape[index] === -1 || dim === meta.shape[index]));
    if (!fits || (meta.shape[0] === -1 && shape[0]! > MAX_BATCH)) {
      throw bad(`input "${meta.name}": shape must fit ${JSON.stringify(meta.shape)}, with 1 to ${MAX_BATCH} rows`);
    }
    const size = shape.reduce((product, dim) => product * dim, 1);
    const values = flatten(input.data, shape.length, meta.name);
    if (values.length !== size) throw bad(`input "${meta.name}": shape ${JSON.stringify(shape)} needs ${size} values, got ${values.length}`);
    const data = new Float32Array(size);
    for (const [index, value] of values.entries()) {
      if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) throw bad(`input "${meta.name}": value ${index} is not an FP32 number`);
      data[index] = value;
    }
    feeds[meta.name] = { data, dims: [...shape] };
  }
  for (const meta of model.inputs) if (!Object.hasOwn(feeds, meta.name)) throw bad(`input "${meta.name}" is missing`);
  const outputs = request.outputs?.map((output) => output.name) ?? model.outputs.map((output) => output.name);
  for (const name of outputs) {
    if (!model.outputs.some((output) => output.name === name)) throw bad(`unknown output name: the model's outputs are ${model.outputs.map((output) => output.name).join(', ')}`);
  }
  return { ...(request.id === undefined ? {} : { id: request.id }), feeds, outputs };
}

/** Given (main side): the protocol's answer to a job, from what the worker sent back. */
export function shapeResponse(model: ModelInfo, job: Job, result: JobResult): InferenceResponse {
  return {
    model_name: MODEL_NAME,
    ...(job.id === undefined ? {} : { id: job.id }),
    outputs: job.outputs.map((name) => {
      const { data, dims } = result[name]!;
      const datatype = model.outputs.find((output) => output.name === name)!.datatype;
      // An int64 output arrives as BigInts, which JSON cannot carry.
      const values = Array.from(data, (value) => (typeof value === 'bigint' ? Number(value) : value));
      return { name, datatype, shape: [...dims], data: values };
    }),
  };
}

/** Given: GET /v2/models/iris's answer. */
export function modelMetadata(model: ModelInfo) {
  return { name: MODEL_NAME, platform: 'onnx_onnxv1', inputs: model.inputs, outputs: model.outputs };
}

// ---- Given: /predict, lesson 08's friendly endpoint, on top of the protocol

const Centimetres = z.number().refine((value) => Number.isFinite(Math.fround(value)), { message: 'must fit a 32-bit float' });
export const FlowerSchema = z.object({ sepal_length: Centimetres, sepal_width: Centimetres, petal_length: Centimetres, petal_width: Centimetres });
export const FlowerListSchema = z.array(FlowerSchema).min(1).max(MAX_BATCH);
export type Flower = z.infer<typeof FlowerSchema>;

/** One prediction of /predict. */
export interface Prediction {
  label: (typeof CLASSES)[number];
  probabilities: Record<(typeof CLASSES)[number], number>;
  model_version: string;
}

/** FastAPI's 422 entries. */
export type ValidationDetail = { loc: (string | number)[]; msg: string; type: string }[];

/**
 * Given: reads a /predict body (one flower or a list). Either the protocol request that classifies
 * them (for worker.infer) and whether a list came, or FastAPI's 422 detail.
 */
export function readFlowers(model: ModelInfo, body: unknown): { request: InferenceRequest; many: boolean } | { detail: ValidationDetail } {
  const many = Array.isArray(body);
  const parsed = many ? FlowerListSchema.safeParse(body) : FlowerSchema.safeParse(body);
  if (!parsed.success) {
    return {
      detail: parsed.error.issues.map((issue) => {
        const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
        let value: unknown = body;
        for (const key of path) value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
        return { loc: ['body', ...path], msg: issue.message, type: issue.code === 'invalid_type' && value === undefined ? 'missing' : issue.code };
      }),
    };
  }
  const flowers = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const input = model.inputs[0]!;
  const output = model.outputs.find((entry) => entry.datatype === 'FP32') ?? model.outputs[0]!;
  return {
    many,
    request: {
      inputs: [{ name: input.name, datatype: 'FP32', shape: [flowers.length, FEATURES.length], data: flowers.map((flower) => FEATURES.map((key) => flower[key])) }],
      outputs: [{ name: output.name }],
    },
  };
}

/** Given: the predictions in worker.infer's answer to readFlowers' request, one per flower. */
export function toPredictions(model: ModelInfo, response: InferenceResponse): Prediction[] {
  const data = response.outputs[0]!.data as number[];
  const rows = data.length / CLASSES.length;
  return Array.from({ length: rows }, (_, row) => {
    const p = data.slice(row * CLASSES.length, (row + 1) * CLASSES.length);
    return {
      label: CLASSES[p.indexOf(Math.max(...p))]!,
      probabilities: { setosa: p[0]!, versicolor: p[1]!, virginica: p[2]! },
      model_version: model.version,
    };
  });
}

// ---- Given: the one error policy (lesson 04), by path: {"error"} under /v2, {"detail"} elsewhere

// baseUrl + path: inside a Router mounted at /v2, req.path alone would be /models/iris/infer.
const isProtocol = (req: express.Request) => /^\/v2(\/|$)/.test(req.baseUrl + req.path);

/** Given: answers an error in the shape its path calls for. */
export function fail(req: express.Request, res: express.Response, status: number, message: string): void {
  res.status(status).json(isProtocol(req) ? { error: message } : { detail: message });
}

/** Given: 415 for a body that is not JSON, then express.json (under /v2 an untyped body is JSON: tritonclient sends it so). */
export function jsonBody(): express.RequestHandler[] {
  const untypedProtocol = (req: http.IncomingMessage) => req.headers['content-type'] === undefined && /^\/v2(\/|$|\?)/.test(req.url ?? '');
  return [
    (req, res, next) => {
      if (req.is('application/json') === false && !untypedProtocol(req)) return void fail(req, res, 415, 'Send the body as JSON, with Content-Type: application/json');
      next();
    },
    express.json({ limit: '1mb', type: (req) => untypedProtocol(req) || Boolean((req as express.Request).is('application/json')) }),
  ];
}

/** Given: 404 in the path's shape. Mount after the routes. */
export const notFound: express.RequestHandler = (req, res) => fail(req, res, 404, 'Not Found');

/** Given: the error handler: a body-parser 4xx in our own words, anything else a logged 500. Mount last. */
export const errorHandler: express.ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return void next(error);
  // The connection is gone (a shutdown past its bound cut it): nobody is left to answer.
  if (req.socket.destroyed) return;
  const status = (error as { status?: unknown }).status;
  if (Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500) {
    const type = (error as { type?: unknown }).type;
    const message =
      type === 'entity.parse.failed' ? 'The body is not valid JSON' :
      type === 'entity.too.large' ? 'The body is larger than this server accepts' :
      http.STATUS_CODES[status as number] ?? 'Bad Request';
    return void fail(req, res, status as number, message);
  }
  console.error(error);
  fail(req, res, 500, 'Internal Server Error');
};

// ---- Given: plumbing

/** What marks a thread started by startInferenceWorker (its workerData.role). */
export const WORKER_ROLE = 'lesson-09-inference';

/**
 * Given: starts a worker thread on a TypeScript file (this workbook runs .ts through tsx, whose
 * loader does not reach a new thread by itself: the thread registers it first, then imports
 * `file`). A compiled service would write `new Worker(new URL('./worker.js', import.meta.url))`.
 */
export function startWorkerThread(file: URL, options: WorkerOptions = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** Given: reads startServer's options from the environment (lesson 06's rules: blank is unset, digits only). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const whole = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const options: ServerOptions = { modelPath: env.MODEL_PATH?.trim() || DEFAULT_MODEL_PATH, host: env.HOST?.trim() || DEFAULTS.host };
  const numbers = {
    port: whole('PORT', 0, 65535),
    maxInFlight: whole('MAX_IN_FLIGHT', 1, 1_000),
    maxQueue: whole('MAX_QUEUE', 0, 100_000),
    deadlineMs: whole('DEADLINE_MS', 1, 3_600_000),
    shutdownTimeoutMs: whole('SHUTDOWN_TIMEOUT_MS', 1, 3_600_000),
  };
  for (const [key, value] of Object.entries(numbers)) if (value !== undefined) Object.assign(options, { [key]: value });
  return options;
}

// ---------------------------------------------------------------------------------------------
// TODO 1: the model runs in a worker thread
// ---------------------------------------------------------------------------------------------

// The messages between the two threads. Plain objects: postMessage copies them (the structured
// clone algorithm), so a class instance arrives as a plain object and an Error loses its class.
type ToWorker = { type: 'run'; id: number; job: Job } | { type: 'close' };
type FromWorker =
  | { type: 'ready'; model: ModelInfo }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; result: JobResult }
  | { type: 'error'; id: number; message: string };

export async function workerMain(modelPath: string): Promise<void> {
  const port = parentPort!;
  let model: LoadedModel;
  try {
    // The session lives here, in this thread, for the thread's whole life: loaded once.
    model = await loadModel(modelPath);
  } catch (error) {
    // Say why, then return: with nothing left to do (no listener on the port) the thread ends.
    port.postMessage({ type: 'failed', message: (error as Error).message } satisfies FromWorker);
    return;
  }
  port.postMessage({ type: 'ready', model: model.info } satisfies FromWorker);
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      // Release the session, then close the port: nothing keeps the thread alive, it exits with 0.
      await model.session.release();
      port.close();
      return;
    }
    try {
      // session.run computes right here, blocking this thread's event loop, not the server's.
      port.postMessage({ type: 'done', id: message.id, result: await runJob(model.session, message.job) } satisfies FromWorker);
    } catch (error) {
      // Only the message crosses: the main thread decides what it means (a 500: prepareRequest
      // already refused everything that is the client's fault).
      port.postMessage({ type: 'error', id: message.id, message: (error as Error).message } satisfies FromWorker);
    }
  });
}

export async function startInferenceWorker(modelPath: string): Promise<InferenceWorker> {
  const started = performance.now();
  const thread = startWorkerThread(new URL(import.meta.url), { workerData: { role: WORKER_ROLE, modelPath } });
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));

  // Wait for the first word from the thread: ready, failed, or dead before either.
  const first = await new Promise<FromWorker | Error>((resolve) => {
    thread.once('message', resolve);
    thread.once('error', resolve);
    void exited.then((code) => resolve(new Error(`the inference worker for ${modelPath} exited (code ${code}) before the model was loaded`)));
  });
  if (first instanceof Error || first.type !== 'ready') {
    // The thread ends by itself after 'failed'; an 'error' has ended it already. Either way,
    // wait, so that nothing of this attempt is left running when the caller hears of it.
    await Promise.race([exited, thread.terminate()]);
    throw first instanceof Error ? first : new Error(first.type === 'failed' ? first.message : `unexpected first message from the worker for ${modelPath}`);
  }
  const model = first.model;
  const loadSeconds = (performance.now() - started) / 1000;

  // Answers come back in any order the thread likes: each job has an id, each id a promise.
  const pending = new Map<number, { resolve: (result: JobResult) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  const failAll = (error: Error) => {
    stopped ??= error;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  thread.on('message', (message: FromWorker) => {
    if (message.type !== 'done' && message.type !== 'error') return;
    const job = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'done') job?.resolve(message.result);
    else job?.reject(new Error(`inference failed in the worker: ${message.message}`));
  });
  // A crash of the thread must not leave callers waiting forever.
  thread.on('error', (error) => failAll(error));
  void exited.then(() => failAll(new Error('the inference worker has stopped')));

  let closing: Promise<void> | undefined;
  return {
    model,
    loadSeconds,
    async infer(body) {
      // Checked here, on the main thread: it is cheap, and a bad request never costs the worker
      // anything. It throws InferenceError, which crosses no thread and keeps its class.
      const job = prepareRequest(model, body);
      if (stopped) throw stopped;
      const id = nextId++;
      const result = await new Promise<JobResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Transfer, not copy: the input buffers move to the worker (this side has no use for them).
        const buffers = Object.values(job.feeds).map((feed) => feed.data.buffer as ArrayBuffer);
        thread.postMessage({ type: 'run', id, job } satisfies ToWorker, buffers);
      });
      return shapeResponse(model, job, result);
    },
    close() {
      closing ??= (async () => {
        if (pending.size === 0 && !stopped) {
          // Idle: ask the thread to release its session and end by itself (exit code 0).
          stopped = new Error('the inference worker is closed');
          thread.postMessage({ type: 'close' } satisfies ToWorker);
          // A thread that does not end within 5 s is stopped anyway: close() always finishes.
          const timer = setTimeout(() => void thread.terminate(), 5_000);
          await exited;
          clearTimeout(timer);
        } else {
          // Busy: the thread reads no message until its job is done, so stop it now. The
          // callers waiting for an answer hear so at once.
          failAll(new Error('the inference worker was closed before answering'));
          await thread.terminate();
          await exited;
        }
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 2: backpressure — a bounded number in flight, a bounded queue, a deadline
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
        return Promise.reject(new OverloadedError(`${inFlight} running and ${queue.length} waiting: try again later`));
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
// TODO 3 (and 4): the app
// ---------------------------------------------------------------------------------------------

export function createApp({ worker, limiter, metrics, draining = () => false, retryAfterSeconds = DEFAULTS.retryAfterSeconds }: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');

  // TODO 4: count every request once it is answered, by the route that matched it (the pattern,
  // never the raw URL: one series per URL someone invents would grow without end).
  if (metrics) {
    metrics.modelLoadSeconds.set(worker.loadSeconds);
    app.use((req, res, next) => {
      res.on('finish', () => {
        const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(unmatched)';
        metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    });
  }
  app.use(jsonBody());

  // Liveness: the process answers. It stays 200 while draining: a restart would only lose work.
  app.get('/v2/health/live', (_req, res) => void res.json({ live: true }));
  // Readiness: should traffic come here? Not once shutdown has begun. (Not under load either? No:
  // every replica is loaded at the same time, and all of them leaving at once helps nobody.)
  app.get('/v2/health/ready', (_req, res) => void res.status(draining() ? 503 : 200).json({ ready: !draining() }));

  const known = (req: express.Request, res: express.Response): boolean => {
    if (req.params.name === MODEL_NAME) return true;
    fail(req, res, 404, `Unknown model: only "${MODEL_NAME}" is served here`);
    return false;
  };
  app.get('/v2/models/:name', (req, res) => void (known(req, res) && res.json(modelMetadata(worker.model))));
  app.get('/v2/models/:name/ready', (req, res) => {
    if (known(req, res)) res.status(draining() ? 503 : 200).json({ name: MODEL_NAME, ready: !draining() });
  });

  const busy = (req: express.Request, res: express.Response, message: string) => {
    // Retry-After: how long a well-behaved client (or proxy) waits before trying again.
    res.set('Retry-After', String(retryAfterSeconds));
    fail(req, res, 503, message);
  };

  /** Runs a request through the limiter; answers the errors that are not the route's. */
  const guarded = async (req: express.Request, res: express.Response, body: unknown): Promise<InferenceResponse | undefined> => {
    if (draining()) {
      // The server is going away: ask the client to come back, to another replica. Connection:
      // close so that its keep-alive connection does not lead here again.
      res.set('Connection', 'close');
      return void busy(req, res, 'The server is shutting down');
    }
    try {
      return await limiter.run(async () => {
        // TODO 4: the time the worker took, not counting the wait in the queue.
        const end = metrics?.inferenceSeconds.startTimer();
        const response = await worker.infer(body);
        end?.();
        return response;
      });
    } catch (error) {
      if (error instanceof OverloadedError) return void busy(req, res, 'Too many requests in progress');
      if (error instanceof DeadlineError) return void fail(req, res, 504, 'The inference did not finish in time');
      if (error instanceof InferenceError) return void fail(req, res, error.status, error.message);
      throw error; // our bug: the error handler answers 500
    }
  };

  app.post('/v2/models/:name/infer', async (req, res) => {
    if (!known(req, res)) return;
    const response = await guarded(req, res, req.body);
    if (response) res.json(response);
  });

  app.post('/predict', async (req, res) => {
    const read = readFlowers(worker.model, req.body);
    if ('detail' in read) return void res.status(422).json({ detail: read.detail });
    const response = await guarded(req, res, read.request);
    if (!response) return;
    const predictions = toPredictions(worker.model, response);
    res.json(read.many ? predictions : predictions[0]);
  });

  // TODO 4: the scrape. The gauges are read when Prometheus asks, so they are never stale.
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      metrics.queueDepth.set(limiter.queued);
      metrics.inFlight.set(limiter.inFlight);
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

// ---------------------------------------------------------------------------------------------
// TODO 4: the metrics
// ---------------------------------------------------------------------------------------------

export function createMetrics(): Metrics {
  // A registry per app, not prom-client's global one: two apps in one process (the tests, or a
  // restart in place) would otherwise fight over the same names ("already registered").
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'] as const, registers }),
    // Buckets from 1 ms to 10 s: the iris model answers in about a millisecond, a big batch on a
    // big model in seconds. A histogram, not a summary: histograms from many replicas add up.
    inferenceSeconds: new Histogram({ name: 'inference_duration_seconds', help: 'Time the worker took per inference, in seconds', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    queueDepth: new Gauge({ name: 'inference_queue_depth', help: 'Inference requests waiting for a slot', registers }),
    inFlight: new Gauge({ name: 'inference_in_flight', help: 'Inference requests handed to the worker', registers }),
    modelLoadSeconds: new Gauge({ name: 'model_load_seconds', help: 'Seconds from starting the worker to the model being ready', registers }),
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 5: start, and stop gracefully
// ---------------------------------------------------------------------------------------------

export async function startServer(options: ServerOptions): Promise<Started> {
  const host = options.host ?? DEFAULTS.host;
  const port = options.port ?? DEFAULTS.port;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
  // Load first, listen second (FastAPI's lifespan): a failure here leaves nothing open.
  const worker = await startInferenceWorker(options.modelPath);
  const limiter = createLimiter({
    maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
    maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
    deadlineMs: options.deadlineMs ?? DEFAULTS.deadlineMs,
  });
  let draining = false;
  const app = createApp({ worker, limiter, metrics: createMetrics(), draining: () => draining, retryAfterSeconds: options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds });
  // The answers not sent yet. While draining, each one closes its connection (Connection: close):
  // otherwise an idle keep-alive connection holds the server open for seconds after the last
  // answer, and a client would keep coming back to a process that is leaving. This listener
  // comes before the app's, which may answer at once.
  const unanswered = new Set<http.ServerResponse>();
  const server = http.createServer();
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  server.on('request', app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await worker.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      // First, synchronously: ready says 503 from this moment, and new work is sent away.
      draining = true;
      for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), shutdownTimeoutMs)));
      const drained = (async () => {
        // Keep listening while accepted work finishes: a probe still gets its clear 503, and a
        // request already on its way gets an answer instead of a refused connection.
        await limiter.idle();
        // Then stop accepting. close() also ends idle keep-alive connections (Node ≥ 19); its
        // callback comes once the last busy one has sent its answer.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return 'drained' as const;
      })();
      if ((await Promise.race([drained, late])) === 'late') {
        // Past the bound: cut what is left. The clients still waiting get a reset, not a hang.
        console.error(`shutdown: still busy after ${shutdownTimeoutMs} ms; closing what is left`);
        server.close();
        server.closeAllConnections();
      }
      clearTimeout(timer);
      // The worker last: idle by now (it releases its session and exits 0), or terminated.
      await worker.close();
    })());
  return { url, address, shutdown };
}

// ---------------------------------------------------------------------------------------------
// TODO 6: the process — what the container runs
// ---------------------------------------------------------------------------------------------

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const started = await startServer(optionsFromEnv(env));
  console.log(`Listening on ${started.url} (model ${MODEL_NAME}; SIGTERM or Ctrl-C stops it gracefully)`);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // A second signal: someone wants it gone now (uvicorn does the same on a second Ctrl-C).
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    console.log(`${signal}: not ready any more; finishing the requests in progress (${signal} again to stop at once)`);
    started.shutdown().then(
      () => {
        console.log('Stopped: every request answered, worker closed, port free.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  // process.on, not once: the handler must still be there for the second signal. (Without any
  // handler Node dies at once on SIGTERM; as PID 1 in a container it would ignore it instead.)
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return started;
}

// ---------------------------------------------------------------------------------------------
// Given: how this file starts, in each of its roles
// ---------------------------------------------------------------------------------------------

/** True in the thread startInferenceWorker started on this file. */
const isInferenceThread = !isMainThread && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE;
/** True when run as a program: `node --import tsx lessons/09-production/exercise.ts` (the Dockerfile's CMD). */
const isProgram = isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (isInferenceThread) {
  await workerMain((workerData as { modelPath: string }).modelPath);
} else if (isProgram) {
  await main().catch((error: unknown) => {
    console.error(`Cannot start: ${(error as Error).message}`);
    process.exit(1);
  });
}
// Imported (by the tests, say): nothing else runs.
