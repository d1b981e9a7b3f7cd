/**
 * Lesson 08's example: an iris classifier served the way model servers serve models.
 *
 *   npm run example -- 08                     (or: npx tsx lessons/08-serve-model/example.ts)
 *   MODEL_PATH=my-model.onnx npm run example -- 08     serve another ONNX classifier
 *   LOAD_DELAY_MS=5000 npm run example -- 08           load as slowly as a big model, to watch ready
 *
 * Listens first, prints its URL, and only then loads the model. While it loads, GET
 * /v2/health/live answers 200 and GET /v2/health/ready 503; the routes that need the model answer
 * 503 too, in their own error shape ({"error"} under /v2, {"detail"} on /predict); once it is
 * loaded, ready answers 200. This model loads in about half a second (longer on a busy machine,
 * and onnxruntime holds the event loop for part of it), too quickly to catch by hand:
 * LOAD_DELAY_MS waits that long before loading, so the 503 can be seen. A model that cannot be
 * loaded stops the process with a message naming the file.
 *
 * The API is the exercise's: the Open Inference Protocol under /v2 (GET /v2, health, model
 * metadata and ready, infer; what KServe, Triton, Seldon MLServer and OpenVINO Model Server
 * speak), a friendly POST /predict with named features, and /openapi.json, /docs and /redoc, which
 * work offline. GET / says what is where. Everything about the model (input and output names,
 * types, shapes) is read from the model file, never written here.
 *
 * Shaped differently from the solution on purpose: the protocol lives in its own Router with its
 * own error handler, so "which error shape?" is decided by where a route is mounted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import * as ort from 'onnxruntime-web';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { serveExample } from '../../workbook/example-server.ts';

extendZodWithOpenApi(z);

const MODEL_PATH = path.resolve(process.env.MODEL_PATH?.trim() || path.join(path.dirname(fileURLToPath(import.meta.url)), 'model.onnx'));
const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
const MAX_BATCH = 256;
// Digits only, like PORT: "5e3" or "0x10" is a typo, not a delay.
const LOAD_DELAY_RAW = process.env.LOAD_DELAY_MS?.trim() || '0';
if (!/^\d{1,6}$/.test(LOAD_DELAY_RAW)) {
  console.error(`LOAD_DELAY_MS must be a whole number of milliseconds (0 to 999999), got ${JSON.stringify(LOAD_DELAY_RAW)}.`);
  process.exit(2);
}
const LOAD_DELAY_MS = Number(LOAD_DELAY_RAW);
const TYPES: Record<string, string> = { float32: 'FP32', float64: 'FP64', int32: 'INT32', int64: 'INT64', bool: 'BOOL', string: 'BYTES' };

// ---- The lifespan: listen, then load once (or stop) ------------------------------------------
// The server listens first, so a probe gets an answer while the model loads (live 200, ready
// 503), and the model is loaded beside it; one that cannot be loaded ends the process with a
// message naming the file. Until `loaded` is set, every route that needs the model answers 503.

interface Loaded {
  session: ort.InferenceSession;
  version: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}
let loaded: Loaded | undefined;

async function load(): Promise<Loaded> {
  const bytes = readFileSync(MODEL_PATH);
  const session = await ort.InferenceSession.create(bytes);
  const describe = (values: readonly ort.InferenceSession.ValueMetadata[]) =>
    values.map((value) => {
      if (!value.isTensor || !TYPES[value.type]) throw new Error(`"${value.name}" is not a tensor of a supported type (a ZipMap? export with zipmap=False)`);
      return { name: value.name, datatype: TYPES[value.type]!, shape: value.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) };
    });
  const inputs = describe(session.inputMetadata);
  const outputs = describe(session.outputMetadata);
  if (inputs.length !== 1 || inputs[0]!.datatype !== 'FP32') throw new Error(`this example feeds one FP32 input, the model has ${JSON.stringify(inputs)}`);
  if (!outputs.some((output) => output.datatype === 'FP32')) throw new Error('the model has no FP32 output to read probabilities from');
  return { session, version: createHash('sha256').update(bytes).digest('hex').slice(0, 12), inputs, outputs };
}

// ---- Schemas: they validate, and they are the docs --------------------------------------------

const Cm = z.number().refine((value) => Number.isFinite(Math.fround(value)), 'must fit a 32-bit float').openapi({ example: 5.1 });
const Flower = z.object({ sepal_length: Cm, sepal_width: Cm, petal_length: Cm, petal_width: Cm }).openapi('Flower');
const Flowers = z.array(Flower).min(1).max(MAX_BATCH).openapi('Flowers');
const Prediction = z
  .object({ label: z.enum(CLASSES), probabilities: z.object({ setosa: z.number(), versicolor: z.number(), virginica: z.number() }), model_version: z.string() })
  .openapi('Prediction');
const Tensor = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()), data: z.array(z.unknown()) });
const InferRequest = z
  .object({ id: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), inputs: z.array(Tensor), outputs: z.array(z.object({ name: z.string() })).optional() })
  .openapi('inference_request');
const InferResponse = z.object({ model_name: z.string(), id: z.string().optional(), outputs: z.array(Tensor) }).openapi('inference_response');
const MetadataTensor = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) }).openapi('metadata_tensor');
const ModelMetadata = z
  .object({ name: z.string(), platform: z.string(), inputs: z.array(MetadataTensor), outputs: z.array(MetadataTensor) })
  .openapi('metadata_model_response');
const ProtocolError = z.object({ error: z.string() }).openapi('inference_error_response');
const HTTPValidationError = z
  .object({ detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })) })
  .openapi('HTTPValidationError');

// ---- Inference ----------------------------------------------------------------------------------

class BadTensor extends Error {}

async function run({ session, inputs, outputs }: Loaded, request: z.infer<typeof InferRequest>) {
  const input = inputs[0]!;
  if (request.inputs.length !== 1 || request.inputs[0]!.name !== input.name) throw new BadTensor(`send exactly one input, "${input.name}"`);
  const { shape, datatype, data } = request.inputs[0]!;
  if (datatype !== 'FP32') throw new BadTensor('datatype must be FP32');
  const fits = shape.length === input.shape.length && shape.every((dim, index) => dim >= 1 && (input.shape[index] === -1 || dim === input.shape[index]));
  if (!fits || shape[0]! > MAX_BATCH) throw new BadTensor(`shape must fit ${JSON.stringify(input.shape)} with 1 to ${MAX_BATCH} rows`);
  // Nested no deeper than the shape's two dimensions: rows of values ([[...], [...]]) or flat.
  // Anything deeper leaves an array among the values, and the number check below refuses it.
  const flat = data.flatMap((item) => (Array.isArray(item) ? item : [item]));
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (flat.length !== size || !flat.every((value) => typeof value === 'number' && Number.isFinite(Math.fround(value)))) {
    throw new BadTensor(`data must be ${size} FP32 numbers, row-major`);
  }
  // No list and an empty list ask for the same thing, every output (as Triton reads it).
  const wanted = (request.outputs?.length ? request.outputs : outputs).map((output) => output.name);
  if (!wanted.every((name) => outputs.some((output) => output.name === name))) throw new BadTensor(`outputs are ${outputs.map((output) => output.name).join(', ')}`);
  const results = await session.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(flat as number[]), shape) });
  return {
    model_name: 'iris',
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs: wanted.map((name) => {
      const tensor = results[name] as ort.Tensor;
      // int64 arrives as BigInt64Array: JSON has no BigInt, so each becomes a number.
      const values = Array.from(tensor.data as ArrayLike<number | bigint>, (value) => (typeof value === 'bigint' ? Number(value) : value));
      return { name, datatype: outputs.find((output) => output.name === name)!.datatype, shape: [...tensor.dims], data: values };
    }),
  };
}

// ---- The protocol, in its own router with its own error shape --------------------------------

const v2 = express.Router();
v2.get('/health/live', (_req, res) => void res.json({ live: true }));
v2.get('/health/ready', (_req, res) => void res.status(loaded ? 200 : 503).json({ ready: loaded !== undefined }));
v2.get('/', (_req, res) => void res.json({ name: 'lesson 08 example', version: '1.0.0', extensions: [] }));
v2.use('/models/:name', (req, res, next) => (req.params.name === 'iris' ? next() : void res.status(404).json({ error: 'Unknown model' })));
v2.get('/models/:name/ready', (_req, res) => void res.status(loaded ? 200 : 503).json({ name: 'iris', ready: loaded !== undefined }));
v2.use('/models/:name', (_req, res, next) => (loaded ? next() : void res.status(503).json({ error: 'The model is still loading' })));
v2.get('/models/:name', (_req, res) => void res.json({ name: 'iris', platform: 'onnx_onnxv1', inputs: loaded!.inputs, outputs: loaded!.outputs }));
v2.post('/models/:name/infer', async (req, res) => {
  const parsed = InferRequest.safeParse(req.body);
  if (!parsed.success) return void res.status(400).json({ error: 'The body is not an inference request' });
  try {
    res.json(await run(loaded!, parsed.data));
  } catch (error) {
    if (error instanceof BadTensor) return void res.status(400).json({ error: error.message });
    throw error;
  }
});
v2.use((_req, res) => void res.status(404).json({ error: 'Not Found' }));
v2.use(errorHandler('error'));

// ---- The app -----------------------------------------------------------------------------------

/** One error handler per audience: the protocol's {"error"} or FastAPI's {"detail"}. Never an echo. */
function errorHandler(key: 'error' | 'detail'): express.ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return void next(error);
    const status = (error as { status?: unknown }).status;
    if (Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500) {
      return void res.status(status as number).json({ [key]: http.STATUS_CODES[status as number] ?? 'Bad Request' });
    }
    console.error(error);
    res.status(500).json({ [key]: 'Internal Server Error' });
  };
}

const app = express();
app.disable('x-powered-by');
// tritonclient sends its JSON with no Content-Type: under /v2 an untyped body is read as JSON.
const untypedProtocol = (req: http.IncomingMessage) => !req.headers['content-type'] && (req.url ?? '').startsWith('/v2');
app.use((req, res, next) => {
  if (req.is('application/json') !== false || untypedProtocol(req)) return next();
  const key = req.path.startsWith('/v2') ? 'error' : 'detail';
  res.status(415).json({ [key]: 'Send the body as JSON, with Content-Type: application/json' });
});
// The parser runs before the routers, so its errors (400 bad JSON, 413) are sorted by path here.
const parseJson = express.json({ limit: '1mb', type: (req) => untypedProtocol(req) || Boolean((req as express.Request).is('application/json')) });
app.use(parseJson, (error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) =>
  errorHandler(req.path.startsWith('/v2') ? 'error' : 'detail')(error, req, res, next),
);
app.use('/v2', v2);

app.post('/predict', async (req, res) => {
  const body: unknown = req.body;
  const parsed = Array.isArray(body) ? Flowers.safeParse(body) : Flower.safeParse(body);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => {
      let value: unknown = body;
      for (const key of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
      const type = issue.code === 'invalid_type' && value === undefined ? 'missing' : issue.code;
      return { loc: ['body', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))], msg: issue.message, type };
    });
    return void res.status(422).json({ detail });
  }
  if (!loaded) return void res.status(503).json({ detail: 'The model is still loading' });
  const { inputs, outputs, version } = loaded;
  const probabilities = outputs.find((output) => output.datatype === 'FP32')!;
  const flowers = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const answer = await run(loaded, { inputs: [{ name: inputs[0]!.name, datatype: 'FP32', shape: [flowers.length, 4], data: flowers.map((flower) => FEATURES.map((key) => flower[key])) }], outputs: [{ name: probabilities.name }] });
  const p = answer.outputs[0]!.data as number[];
  const predictions = flowers.map((_, row) => {
    const own = p.slice(row * 3, row * 3 + 3);
    return Prediction.parse({ label: CLASSES[own.indexOf(Math.max(...own))], probabilities: Object.fromEntries(CLASSES.map((name, c) => [name, own[c]])), model_version: version });
  });
  res.json(Array.isArray(body) ? predictions : predictions[0]);
});

// Docs: one document from the schemas above; Swagger UI and ReDoc from node_modules.
const registry = new OpenAPIRegistry();
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
registry.registerPath({
  method: 'post', path: '/predict', summary: 'Classify iris flowers',
  request: { body: { required: true, ...json(z.union([Flower, Flowers])) } },
  responses: {
    200: { description: 'Predictions', ...json(z.union([Prediction, z.array(Prediction)])) },
    422: { description: 'Validation error', ...json(HTTPValidationError) },
    503: { description: 'The model is still loading', ...json(z.object({ detail: z.string() })) },
  },
});
registry.registerPath({
  method: 'post', path: '/v2/models/{model_name}/infer', summary: 'Open Inference Protocol: inference',
  request: { params: z.object({ model_name: z.string() }), body: { required: true, ...json(InferRequest) } },
  responses: {
    200: { description: 'Every output, or those asked for', ...json(InferResponse) },
    400: { description: 'Bad tensors', ...json(ProtocolError) },
    404: { description: 'No such model', ...json(ProtocolError) },
    503: { description: 'The model is still loading', ...json(ProtocolError) },
  },
});
registry.registerPath({
  method: 'get', path: '/v2/models/{model_name}', summary: 'Open Inference Protocol: model metadata',
  request: { params: z.object({ model_name: z.string() }) },
  responses: {
    200: { description: 'Inputs and outputs, read from the model', ...json(ModelMetadata) },
    404: { description: 'No such model', ...json(ProtocolError) },
    503: { description: 'The model is still loading', ...json(ProtocolError) },
  },
});
const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 'Iris model server', version: '1.0.0' } });
app.get('/openapi.json', (_req, res) => void res.json(document));
app.use('/docs', swaggerUi.serveFiles(document), swaggerUi.setup(document, { swaggerOptions: { validatorUrl: null } }));
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
app.get('/redoc/redoc.standalone.js', (_req, res) => void res.sendFile(redocBundle));
app.get('/redoc', (_req, res) => {
  res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:");
  res.type('html').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Iris model server</title></head><body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>');
});
// The URL printed first: it answers 200 while the model loads too, and says whether it is ready.
app.get('/', (_req, res) =>
  void res.json({
    model: path.basename(MODEL_PATH),
    ready: loaded !== undefined,
    version: loaded?.version ?? 'loading',
    predict: 'POST /predict',
    protocol: ['GET /v2', 'GET /v2/health/live', 'GET /v2/health/ready', 'GET /v2/models/iris', 'GET /v2/models/iris/ready', 'POST /v2/models/iris/infer'],
    docs: ['/openapi.json', '/docs', '/redoc'],
  }),
);
app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' }));
app.use(errorHandler('detail'));

const url = await serveExample(app, {
  tryThis: [
    'open {url}/docs or {url}/redoc',
    "curl -s -w ' %{http_code}\\n' {url}/v2/health/ready     503 while the model loads, 200 once it is loaded",
  ],
  onClose: () => loaded?.session.release(),
});
const started = performance.now();
console.log(
  `Loading ${path.basename(MODEL_PATH)}` +
    (LOAD_DELAY_MS > 0 ? ` after a pretended ${LOAD_DELAY_MS} ms (LOAD_DELAY_MS): ready answers 503 meanwhile` : ': ready answers 503 until it is loaded (LOAD_DELAY_MS=5000 gives you time to see it)'),
);
try {
  if (LOAD_DELAY_MS > 0) await new Promise((resolve) => setTimeout(resolve, LOAD_DELAY_MS));
  loaded = await load();
} catch (error) {
  console.error(`Cannot serve ${MODEL_PATH}: ${(error as Error).message.split('\n')[0]}`);
  process.exit(1);
}
const { inputs, outputs, version } = loaded;
console.log(`Model ${path.basename(MODEL_PATH)} loaded in ${Math.round(performance.now() - started)} ms (version ${version}), ready: input ${JSON.stringify(inputs[0])}, outputs ${JSON.stringify(outputs)}`);
console.log(`  curl -s ${url}/predict -H 'content-type: application/json' -d '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'`);
console.log(
  `  curl -s ${url}/v2/models/iris/infer -H 'content-type: application/json' -d '{"inputs": [{"name": "${inputs[0]!.name}", "datatype": "FP32", "shape": [1, 4], "data": [6.3, 3.3, 6.0, 2.5]}]}'`,
);
