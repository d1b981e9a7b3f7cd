/**
 * Lesson 09, given: lesson 08's model checks and error policy, on the main thread's side. Read it,
 * do not edit it: exercise.ts re-exports all of it. The thread's side is worker.mjs beside it.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { z } from 'zod';

/** The name the model is served under, whatever file it came from. */
export const MODEL_NAME = 'iris';
/** The classes, in the order of the model's probabilities. */
export const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
/** The features, in the order of the model's input columns. */
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
/** The most rows one request may carry. */
export const MAX_BATCH = 256;
/**
 * The largest body accepted, from the largest honest request: MAX_BATCH rows at 256 bytes a row
 * (the longest honest row, a /predict flower with four 24-character numbers, is about 170 bytes)
 * plus 4 KB for the rest. 68 KB: JSON.parse reads that in a few milliseconds, whatever its shape.
 */
export const MAX_BODY_BYTES = 4096 + MAX_BATCH * 256;

// These paths work from lessons/09-keep-answering/ and from solutions/09-keep-answering/ alike.
/** The lesson's model.onnx (lesson 08's, copied). */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../lessons/09-keep-answering/model.onnx', import.meta.url));
/** The inference thread's file: plain JavaScript, started with `new Worker(WORKER_FILE, ...)`. */
export const WORKER_FILE = new URL('../../lessons/09-keep-answering/worker.mjs', import.meta.url);

/** What an option left out means. */
export const DEFAULTS = {
  /** Jobs handed to the worker at once: 2 keeps it busy while the next answer travels back. */
  maxInFlight: 2,
  /** Jobs waiting for a slot; one more is refused with 503. */
  maxQueue: 32,
  /** From arrival to answer; past it the client gets 504. */
  deadlineMs: 10_000,
  /** What a 503 tells the client to wait before trying again. */
  retryAfterSeconds: 1,
  /** The first wait before a dead worker is replaced; it doubles after each failure in a row. */
  restartDelayMs: 100,
  /** The longest wait between two attempts to replace a dead worker. */
  maxRestartDelayMs: 5_000,
} as const;

/** One input or output as the protocol describes it: {"name": "features", "datatype": "FP32", "shape": [-1, 4]}. */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** What the worker thread tells the main thread about the model it loaded. */
export interface ModelInfo {
  /** The first 12 hex digits of the SHA-256 of the model file's bytes. */
  version: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/**
 * One job for the worker: the checked input tensors and the outputs wanted. Everything in it can
 * cross to a thread (postMessage copies it; the Float32Arrays' buffers can be transferred).
 */
export interface Job {
  id?: string;
  feeds: Record<string, { data: Float32Array; dims: number[] }>;
  outputs: string[];
}

/** What the worker sends back for a job: each output's values and dimensions, by name. */
export type JobResult = Record<string, { data: ArrayLike<number | bigint | boolean>; dims: number[] }>;

/** An inference answer, as the protocol writes it. */
export interface InferenceResponse {
  model_name: string;
  id?: string;
  outputs: { name: string; datatype: string; shape: number[]; data: (number | boolean)[] }[];
}

/** The client's mistake: the request does not fit the model (400). The message says what. */
export class InferenceError extends Error {
  override name = 'InferenceError';
}

/** Every slot is busy and the queue is full (answer 503 with Retry-After). */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** The deadline passed before the answer came (answer 504). */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** No worker can take the job: it died while holding it, or the next one is still loading (503 with Retry-After). */
export class WorkerUnavailableError extends Error {
  override name = 'WorkerUnavailableError';
}

// ---- The checks that need the model's metadata but not the model: they run on the main thread

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
 * Checks an inference request against the model (lesson 08's checks) and turns it into a Job.
 * Cheap (at most MAX_BATCH rows) and needs no model run: call it before the limiter.
 * `"outputs": []` asks for what no `outputs` asks for, every output (Triton reads it so too).
 * @throws InferenceError for a request that does not fit, never quoting the client's values
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
  const asked = request.outputs?.map((output) => output.name) ?? [];
  const outputs = asked.length > 0 ? asked : model.outputs.map((output) => output.name);
  for (const name of outputs) {
    if (!model.outputs.some((output) => output.name === name)) throw bad(`unknown output name: the model's outputs are ${model.outputs.map((output) => output.name).join(', ')}`);
  }
  return { ...(request.id === undefined ? {} : { id: request.id }), feeds, outputs };
}

/** The protocol's answer to a job, from what the worker sent back. */
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

/** GET /v2's answer: the protocol's server metadata. */
export function serverMetadata() {
  return { name: 'iris-server', version: '1.0.0', extensions: [] as string[] };
}

/** GET /v2/models/iris's answer. */
export function modelMetadata(model: ModelInfo) {
  return { name: MODEL_NAME, platform: 'onnx_onnxv1', inputs: model.inputs, outputs: model.outputs };
}

// ---- /predict, lesson 08's friendly endpoint, on top of the protocol

const Centimetres = z.number().refine((value) => Number.isFinite(Math.fround(value)), { message: 'must fit a 32-bit float' });
export const FlowerSchema = z.object({ sepal_length: Centimetres, sepal_width: Centimetres, petal_length: Centimetres, petal_width: Centimetres });
export const FlowerListSchema = z.array(FlowerSchema).min(1).max(MAX_BATCH);

/** One prediction of /predict. */
export interface Prediction {
  label: (typeof CLASSES)[number];
  probabilities: Record<(typeof CLASSES)[number], number>;
  model_version: string;
}

/** FastAPI's 422 entries. */
export type ValidationDetail = { loc: (string | number)[]; msg: string; type: string }[];

/**
 * Reads a /predict body (one flower or a list): either the protocol request that classifies them
 * (give it to prepareRequest) and whether a list came, or FastAPI's 422 detail.
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

/** The predictions in the answer to readFlowers' request, one per flower. */
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

// ---- The one error policy (lesson 04), by path: {"error"} under /v2, {"detail"} elsewhere

// baseUrl + path: inside a Router mounted at /v2, req.path alone would be /models/iris/infer.
const isProtocol = (req: express.Request) => /^\/v2(\/|$)/.test(req.baseUrl + req.path);

/** Answers an error in the shape its path calls for. */
export function fail(req: express.Request, res: express.Response, status: number, message: string): void {
  res.status(status).json(isProtocol(req) ? { error: message } : { detail: message });
}

/**
 * 415 for a body that is not JSON, then express.json with the limit MAX_BODY_BYTES (413 beyond it,
 * before a byte is parsed). Under /v2 an untyped body is JSON: tritonclient sends it so.
 */
export function jsonBody(): express.RequestHandler[] {
  const untypedProtocol = (req: http.IncomingMessage) => req.headers['content-type'] === undefined && /^\/v2(\/|$|\?)/.test(req.url ?? '');
  return [
    (req, res, next) => {
      if (req.is('application/json') === false && !untypedProtocol(req)) return void fail(req, res, 415, 'Send the body as JSON, with Content-Type: application/json');
      next();
    },
    express.json({ limit: MAX_BODY_BYTES, type: (req) => untypedProtocol(req) || Boolean((req as express.Request).is('application/json')) }),
  ];
}

/** 404 in the path's shape. Mount after the routes. */
export const notFound: express.RequestHandler = (req, res) => fail(req, res, 404, 'Not Found');

/** The error handler: a body-parser 4xx in our own words, anything else a logged 500. Mount last. */
export const errorHandler: express.ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return void next(error);
  // The connection is gone (a stop past its bound cut it): nobody is left to answer.
  if (req.socket.destroyed) return;
  const status = (error as { status?: unknown }).status;
  if (Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500) {
    const type = (error as { type?: unknown }).type;
    const message =
      type === 'entity.parse.failed' ? 'The body is not valid JSON' :
      type === 'entity.too.large' ? `The body is larger than this server accepts (${MAX_BODY_BYTES} bytes)` :
      http.STATUS_CODES[status as number] ?? 'Bad Request';
    return void fail(req, res, status as number, message);
  }
  console.error(error);
  fail(req, res, 500, 'Internal Server Error');
};
