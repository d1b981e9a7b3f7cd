/**
 * Lesson 08 — serve a model: the annotated solution.
 * The comments say why each piece is written the way it is. The given parts are the exercise's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import * as ort from 'onnxruntime-web';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';

// Before the first schema: zod 4 copies `.openapi` onto a schema when the schema is built.
extendZodWithOpenApi(z);

// ---------------------------------------------------------------------------------------------
// Given (no change needed): names, limits, the protocol's schemas, the shapes you return
// ---------------------------------------------------------------------------------------------

/** The name the model is served under, whatever file it came from. */
export const MODEL_NAME = 'iris';
/** The classes, in the order of the model's probabilities. */
export const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
/** The features, in the order of the model's input columns (scikit-learn's names, snake_case). */
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
/** The most rows one request may carry, on /infer (the batch dimension) and on /predict (the list). */
export const MAX_BATCH = 256;
/** What GET /v2 reports. */
export const SERVER_NAME = 'fastapi-ways-in-typescript lesson 08';
export const SERVER_VERSION = '1.0.0';

// The Open Inference Protocol's REST schemas (open_inference_rest.yaml), written in zod.
const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).openapi('parameters');
// tensor_data is nested arrays of numbers, strings or booleans. Checked here only as "an array":
// a recursive zod schema would recurse once per level, and 100,000 levels of [[[...]]] overflow
// the stack. Looking inside, safely, is infer's job. The document still shows the recursive shape.
const TensorData = z.array(z.unknown()).openapi('tensor_data', {
  description: 'Row-major, flat or nested',
  items: { anyOf: [{ $ref: '#/components/schemas/tensor_data' }, { type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
});

// A tensor with its data: the protocol's request_input and response_output have the same shape.
const Tensor = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: z.string(),
  parameters: Parameters.optional(),
  data: TensorData,
});

export const MetadataTensorSchema = z
  .object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) })
  .openapi('metadata_tensor');
export const ModelMetadataSchema = z
  .object({
    name: z.string(),
    versions: z.array(z.string()).optional(),
    platform: z.string(),
    inputs: z.array(MetadataTensorSchema),
    outputs: z.array(MetadataTensorSchema),
  })
  .openapi('metadata_model_response');
export const InferenceRequestSchema = z
  .object({
    id: z.string().optional(),
    parameters: Parameters.optional(),
    inputs: z.array(Tensor),
    outputs: z.array(z.object({ name: z.string(), parameters: Parameters.optional() })).optional(),
  })
  .openapi('inference_request');
export const InferenceResponseSchema = z
  .object({
    model_name: z.string(),
    model_version: z.string().optional(),
    id: z.string().optional(),
    parameters: Parameters.optional(),
    outputs: z.array(Tensor),
  })
  .openapi('inference_response');
export const ProtocolErrorSchema = z.object({ error: z.string() }).openapi('inference_error_response');
export const ValidationErrorSchema = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .openapi('HTTPValidationError');

/** One input or output as the protocol describes it: {"name": "features", "datatype": "FP32", "shape": [-1, 4]}. */
export type TensorMetadata = z.infer<typeof MetadataTensorSchema>;
export type InferenceRequest = z.infer<typeof InferenceRequestSchema>;
export type InferenceResponse = z.infer<typeof InferenceResponseSchema>;

/** A loaded model: what loadModel returns. */
export interface Model {
  /** The first 12 hex digits of the SHA-256 of the model file's bytes. */
  version: string;
  /** The model's inputs, read from the model, in its order. */
  inputs: TensorMetadata[];
  /** The model's outputs, read from the model, in its order. */
  outputs: TensorMetadata[];
  /** The onnxruntime session that runs it. */
  session: ort.InferenceSession;
}

/** What infer throws for a request the client got wrong: `status` is 400, `message` says what is wrong. */
export class InferenceError extends Error {
  override name = 'InferenceError';
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/** One flower, as /predict takes it: four measurements in cm. */
export type Flower = Record<(typeof FEATURES)[number], number>;

/** What /predict answers per flower. */
export interface Prediction {
  /** The most probable class. */
  label: (typeof CLASSES)[number];
  /** Each class's probability, by name: {"setosa": 0.97, "versicolor": 0.03, "virginica": 0.0}. */
  probabilities: Record<(typeof CLASSES)[number], number>;
  /** The model's version (Model.version). */
  model_version: string;
}

/** The options of startServer. */
export interface StartOptions {
  /** The ONNX file to serve. */
  modelPath: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
}

/** A running server. */
export interface Started {
  /** e.g. http://127.0.0.1:8000 (the real port, never 0) */
  url: string;
  /** Stops listening, ends open connections, releases the model; resolves when the port is free. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// TODO 1: load the model, describe it in the protocol's words
// ---------------------------------------------------------------------------------------------

// onnxruntime's element types → the protocol's datatype names. A Map, not an object literal:
// a lookup of "constructor" or "__proto__" must find nothing.
const DATATYPES = new Map<string, string>([
  ['bool', 'BOOL'],
  ['uint8', 'UINT8'],
  ['uint16', 'UINT16'],
  ['uint32', 'UINT32'],
  ['uint64', 'UINT64'],
  ['int8', 'INT8'],
  ['int16', 'INT16'],
  ['int32', 'INT32'],
  ['int64', 'INT64'],
  ['float16', 'FP16'],
  ['float32', 'FP32'],
  ['float64', 'FP64'],
  ['string', 'BYTES'],
]);

function describe(values: readonly ort.InferenceSession.ValueMetadata[], file: string): TensorMetadata[] {
  return values.map((value) => {
    // skl2onnx's default classifier output is a ZipMap (a sequence of maps), not a tensor: the
    // protocol cannot carry it. Export with options={id(model): {"zipmap": False}}.
    if (!value.isTensor) throw new Error(`${file}: "${value.name}" is not a tensor (a ZipMap? export with zipmap=False)`);
    const datatype = DATATYPES.get(value.type);
    if (datatype === undefined) throw new Error(`${file}: "${value.name}" has the unsupported type ${value.type}`);
    // A named (symbolic) dimension such as "batch" is variable; the protocol writes it as -1.
    return { name: value.name, datatype, shape: value.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) };
  });
}

export async function loadModel(file: string): Promise<Model> {
  let bytes: Buffer;
  try {
    // Read the file ourselves: the bytes give the version, and a missing file says so plainly.
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`Cannot read the model file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    // onnxruntime's own message does not name the file: say which one failed.
    throw new Error(`${file} is not a model onnxruntime can load: ${(error as Error).message}`, { cause: error });
  }
  try {
    const inputs = describe(session.inputMetadata, file);
    const outputs = describe(session.outputMetadata, file);
    for (const input of inputs) {
      if (input.datatype !== 'FP32') throw new Error(`${file}: input "${input.name}" is ${input.datatype}; this server feeds FP32 only`);
    }
    // The version is the content: two different files can never claim the same one.
    const version = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    return { version, inputs, outputs, session };
  } catch (error) {
    await session.release();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// TODO 2: one inference, checked against the model's metadata
// ---------------------------------------------------------------------------------------------

const bad = (message: string) => new InferenceError(message);

/** Flattens nested data row-major, no deeper than `depth` levels (iteratively: deep garbage cannot overflow the stack). */
function flatten(data: unknown[], depth: number, name: string): unknown[] {
  const out: unknown[] = [];
  const stack: { items: unknown[]; index: number; level: number }[] = [{ items: data, index: 0, level: 1 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.index++];
    if (Array.isArray(item)) {
      if (top.level >= depth) throw bad(`input "${name}": data is nested deeper than its shape`);
      stack.push({ items: item, index: 0, level: top.level + 1 });
    } else {
      out.push(item);
    }
  }
  return out;
}

function inputTensor(meta: TensorMetadata, input: InferenceRequest['inputs'][number]): ort.Tensor {
  if (input.datatype !== meta.datatype) throw bad(`input "${meta.name}": datatype must be ${meta.datatype}`);
  const { shape } = input;
  if (shape.length !== meta.shape.length) throw bad(`input "${meta.name}": shape must have ${meta.shape.length} dimensions, got ${shape.length}`);
  for (const [index, dim] of shape.entries()) {
    const expected = meta.shape[index]!;
    if (dim < 0 || (expected >= 0 && dim !== expected)) {
      throw bad(`input "${meta.name}": shape ${JSON.stringify(shape)} does not fit ${JSON.stringify(meta.shape)}`);
    }
  }
  // The first dimension of a batched model is the batch: at least 1, at most MAX_BATCH.
  if (meta.shape[0] === -1 && ((shape[0] ?? 0) < 1 || (shape[0] ?? 0) > MAX_BATCH)) {
    throw bad(`input "${meta.name}": the batch must be 1 to ${MAX_BATCH} rows, got ${shape[0]}`);
  }
  const size = shape.reduce((product, dim) => product * dim, 1);
  const values = flatten(input.data, Math.max(shape.length, 1), meta.name);
  if (values.length !== size) throw bad(`input "${meta.name}": shape ${JSON.stringify(shape)} needs ${size} values, got ${values.length}`);
  const floats = new Float32Array(size);
  for (const [index, value] of values.entries()) {
    // FP32: a number that stays finite as a float32 (1e39 would become Infinity, then NaN).
    if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) {
      throw bad(`input "${meta.name}": value ${index} is not an FP32 number`);
    }
    floats[index] = value;
  }
  return new ort.Tensor('float32', floats, shape);
}

/** An output tensor's data as JSON can carry it: BigInt (int64) becomes a number, the rest an array. */
function jsonData(tensor: ort.Tensor): (number | string | boolean)[] {
  const data = tensor.data as ArrayLike<number | bigint | string | boolean>;
  return Array.from(data, (value) => (typeof value === 'bigint' ? Number(value) : tensor.type === 'bool' ? Boolean(value) : value));
}

export async function infer(model: Model, body: unknown): Promise<InferenceResponse> {
  const parsed = InferenceRequestSchema.safeParse(body);
  if (!parsed.success) {
    // Where, not what: the top-level field of the first problem (a deeper path could hold a key
    // the client chose, inside "parameters"), never the client's value.
    const where = String(parsed.error.issues[0]?.path[0] ?? 'the body');
    throw bad(`the request does not follow the inference request schema (at ${where})`);
  }
  const request = parsed.data;

  const feeds: Record<string, ort.Tensor> = {};
  for (const input of request.inputs) {
    const meta = model.inputs.find((entry) => entry.name === input.name);
    // Say what is expected, not what was sent: the name came from the client.
    if (!meta) throw bad(`unknown input name: the model's inputs are ${model.inputs.map((entry) => entry.name).join(', ')}`);
    if (Object.hasOwn(feeds, meta.name)) throw bad(`input "${meta.name}" is given twice`);
    feeds[meta.name] = inputTensor(meta, input);
  }
  for (const meta of model.inputs) {
    if (!Object.hasOwn(feeds, meta.name)) throw bad(`input "${meta.name}" is missing`);
  }

  // The client may ask for some outputs only, in its own order; otherwise every output. An empty
  // list asks for nothing in particular, so it gets what no list gets: every output (Triton reads
  // "outputs": [] the same way). Read as "no outputs", it would run the model to answer nothing.
  const asked = request.outputs ?? [];
  const wanted = (asked.length > 0 ? asked : model.outputs).map((output) => output.name);
  for (const name of wanted) {
    if (!model.outputs.some((output) => output.name === name)) {
      throw bad(`unknown output name: the model's outputs are ${model.outputs.map((output) => output.name).join(', ')}`);
    }
  }

  const results = await model.session.run(feeds);
  const outputs = wanted.map((name) => {
    const tensor = results[name] as ort.Tensor;
    const meta = model.outputs.find((output) => output.name === name)!;
    return { name, datatype: meta.datatype, shape: [...tensor.dims], data: jsonData(tensor) };
  });
  // No model_version: the protocol says a server without versioned routes leaves it out.
  return { model_name: MODEL_NAME, ...(request.id === undefined ? {} : { id: request.id }), outputs };
}

// ---------------------------------------------------------------------------------------------
// TODO 3: /predict — named features in, a label and probabilities out
// ---------------------------------------------------------------------------------------------

// A centimetre value the model can take: a number that stays finite as a float32.
const Centimetres = z
  .number()
  .refine((value) => Number.isFinite(Math.fround(value)), { message: 'must fit a 32-bit float' })
  .openapi({ example: 5.1 });

export const FlowerSchema = z
  .object({
    sepal_length: Centimetres,
    sepal_width: Centimetres,
    petal_length: Centimetres,
    petal_width: Centimetres,
  })
  .openapi('Flower', { example: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 } });

export const FlowerListSchema = z.array(FlowerSchema).min(1).max(MAX_BATCH).openapi('FlowerList');

// What the docs show: either shape. The handler picks the one to check by the body's shape, so a
// problem is reported at its real place (["body", 1, "petal_width"]) instead of as "no union member matched".
export const PredictRequestSchema = z.union([FlowerSchema, FlowerListSchema]).openapi('PredictRequest');

export const PredictionSchema = z
  .object({
    label: z.enum(CLASSES),
    probabilities: z.object({ setosa: z.number(), versicolor: z.number(), virginica: z.number() }),
    model_version: z.string(),
  })
  .openapi('Prediction');

export const PredictResponseSchema = z.union([PredictionSchema, z.array(PredictionSchema)]).openapi('PredictResponse');


export async function predict(model: Model, flowers: Flower[]): Promise<Prediction[]> {
  const input = model.inputs[0]!;
  // The probabilities are the model's first FP32 output — whatever it is called, wherever it is.
  const output = model.outputs.find((entry) => entry.datatype === 'FP32');
  if (!output) throw new Error('the model has no FP32 output to read probabilities from');
  const response = await infer(model, {
    inputs: [{ name: input.name, datatype: 'FP32', shape: [flowers.length, FEATURES.length], data: flowers.map((flower) => FEATURES.map((key) => flower[key])) }],
    outputs: [{ name: output.name }],
  });
  const data = response.outputs[0]!.data as number[];
  return flowers.map((_, row) => {
    const p = data.slice(row * CLASSES.length, (row + 1) * CLASSES.length);
    const best = p.indexOf(Math.max(...p));
    // parse, not a cast: what leaves is exactly the response model, anything else stripped.
    return PredictionSchema.parse({
      label: CLASSES[best],
      probabilities: Object.fromEntries(CLASSES.map((name, index) => [name, p[index]])),
      model_version: model.version,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// TODO 4: the app — the protocol's routes, /predict, readiness, one error policy per audience
// ---------------------------------------------------------------------------------------------

/** Which error body a path gets: the protocol's {"error"} under /v2, FastAPI's {"detail"} elsewhere. */
const isProtocol = (req: express.Request) => req.path === '/v2' || req.path.startsWith('/v2/');

function fail(req: express.Request, res: express.Response, status: number, message: string): void {
  res.status(status).json(isProtocol(req) ? { error: message } : { detail: message });
}

function where(issue: z.core.$ZodIssue, input: unknown): z.infer<typeof ValidationErrorSchema>['detail'][number] {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  let value: unknown = input;
  for (const key of path) value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const missing = issue.code === 'invalid_type' && value === undefined;
  return { loc: ['body', ...path], msg: issue.message, type: missing ? 'missing' : issue.code };
}

export function createApp(model: Model | Promise<Model>): express.Express {
  const app = express();
  app.disable('x-powered-by');

  // Loaded once, before or after the app exists: until then, ready says 503 (FastAPI's lifespan
  // runs before the first request; a Kubernetes readiness probe wants exactly this answer).
  let loaded: Model | undefined;
  Promise.resolve(model).then(
    (value) => void (loaded = value),
    () => undefined, // whoever started the load reports its failure (startServer does)
  );

  // tritonclient (Triton's Python client) posts its JSON with no Content-Type at all, and Triton
  // reads it anyway. So under /v2 an untyped body is JSON; a body typed as anything else is a 415,
  // and so is an untyped one elsewhere (lesson 04's rule: req.is() is false for a body of no type).
  const untypedProtocol = (req: http.IncomingMessage) => req.headers['content-type'] === undefined && /^\/v2(\/|$|\?)/.test(req.url ?? '');
  app.use((req, res, next) => {
    if (req.is('application/json') === false && !untypedProtocol(req)) {
      return void fail(req, res, 415, 'Send the body as JSON, with Content-Type: application/json');
    }
    next();
  });
  app.use(express.json({ limit: '1mb', type: (req) => untypedProtocol(req) || Boolean((req as express.Request).is('application/json')) }));

  // Protocol: health and metadata.
  app.get('/v2/health/live', (_req, res) => void res.json({ live: true }));
  app.get('/v2/health/ready', (_req, res) => void res.status(loaded ? 200 : 503).json({ ready: loaded !== undefined }));
  app.get('/v2', (_req, res) => void res.json({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [] }));

  const known = (req: express.Request, res: express.Response): Model | undefined => {
    if (req.params.name !== MODEL_NAME) return void fail(req, res, 404, `Unknown model: only "${MODEL_NAME}" is served here`);
    if (!loaded) return void fail(req, res, 503, `Model ${MODEL_NAME} is not loaded yet`);
    return loaded;
  };

  app.get('/v2/models/:name/ready', (req, res) => {
    if (req.params.name !== MODEL_NAME) return void fail(req, res, 404, `Unknown model: only "${MODEL_NAME}" is served here`);
    res.status(loaded ? 200 : 503).json({ name: MODEL_NAME, ready: loaded !== undefined });
  });
  app.get('/v2/models/:name', (req, res) => {
    const served = known(req, res);
    if (!served) return;
    res.json({ name: MODEL_NAME, platform: 'onnx_onnxv1', inputs: served.inputs, outputs: served.outputs });
  });
  app.post('/v2/models/:name/infer', async (req, res) => {
    const served = known(req, res);
    if (!served) return;
    try {
      res.json(await infer(served, req.body));
    } catch (error) {
      if (error instanceof InferenceError) return void fail(req, res, error.status, error.message);
      throw error; // our bug: the error handler answers 500
    }
  });

  // The friendly endpoint: FastAPI's shapes.
  app.post('/predict', async (req, res) => {
    const body: unknown = req.body;
    const many = Array.isArray(body);
    const parsed = many ? FlowerListSchema.safeParse(body) : FlowerSchema.safeParse(body);
    if (!parsed.success) {
      return void res.status(422).json({ detail: parsed.error.issues.map((issue) => where(issue, body)) });
    }
    if (!loaded) return void fail(req, res, 503, `Model ${MODEL_NAME} is not loaded yet`);
    const flowers = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    const predictions = await predict(loaded, flowers);
    res.json(many ? predictions : predictions[0]);
  });

  // The docs (given in the exercise; lesson 05 built them), from the schemas above.
  mountDocs(app);

  app.use((req, res) => fail(req, res, 404, 'Not Found'));
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return void next(error);
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
  });
  return app;
}

// ---------------------------------------------------------------------------------------------
// TODO 5: start-up and shut-down (FastAPI's lifespan)
// ---------------------------------------------------------------------------------------------

export async function startServer({ modelPath, host = '127.0.0.1', port = 8000 }: StartOptions): Promise<Started> {
  // Load first: a server that cannot serve its model should not start at all. The error names
  // the path (loadModel's message) and nothing is left listening.
  const model = await loadModel(modelPath);
  const server = http.createServer(createApp(model));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await model.session.release();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    async close() {
      // Stop accepting and end every connection (close() alone ends only idle ones), then free the model.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await model.session.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Given (no change needed): the docs, lesson 05's way — from the schemas above, nothing from a CDN
// ---------------------------------------------------------------------------------------------

/** The OpenAPI 3.1 document of /predict and the protocol's model routes. */
export function buildDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
  const protocolError = (description: string) => ({ description, ...json(ProtocolErrorSchema) });
  registry.registerPath({
    method: 'post',
    path: '/predict',
    summary: 'Classify one iris flower or a list of them',
    request: { body: { required: true, ...json(PredictRequestSchema) } },
    responses: {
      200: { description: 'One prediction per flower (a list for a list)', ...json(PredictResponseSchema) },
      422: { description: 'Validation error', ...json(ValidationErrorSchema) },
    },
  });
  const name = z.object({ model_name: z.string().openapi({ example: MODEL_NAME }) });
  registry.registerPath({
    method: 'post',
    path: '/v2/models/{model_name}/infer',
    summary: 'Open Inference Protocol: inference',
    request: { params: name, body: { required: true, ...json(InferenceRequestSchema) } },
    responses: {
      200: { description: 'Every output (or those asked for)', ...json(InferenceResponseSchema) },
      400: protocolError('The tensors do not fit the model'),
      404: protocolError('No model of that name'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v2/models/{model_name}',
    summary: 'Open Inference Protocol: model metadata',
    request: { params: name },
    responses: { 200: { description: 'Inputs and outputs, read from the model', ...json(ModelMetadataSchema) }, 404: protocolError('No model of that name') },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Lesson 08 — iris model server', version: SERVER_VERSION },
  });
}

// ReDoc's page and bundle from this server only; the CSP stops the sidebar's logo from cdn.redoc.ly.
const REDOC_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:";
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Iris model server — ReDoc</title></head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;

/** Adds GET /openapi.json, Swagger UI at /docs and ReDoc at /redoc to the app. Mount it before your 404 handler. */
export function mountDocs(app: express.Express): void {
  const document = buildDocument();
  app.get('/openapi.json', (_req, res) => void res.json(document));
  const options = { swaggerOptions: { validatorUrl: null } };
  app.use('/docs', swaggerUi.serveFiles(document, options), swaggerUi.setup(document, options));
  app.get('/redoc', (_req, res) => void res.set('Content-Security-Policy', REDOC_CSP).type('html').send(REDOC_PAGE));
  app.get('/redoc/redoc.standalone.js', (_req, res) => void res.sendFile(redocBundle));
}
