/**
 * Lesson 08 — serve a model. Welcome! Here the whole workbook comes together: a trained model
 * file, loaded once, served behind a validated, documented HTTP API that speaks the protocol real
 * model servers speak (the Open Inference Protocol: KServe, Triton, Seldon MLServer, OpenVINO).
 *
 * Fill in each TODO, then run `npm test -- 08` (or keep `npm start` open: it reruns on save).
 * `npm run example -- 08` serves a finished one; the README beside this file explains every idea
 * used here, and `npm run hint -- 08` helps when you are stuck.
 *
 * The model: model.onnx beside this file (train.ts wrote it from iris.csv). It takes FP32 rows of
 * 4 measurements in cm and answers the probabilities of setosa, versicolor and virginica. Read its
 * names, types and shapes from the model: another model (MODEL_PATH) may call them differently.
 *
 * The API (answers under /v2 are the protocol's; errors there are {"error": "..."}):
 *   GET  /v2/health/live        200 {"live": true}
 *   GET  /v2/health/ready       200 {"ready": true} once the model is loaded, 503 {"ready": false} before
 *   GET  /v2                    200 {"name", "version", "extensions": []}
 *   GET  /v2/models/iris        200 {"name": "iris", "platform": "onnx_onnxv1", "inputs": [...], "outputs": [...]}
 *   GET  /v2/models/iris/ready  200 {"name": "iris", "ready": true}, 503 (ready: false) before loading
 *   POST /v2/models/iris/infer  an inference request → 200 an inference response, 400 {"error"}
 *   any other model name        404 {"error": "..."}
 *   POST /predict               {"sepal_length": 5.1, ...} or a list of them → 200 a prediction or a list
 *   GET  /openapi.json, /docs, /redoc  the documentation (given below, ready to mount)
 * Outside /v2 errors are FastAPI's: 422 {"detail": [{loc, msg, type}]}, {"detail": "..."} otherwise.
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
  /** Default 127.0.0.1: loopback only (given no host at all, listen() takes every address). */
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
// Your part
// ---------------------------------------------------------------------------------------------

/**
 * Loads an ONNX model with onnxruntime-web and describes it in the protocol's words.
 * Every input and output comes from the session's metadata: its name, its datatype in the
 * protocol's spelling (float32 → "FP32", int64 → "INT64", float64 → "FP64", int32 → "INT32",
 * bool → "BOOL", ...: a table, since upper-casing onnxruntime's name gives "FLOAT64"), its shape
 * with every named (variable) dimension written as -1 and every fixed one as its number, the
 * first one too (a model made for one row is [1, 4]).
 * @param file the path of the .onnx file
 * @returns the Model, its `version` the first 12 hex digits of the SHA-256 of the file's bytes
 * @throws an Error whose message contains `file` when the file is missing or is not a model
 *   onnxruntime can load, or when an input is not FP32 (this server feeds FP32 only)
 */
export async function loadModel(file: string): Promise<Model> {
  // TODO 1: read the file, create the session from its bytes, describe its inputs and outputs.
  throw new Error('loadModel is not written yet');
}

/**
 * Runs one Open Inference Protocol request on the model.
 * The request (`body`, any JSON value) must follow InferenceRequestSchema, and then fit the model:
 * every model input given exactly once, by name, no other names; `datatype` the model's, spelled
 * exactly ("FP32"; "fp32" and "float32" are refused);
 * `shape` as many dimensions as the model's, each fixed one equal, the variable first one (the
 * batch) from 1 to MAX_BATCH; `data` row-major, flat or nested no deeper than the shape has
 * dimensions, exactly as many values as the shape holds, each a number that stays finite as a 32-bit float. `outputs` picks the outputs to
 * return, in its order (each must exist); absent or empty (`[]`, as Triton reads it), it asks for
 * every model output, in the model's order.
 * @returns {"model_name": "iris", "id" (only when the request had one), "outputs": [{name, datatype,
 *   shape, data}]}: each output's datatype from the model, its shape the real one, its data flat,
 *   as plain JSON numbers (an INT64 output arrives as BigInts: convert them)
 * @throws InferenceError (status 400) for anything the client got wrong, with a message saying
 *   what; never a message that quotes the client's values back
 */
export async function infer(model: Model, body: unknown): Promise<InferenceResponse> {
  // TODO 2: check the request against the schema and the model, run the session, shape the answer.
  throw new Error('infer is not written yet');
}

// TODO 3 (with predict below): the schemas of /predict.
// Give FlowerSchema and PredictionSchema a component name each, with .openapi('...') at the end:
// the docs below then show them by name, as FastAPI shows a pydantic model by its class name.
// 'Flower' and 'Prediction' say it best; the names are yours. The other three may have one or not.

/** One flower: the four FEATURES, each a number that stays finite as a 32-bit float. */
export const FlowerSchema = z.object({});

/** A list of 1 to MAX_BATCH flowers. */
export const FlowerListSchema = z.array(z.unknown());

/** What POST /predict accepts: one flower or a list (documentation; the app may use the two above). */
export const PredictRequestSchema = z.unknown();

/** One prediction: `label`, `probabilities` (the three classes by name), `model_version`; nothing else. */
export const PredictionSchema = z.object({});

/** What POST /predict answers: one prediction, or a list for a list. */
export const PredictResponseSchema = z.unknown();

/**
 * Classifies flowers with the model, through infer: one row per flower, FEATURES in order, fed to
 * the model's (first) input; the probabilities are the model's first FP32 output, CLASSES in order.
 * @returns one Prediction per flower, in order, each exactly PredictionSchema's fields
 */
export async function predict(model: Model, flowers: Flower[]): Promise<Prediction[]> {
  // TODO 3: build the request, call infer, turn each row of probabilities into a Prediction.
  throw new Error('predict is not written yet');
}

/**
 * The app: every route in the comment at the top of this file, and the docs (mountDocs below).
 * `model` may still be loading: until it resolves, both ready endpoints answer 503, and /infer,
 * /v2/models/iris and /predict answer 503 too (live is 200 all along). A rejected `model` keeps
 * them at 503; reporting that failure is startServer's job.
 * Errors: under /v2 `{"error": "..."}`; elsewhere FastAPI's `{"detail": ...}` — 422 with
 * `[{loc, msg, type}]` for a /predict body that fails its schema, each problem at its place:
 * `["body", "petal_width"]` in a flower, `["body", 1, "petal_width"]` in the second of a list (an
 * absent field has type "missing"; a field sent as null is there, so it keeps zod's "invalid_type").
 * Everywhere: a body that is not JSON 400, sent with another Content-Type than application/json
 * 415, over 1 MB 413 (express.json's default limit is 100 kB: raise it, so that a 200 kB request
 * reaches the routes), an unknown path 404, a bug of ours 500
 * (logged with console.error). One exception: under /v2 a body with no Content-Type at all is read
 * as JSON (Triton's Python client, tritonclient, sends its JSON that way); elsewhere it is a 415.
 * Never echo the client's body or a parser's message.
 * @returns a new Express app
 */
export function createApp(model: Model | Promise<Model>): express.Express {
  // TODO 4: the routes, readiness, the two error shapes — and mountDocs(app).
  throw new Error('createApp is not written yet');
}

/**
 * FastAPI's lifespan: load the model once, then serve it.
 * @returns once the model is loaded and the server listens on host:port
 * @throws loadModel's error (naming the file) when the model cannot be loaded; the listen's own
 *   error (e.g. code EADDRINUSE) when it cannot listen, after releasing the session it loaded.
 *   Either way nothing is left listening and no session is left open.
 */
export async function startServer(options: StartOptions): Promise<Started> {
  // TODO 5: loadModel, then listen with createApp(model); close() frees the port and the session.
  throw new Error('startServer is not written yet');
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

// Imported for the TODOs; this line keeps the imports in use until then. You may delete it.
void [createHash, readFile, http, ort, express, {} as AddressInfo];
