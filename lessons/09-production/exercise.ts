/**
 * Lesson 09 — run it like production. Welcome! Lesson 08's model server becomes something you
 * could hand to an operator: the model runs in a worker thread, so the server keeps answering
 * while it computes; a full server answers 503 instead of piling up work; SIGTERM stops it without
 * losing a request; and /metrics tells Prometheus how it is doing. deploy/ beside this file holds
 * the Dockerfile, the Kubernetes manifests and a KServe InferenceService for the world beyond.
 *
 * Fill in each TODO, then run `npm test -- 09` (or keep `npm start` open: it reruns on save).
 * `npm run example -- 09` serves a finished one; the README beside this file explains every idea
 * used here, and `npm run hint -- 09` helps when you are stuck. Once all TODOs pass,
 * `npx tsx lessons/09-production/exercise.ts` runs your server the way the container would.
 *
 * The API (lesson 08's, without the docs, plus /metrics):
 *   GET  /v2/health/live        200 {"live": true}, always (shutting down too)
 *   GET  /v2/health/ready       200 {"ready": true}; 503 {"ready": false} once shutdown has begun
 *   GET  /v2/models/iris        200 the model's metadata (the given modelMetadata)
 *   GET  /v2/models/iris/ready  like /v2/health/ready, plus "name": "iris"
 *   POST /v2/models/iris/infer  an inference request → 200 an inference response, 400 {"error"}
 *   POST /predict               a flower or a list → 200 a prediction or a list, 422 {"detail": [...]}
 *   GET  /metrics               Prometheus' text format (TODO 4)
 * A full server answers infer and predict with 503 and a Retry-After header; past the deadline,
 * 504. Errors are {"error": "..."} under /v2 and {"detail": ...} elsewhere (the given fail()).
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
// Your part
// ---------------------------------------------------------------------------------------------

/**
 * Runs in the worker thread: the given lines at the bottom of this file call it there (you never
 * call it yourself). Loads the model with loadModel, once, and tells the main thread through
 * `parentPort` how that went: the model's `info` (a ModelInfo), or the error's message. Then it
 * answers every job the main thread sends with runJob's result (or the error's message), and when
 * asked to close, it releases the session and closes `parentPort`, so that the thread ends by
 * itself (exit code 0). The messages' shapes are yours to choose: only your startInferenceWorker
 * reads them.
 */
export async function workerMain(modelPath: string): Promise<void> {
  // TODO 1 (with startInferenceWorker below): the worker's side — load, then answer messages.
  throw new Error('workerMain is not written yet');
}

/**
 * Starts a worker thread on this very file —
 * `startWorkerThread(new URL(import.meta.url), { workerData: { role: WORKER_ROLE, modelPath } })` —
 * and resolves once the thread has loaded its model.
 * @returns an InferenceWorker:
 *   - `model`: the ModelInfo the thread sent; `loadSeconds`: seconds from the start to ready.
 *   - `infer(body)`: checks `body` here, on the main thread, with prepareRequest (which throws
 *     InferenceError, status 400), sends the Job to the thread, and resolves with
 *     shapeResponse(model, job, result). Many calls may wait at once; each gets its own answer.
 *     A job that fails in the thread, or a thread that dies, rejects with an Error (not an
 *     InferenceError).
 *   - `close()`: ends the thread; resolves once it has exited. With no job pending, ask the thread
 *     to close (it releases its session and exits by itself); with jobs pending, reject them and
 *     terminate the thread at once. Afterwards infer rejects. A second call is harmless.
 * @throws (rejects) an Error whose message names `modelPath` when the model cannot be loaded;
 *   by then the thread has ended
 */
export async function startInferenceWorker(modelPath: string): Promise<InferenceWorker> {
  // TODO 1: start the thread, wait for its first message, then match each answer to its job.
  throw new Error('startInferenceWorker is not written yet');
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
  // TODO 2: the counter, the queue, the deadline timer.
  throw new Error('createLimiter is not written yet');
}

/**
 * The app: the routes in the comment at the top of this file.
 * - infer and predict call `worker.infer` inside `limiter.run(...)`. OverloadedError → 503 with
 *   the header `Retry-After: <retryAfterSeconds>`; DeadlineError → 504; InferenceError → its
 *   status and message; anything else is our bug (the given errorHandler answers 500).
 *   /predict: readFlowers gives the request to run (or the 422 detail), toPredictions the answer:
 *   one prediction for one flower, a list for a list.
 * - When `draining()` is true: both ready endpoints answer 503 (`{"ready": false}`), infer and
 *   predict answer 503 with Retry-After and run nothing; live and the rest answer as usual.
 * - An unknown model name → 404 {"error"}. Mount the given jsonBody() first, notFound and
 *   errorHandler last.
 * - With `metrics` (TODO 4): count every answered request, time each inference, serve GET /metrics.
 * @returns a new Express app
 */
export function createApp(parts: AppParts): express.Express {
  // TODO 3: the routes, through the limiter, with readiness and the 503 / 504 answers.
  throw new Error('createApp is not written yet');
}

/**
 * The service's metrics, in a `new Registry()` of their own (not prom-client's global one):
 *   http_requests_total         counter, labels method, route, status (e.g. "200"): every request
 *                               answered. `route` is the pattern Express matched
 *                               ("/v2/models/:name/infer"), never the URL; requests that matched
 *                               no route share one value.
 *   inference_duration_seconds  histogram: for each inference that succeeded (answered 200), the
 *                               seconds worker.infer took (not the wait in the queue).
 *   inference_queue_depth       gauge: the limiter's `queued`, as it is when scraped.
 *   inference_in_flight         gauge: the limiter's `inFlight`, as it is when scraped.
 *   model_load_seconds          gauge: the worker's `loadSeconds`.
 * createApp does the counting, timing and setting, and serves GET /metrics: the registry's
 * metrics() with its contentType.
 */
export function createMetrics(): Metrics {
  // TODO 4: the five metrics here; then, in createApp, count, time and serve them.
  throw new Error('createMetrics is not written yet');
}

/**
 * FastAPI's lifespan plus uvicorn's graceful stop. Starts the worker (startInferenceWorker), makes
 * a limiter and the metrics, and listens with createApp on host:port. Missing options: DEFAULTS.
 * @returns once listening: `url` (with the real port), `address` (server.address()), and
 *   `shutdown()`, which
 *   1. at once, before it returns its promise: makes ready answer 503, and new infer / predict
 *      requests 503 with Retry-After;
 *   2. lets every request already accepted (running or queued) finish and get its answer, while
 *      the server still listens;
 *   3. then stops listening and closes the idle connections;
 *   4. then closes the worker, and resolves: the port is free and the thread has ended.
 *   Past `shutdownTimeoutMs`, whatever is left is cut (open connections destroyed, the worker
 *   closed at once) and shutdown resolves anyway. A second call returns the same promise.
 * @throws (rejects) startInferenceWorker's error when the model cannot be loaded; nothing is left
 *   listening and no thread is left running
 */
export async function startServer(options: ServerOptions): Promise<Started> {
  // TODO 5: worker, limiter, metrics, app, listen; shutdown() in its four steps, bounded.
  throw new Error('startServer is not written yet');
}

/**
 * The program: what `node --import tsx lessons/09-production/exercise.ts` runs (the Dockerfile's
 * CMD; the given lines at the bottom of this file call it). `startServer(optionsFromEnv(env))`,
 * then print a line with the URL, then handle SIGTERM (docker stop, Kubernetes) and SIGINT (Ctrl-C):
 * - the first signal calls shutdown(); once it resolves, the process exits with code 0;
 * - a second signal, of either kind, exits at once with code 1.
 * @returns the Started server, once it listens and the signal handlers are in place
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  // TODO 6: start from the environment, log the URL, one graceful stop per process.
  throw new Error('main is not written yet');
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

// Imported for the TODOs; this line keeps the imports in use until then. You may delete it.
void [http, Counter, Gauge, Histogram, Registry, {} as AddressInfo];
