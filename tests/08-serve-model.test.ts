import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import Ajv2020 from 'ajv/dist/2020.js';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  buildDocument,
  FlowerListSchema,
  FlowerSchema,
  InferenceError,
  InferenceResponseSchema,
  MAX_BATCH,
  PredictionSchema,
  createApp,
  infer,
  loadModel,
  predict,
  startServer,
  type Flower,
  type Model,
} from '#exercise/08-serve-model';
import { CLASSES, decodeWeights, predictProbabilities, readIris } from '../lessons/08-serve-model/train.ts';
import { garbage, IRIS_MODEL, writeOtherModels, type OtherModels } from './support/08-models.ts';
import { seeded } from './support/random.ts';
import { call, canBind, freePort, serve, type Running } from './support/http.ts';

// Sessions load slowly on a busy machine (WebAssembly compiles first) and the garbage test sends
// 300 requests: more time per test than the project's 15 s default.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const show = (value: unknown) => (value === undefined ? '(nothing)' : JSON.stringify(value));
/** What was thrown, on one line: its name and the start of its message. */
const errorLine = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message.replace(/\s+/g, ' ').slice(0, 160)}` : String(error));

// Loading a session costs a second or two (onnxruntime compiles its WebAssembly once per process),
// so the suite loads each model once and shares it; every session is released at the end.
const opened: Model[] = [];
const cache = new Map<string, Promise<Model>>();
function shared(file: string): Promise<Model> {
  let loading = cache.get(file);
  if (!loading) {
    loading = loadModel(file).then((model) => (opened.push(model), model));
    loading.catch(() => undefined); // a failed load is reported by each test that awaits it
    cache.set(file, loading);
  }
  return loading;
}

let other: OtherModels;
beforeAll(() => {
  other = writeOtherModels();
});
afterAll(async () => {
  for (const model of opened) await model.session?.release?.().catch(() => undefined);
  rmSync(other.dir, { recursive: true, force: true });
});

const iris = readIris();
// train.ts's probabilities from the weights it wrote into model.onnx: retraining here would cost
// every run most of a second, and `npm run check` already retrains to the committed file (--verify).
const expected = predictProbabilities(decodeWeights(readFileSync(IRIS_MODEL)), iris.features);
const KNOWN: [string, number[]][] = [
  ['setosa', [5.1, 3.5, 1.4, 0.2]],
  ['versicolor', [7.0, 3.2, 4.7, 1.4]],
  ['virginica', [6.3, 3.3, 6.0, 2.5]],
];
const flowerOf = ([sepal_length, sepal_width, petal_length, petal_width]: number[]): Flower =>
  ({ sepal_length, sepal_width, petal_length, petal_width }) as Flower;
const row = (values: number[], name = 'features') => ({ name, datatype: 'FP32', shape: [1, 4], data: values });

/** infer's result, or what it threw. */
async function attempt(model: Model, body: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await infer(model, body) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** An app (createApp) on a free port for the tests of the enclosing describe. */
function useApp(model: () => Model | Promise<Model>): () => string {
  let running: Running | undefined;
  let failure: unknown;
  beforeAll(async () => {
    // A failure here is reported by each test (a failing hook would only mark them skipped).
    try {
      const value = model();
      // Marked as handled here (a stub createApp never looks at it); createApp still sees a rejection.
      if (value instanceof Promise) value.catch(() => undefined);
      running = await serve(createApp(value));
    } catch (error) {
      failure = error;
    }
  });
  afterAll(async () => {
    await running?.close();
  });
  return () => {
    if (!running) throw failure;
    return running.url;
  };
}

/** Whether something can listen on host (any port) here. */
async function canListen(host: string): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

// ---------------------------------------------------------------------------------------------

describe('TODO 1: load the model and read its metadata', () => {
  test('the iris model: names, datatypes and shapes from the model, a variable batch as -1', async () => {
    const model = await shared(IRIS_MODEL);
    expect(model.inputs, 'loadModel(model.onnx).inputs').toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
    expect(model.outputs, 'loadModel(model.onnx).outputs').toEqual([{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }]);
  });

  test('version is the first 12 hex digits of the SHA-256 of the file', async () => {
    const model = await shared(IRIS_MODEL);
    const hash = createHash('sha256').update(readFileSync(IRIS_MODEL)).digest('hex').slice(0, 12);
    expect(model.version, 'loadModel(model.onnx).version').toBe(hash);
  });

  test('another model (skl2onnx\'s names, an int64 label first) is described as it is, in its order', async () => {
    const model = await shared(other.sklearnStyle);
    expect(model.inputs, 'inputs of a model with input "float_input"').toEqual([{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }]);
    expect(model.outputs, 'outputs of a model with "label" (int64, [N]) and "probabilities" (float, [N, 3])').toEqual([
      { name: 'label', datatype: 'INT64', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    ]);
    expect(model.version, 'a different file has a different version').not.toBe((await shared(IRIS_MODEL)).version);
  });

  test('other datatypes by the protocol\'s names: float64 → "FP64", int32 → "INT32", bool → "BOOL"', async () => {
    const model = await shared(other.fixedBatch);
    expect(
      model.outputs.map(({ name, datatype }) => ({ name, datatype })),
      'loadModel(a model whose outputs are float64, int32 and bool).outputs: each datatype by the protocol\'s name, from a table ' +
        '(onnxruntime\'s "float64" upper-cased is "FLOAT64", which is no protocol name)',
    ).toEqual([
      { name: 'probabilities64', datatype: 'FP64' },
      { name: 'label32', datatype: 'INT32' },
      { name: 'likely', datatype: 'BOOL' },
    ]);
  });

  test('a fixed first dimension stays its number: only a named dimension is -1', async () => {
    const model = await shared(other.fixedBatch);
    const fixed = 'a dimension that is a number stays that number, the first one too; only a named one (a string such as "batch") is written -1';
    expect(model.inputs, `loadModel(a model whose input is [1, 4], no named dimension).inputs: ${fixed}`).toEqual([{ name: 'features', datatype: 'FP32', shape: [1, 4] }]);
    expect(model.outputs.map((output) => output.shape), `the shapes of its outputs, fixed at one row too: ${fixed}`).toEqual([[1, 3], [1], [1, 3]]);
  });

  test.each([
    ['a missing file', () => other.missing],
    ['a file that is not a model', () => other.corrupt],
    ['a model with an FP64 input', () => other.doubleInput],
  ])('%s: loadModel rejects with an Error naming the path', async (_what, file) => {
    const error = await loadModel(file()).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error, `loadModel(${file()}) should reject`).toBeInstanceOf(Error);
    expect((error as Error).message, 'the message should contain the path, so the log says which file').toContain(file());
    expect((error as Error).message, 'the stub\'s message is not an answer').not.toMatch(/not written yet/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 2: infer, the Open Inference Protocol on a loaded model', () => {
  test.each(KNOWN)('a %s flower gets its class (flat data)', async (species, values) => {
    const model = await shared(IRIS_MODEL);
    const answer = await infer(model, { inputs: [row(values)] });
    expect(answer.model_name, 'model_name').toBe('iris');
    expect(answer.outputs.map((output) => output.name), 'the outputs returned when none were asked for: all of them').toEqual(['probabilities']);
    const [output] = answer.outputs;
    expect(output?.datatype, 'datatype of "probabilities"').toBe('FP32');
    expect(output?.shape, 'shape of "probabilities" for one row').toEqual([1, 3]);
    const p = output?.data as number[];
    expect(CLASSES[p.indexOf(Math.max(...p))], `class of ${show(values)}; probabilities ${show(p)}`).toBe(species);
  });

  test('all 150 rows in one batch, nested data: the training script\'s probabilities within 1e-5, each row summing to 1', async () => {
    const model = await shared(IRIS_MODEL);
    const answer = await infer(model, { inputs: [{ name: 'features', datatype: 'FP32', shape: [150, 4], data: iris.features }] });
    const [output] = answer.outputs;
    expect(output?.shape, 'shape for 150 rows').toEqual([150, 3]);
    const data = output?.data as number[];
    expect(data, 'data is flat: 450 numbers').toHaveLength(450);
    for (let index = 0; index < 150; index++) {
      const got = data.slice(index * 3, index * 3 + 3);
      const sum = got.reduce((total, value) => total + value, 0);
      expect(Math.abs(sum - 1), `row ${index}: probabilities ${show(got)} should sum to 1`).toBeLessThan(1e-5);
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(got[c]! - expected[index]![c]!), `row ${index}: ${show(got)} vs train.ts's ${show(expected[index])}`).toBeLessThan(1e-5);
      }
    }
  });

  test('the request id comes back; an INT64 output comes back as JSON numbers', async () => {
    const model = await shared(other.sklearnStyle);
    const answer = await infer(model, { id: 'req-42', inputs: [{ name: 'float_input', datatype: 'FP32', shape: [3, 4], data: KNOWN.map(([, values]) => values) }] });
    expect(answer.id, 'id given in the request').toBe('req-42');
    expect(answer.outputs.map((output) => output.name), 'every output, in the model\'s order').toEqual(['label', 'probabilities']);
    const label = answer.outputs[0]!;
    expect(label.datatype, 'datatype of the int64 output').toBe('INT64');
    expect(label.shape, 'shape of "label" for 3 rows').toEqual([3]);
    expect(label.data, 'label data: plain numbers (BigInt cannot be JSON)').toEqual([0, 1, 2]);
    expect(JSON.parse(JSON.stringify(answer)), 'the answer survives JSON.stringify').toEqual(answer);
  });

  test('no "id" in the request, no "id" in the answer', async () => {
    const model = await shared(IRIS_MODEL);
    const answer = await infer(model, { inputs: [row(KNOWN[0]![1])] });
    expect(answer.id, `infer(a request without "id") answered ${show(answer).slice(0, 200)}: "id" comes back only when the request had one`).toBeUndefined();
  });

  test('a model whose batch is fixed at one row: shape [1, 4] is served, shape [2, 4] is a 400', async () => {
    const model = await shared(other.fixedBatch);
    const one = await infer(model, { inputs: [row(KNOWN[2]![1])] });
    expect(
      one.outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
      'infer(shape [1, 4]) on a model with input [1, 4]: every output, its datatype from the model, its real shape',
    ).toEqual([
      { name: 'probabilities64', datatype: 'FP64', shape: [1, 3] },
      { name: 'label32', datatype: 'INT32', shape: [1] },
      { name: 'likely', datatype: 'BOOL', shape: [1, 3] },
    ]);
    const two = await attempt(model, { inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 4], data: [KNOWN[0]![1], KNOWN[2]![1]] }] });
    const refusal = two.ok ? `it answered ${show(two.value).slice(0, 200)}` : `it threw ${String(two.error)}`;
    expect(
      two.ok ? undefined : two.error,
      `infer(shape [2, 4]) on a model whose input is fixed at [1, 4]: a fixed dimension must be equal, so an InferenceError (400); ${refusal}`,
    ).toBeInstanceOf(InferenceError);
    expect((two as { error: InferenceError }).error.status, 'status of that InferenceError').toBe(400);
  });

  test('"outputs" picks which outputs come back, in the order asked', async () => {
    const model = await shared(other.sklearnStyle);
    const inputs = [row(KNOWN[0]![1], 'float_input')];
    const one = await infer(model, { inputs, outputs: [{ name: 'probabilities' }] });
    expect(one.outputs.map((output) => output.name), 'outputs: [probabilities]').toEqual(['probabilities']);
    const both = await infer(model, { inputs, outputs: [{ name: 'probabilities' }, { name: 'label' }] });
    expect(both.outputs.map((output) => output.name), 'outputs: [probabilities, label]').toEqual(['probabilities', 'label']);
  });

  test('"outputs": [] asks for what no "outputs" asks for: every output, in the model\'s order, with its data', async () => {
    const model = await shared(other.sklearnStyle);
    const answer = await infer(model, { inputs: [{ name: 'float_input', datatype: 'FP32', shape: [2, 4], data: [KNOWN[0]![1], KNOWN[2]![1]] }], outputs: [] });
    expect(answer.outputs.map((output) => output.name), 'infer(2 rows, "outputs": []): the names of the outputs returned').toEqual(['label', 'probabilities']);
    const [label, probabilities] = answer.outputs;
    expect([label?.shape, label?.data], 'infer(2 rows, "outputs": []): the "label" output\'s shape and data').toEqual([[2], [0, 2]]);
    expect(probabilities?.shape, 'infer(2 rows, "outputs": []): the "probabilities" output\'s shape').toEqual([2, 3]);
    expect(probabilities?.data, 'infer(2 rows, "outputs": []): 6 probabilities').toHaveLength(6);
  });

  test(`a batch of exactly MAX_BATCH (${MAX_BATCH}) rows is served`, async () => {
    const model = await shared(IRIS_MODEL);
    const data = Array.from({ length: MAX_BATCH }, (_, index) => iris.features[index % 150]!);
    const answer = await infer(model, { inputs: [{ name: 'features', datatype: 'FP32', shape: [MAX_BATCH, 4], data }] });
    expect(answer.outputs[0]?.shape, `shape for ${MAX_BATCH} rows`).toEqual([MAX_BATCH, 3]);
  });

  const deep = (() => {
    let data: unknown = [5.1, 3.5, 1.4, 0.2];
    for (let level = 0; level < 100_000; level++) data = [data];
    return data;
  })();
  const SECRET = 'zz-SECRET-9f3';
  test.each([
    ['a body that is not an object', 'inputs'],
    ['no "inputs"', {}],
    ['"inputs" not an array', { inputs: row([1, 2, 3, 4]) }],
    ['no input at all', { inputs: [] }],
    ['an unknown input name', { inputs: [row([5.1, 3.5, 1.4, 0.2], SECRET)] }],
    ['the input twice', { inputs: [row([5.1, 3.5, 1.4, 0.2]), row([5.1, 3.5, 1.4, 0.2])] }],
    ['datatype FP64', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), datatype: 'FP64' }] }],
    ['datatype INT32', { inputs: [{ ...row([5, 3, 1, 0]), datatype: 'INT32' }] }],
    ['datatype "float32" (onnxruntime\'s name; the protocol\'s is "FP32")', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), datatype: 'float32' }] }],
    ['datatype "fp32" (the protocol\'s names are compared exactly: "FP32")', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), datatype: 'fp32' }] }],
    ['an extra, unknown input beside the right one (no other names)', { inputs: [row([5.1, 3.5, 1.4, 0.2]), row([5.1, 3.5, 1.4, 0.2], SECRET)] }],
    ['shape [1, 5] (5 features)', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2, 1]), shape: [1, 5] }] }],
    ['shape [4] (no batch dimension)', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), shape: [4] }] }],
    ['shape [1, 4, 1] (one dimension too many)', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), shape: [1, 4, 1] }] }],
    ['shape [-1, 4]', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), shape: [-1, 4] }] }],
    ['shape [1.5, 4]', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2]), shape: [1.5, 4] }] }],
    ['a batch of 0 rows', { inputs: [{ ...row([]), shape: [0, 4] }] }],
    [`a batch of ${MAX_BATCH + 1} rows (over MAX_BATCH)`, { inputs: [{ ...row(Array(4 * (MAX_BATCH + 1)).fill(1)), shape: [MAX_BATCH + 1, 4] }] }],
    ['3 values for shape [1, 4]', { inputs: [row([5.1, 3.5, 1.4])] }],
    ['5 values for shape [1, 4]', { inputs: [row([5.1, 3.5, 1.4, 0.2, 9])] }],
    ['8 values for shape [1, 4]', { inputs: [row([5.1, 3.5, 1.4, 0.2, 5.1, 3.5, 1.4, 0.2])] }],
    ['a string value', { inputs: [row([5.1, '3.5', 1.4, 0.2] as never)] }],
    ['a boolean value', { inputs: [row([5.1, true, 1.4, 0.2] as never)] }],
    ['a null value', { inputs: [row([5.1, null, 1.4, 0.2] as never)] }],
    ['1e39 (finite in JSON, Infinity as a float32)', { inputs: [row([5.1, 1e39, 1.4, 0.2])] }],
    ['data nested 100,000 levels deep (nested deeper than the shape [1, 4]: a 400, found without recursion, so no stack overflow)', { inputs: [{ ...row([]), data: deep }] }],
    ['data nested one level deeper than the shape [1, 4] ([[[5.1, 3.5, 1.4, 0.2]]]: nested deeper than the shape)', { inputs: [{ ...row([]), data: [[[5.1, 3.5, 1.4, 0.2]]] }] }],
    ['an id that is not a string', { id: 42, inputs: [row([5.1, 3.5, 1.4, 0.2])] }],
    ['a parameter whose value is an object', { parameters: { [SECRET]: { deep: true } }, inputs: [row([5.1, 3.5, 1.4, 0.2])] }],
    ['an unknown output asked for', { inputs: [row([5.1, 3.5, 1.4, 0.2])], outputs: [{ name: SECRET }] }],
  ])('%s → InferenceError, status 400, not echoing what was sent', async (what, body) => {
    const model = await shared(IRIS_MODEL);
    const result = await attempt(model, body);
    expect(result.ok, `infer(${what}) should throw an InferenceError, it answered ${result.ok ? show(result.value).slice(0, 200) : ''}`).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error, `infer(${what}) should throw an InferenceError; it threw ${String(error)}`).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).status, `status of the InferenceError for ${what}`).toBe(400);
    expect((error as Error).message, 'the message says what is wrong').not.toBe('');
    expect((error as Error).message, 'the message must not quote the client\'s values back').not.toContain(SECRET);
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 3: /predict\'s schemas and predict()', () => {
  const good = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

  // Each test checks a flower that must pass too: a schema that accepts everything passes no test.
  const acceptsFlowers = () => {
    for (const flower of [good, { sepal_length: 7.9, sepal_width: 3.8, petal_length: 6.4, petal_width: 2.5 }]) {
      expect(FlowerSchema.safeParse(flower).data, `FlowerSchema.safeParse(${show(flower)}).data`).toEqual(flower);
    }
  };

  test.each([
    ['no sepal_length', { sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
    ['a string', { ...good, petal_width: '0.2' }],
    ['null', { ...good, petal_width: null }],
    ['1e39 (Infinity as a float32)', { ...good, petal_width: 1e39 }],
    ['Infinity', { ...good, petal_width: Infinity }],
    ['NaN', { ...good, petal_width: NaN }],
    ['a list', [good]],
    ['a string body', '5.1'],
  ])('FlowerSchema takes a flower, refuses %s', (_what, value) => {
    acceptsFlowers();
    expect(FlowerSchema.safeParse(value).success, `FlowerSchema.safeParse(${show(value)}).success`).toBe(false);
  });

  test.each([
    [0, false],
    [1, true],
    [MAX_BATCH, true],
    [MAX_BATCH + 1, false],
  ])('FlowerListSchema on a list of %i flowers → %s, and it checks every flower', (length, ok) => {
    expect(FlowerListSchema.safeParse(Array(length).fill(good)).success, `FlowerListSchema on ${length} flowers`).toBe(ok);
    expect(FlowerListSchema.safeParse([good, { ...good, sepal_width: 'wide' }]).success, 'a list whose second flower is bad').toBe(false);
  });

  test('the docs show the flower and the prediction by name, as FastAPI shows its pydantic models', () => {
    // Which name is the learner's choice: a named schema (a component) is recognised by its fields.
    const schemas = (buildDocument() as { components?: { schemas?: Record<string, { properties?: object }> } }).components?.schemas ?? {};
    const named = (fields: string[]) =>
      Object.keys(schemas).filter((name) => show(Object.keys(schemas[name]?.properties ?? {}).sort()) === show([...fields].sort()));
    expect(
      named(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']),
      `buildDocument()'s named schemas are ${show(Object.keys(schemas))}, and none of them is the flower (its four fields): ` +
        'give FlowerSchema a component name, e.g. .openapi(\'Flower\')',
    ).not.toEqual([]);
    expect(
      named(['label', 'probabilities', 'model_version']),
      `buildDocument()'s named schemas are ${show(Object.keys(schemas))}, and none of them is the prediction (label, probabilities, model_version): ` +
        'give PredictionSchema a component name, e.g. .openapi(\'Prediction\')',
    ).not.toEqual([]);
  });

  test('PredictionSchema keeps label, probabilities and model_version, strips anything else', () => {
    const prediction = { label: 'setosa', probabilities: { setosa: 0.9, versicolor: 0.1, virginica: 0 }, model_version: 'abc' };
    const parsed = PredictionSchema.safeParse({ ...prediction, logits: [1, 2, 3], debug: true });
    expect(parsed.success, 'PredictionSchema.safeParse(a prediction with extra keys).success').toBe(true);
    expect(parsed.data, 'the parsed prediction: extra keys stripped').toEqual(prediction);
    expect(PredictionSchema.safeParse({ ...prediction, label: 'rose' }).success, 'label "rose" is no class').toBe(false);
    expect(PredictionSchema.safeParse({ label: 'setosa', model_version: 'abc' }).success, 'no probabilities').toBe(false);
  });

  test('predict: known flowers get their class, the probabilities by class name, the model\'s version', async () => {
    const model = await shared(IRIS_MODEL);
    const predictions = await predict(model, KNOWN.map(([, values]) => flowerOf(values)));
    expect(predictions.map((prediction) => prediction.label), 'labels of the setosa, versicolor and virginica flowers').toEqual(KNOWN.map(([species]) => species));
    for (const [index, prediction] of predictions.entries()) {
      expect(Object.keys(prediction).sort(), `keys of prediction ${index}: exactly the response model's`).toEqual(['label', 'model_version', 'probabilities']);
      expect(Object.keys(prediction.probabilities).sort(), 'probabilities by class name').toEqual([...CLASSES].sort());
      const sum = CLASSES.reduce((total, name) => total + prediction.probabilities[name], 0);
      expect(Math.abs(sum - 1), `probabilities ${show(prediction.probabilities)} sum to 1`).toBeLessThan(1e-5);
      expect(prediction.model_version, 'model_version').toBe(model.version);
    }
    const row0 = predictions[0]!.probabilities;
    expect(Math.abs(row0.setosa - expected[0]![0]!), `setosa probability of row 0 vs train.ts's ${expected[0]![0]}`).toBeLessThan(1e-5);
  });

  test('predict puts FEATURES in their order whatever the order of the flower\'s keys', async () => {
    const model = await shared(IRIS_MODEL);
    const [species, values] = KNOWN[0]!;
    const [sepal_length, sepal_width, petal_length, petal_width] = values;
    // The same flower, its keys written backwards: the row must still be FEATURES in order, not Object.values.
    const backwards = { petal_width, petal_length, sepal_width, sepal_length } as unknown as Flower;
    const [prediction] = await predict(model, [backwards]);
    expect(prediction?.label, `predict([${show(backwards)}]): build each row as FEATURES.map((name) => flower[name])`).toBe(species);
    expect(Math.abs(prediction!.probabilities.setosa - expected[0]![0]!), `setosa probability of ${show(backwards)} vs train.ts's ${expected[0]![0]}`).toBeLessThan(1e-5);
  });

  test('predict reads the names from the model: skl2onnx\'s names, label output first', async () => {
    const model = await shared(other.sklearnStyle);
    const predictions = await predict(model, KNOWN.map(([, values]) => flowerOf(values))).catch((error: unknown) =>
      expect.fail(
        `predict on a model whose outputs are "label" (INT64, first) and "probabilities" (FP32) threw ${errorLine(error)}: ` +
          'read the probabilities from the model\'s first FP32 output ("probabilities" here), not from its first output',
      ),
    );
    expect(predictions.map((prediction) => prediction.label), 'labels from the other model').toEqual(KNOWN.map(([species]) => species));
    expect(predictions[2]!.probabilities.virginica, 'virginica probability of the virginica flower').toBeGreaterThan(0.5);
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 4: the app', () => {
  describe('the protocol\'s health and metadata', () => {
    const base = useApp(() => shared(IRIS_MODEL));

    test('GET /v2/health/live → 200 {"live": true}; GET /v2/health/ready → 200 {"ready": true}', async () => {
      await shared(IRIS_MODEL);
      const root = base();
      await vi.waitFor(async () => expect((await call(root, 'GET', '/v2/health/ready')).status).toBe(200), { timeout: 5000 });
      expect((await call(base(), 'GET', '/v2/health/live')).json, 'GET /v2/health/live').toEqual({ live: true });
      const ready = await call(base(), 'GET', '/v2/health/ready');
      expect([ready.status, ready.json], 'GET /v2/health/ready once loaded').toEqual([200, { ready: true }]);
    });

    test('GET /v2 → the server\'s name, version and (no) extensions', async () => {
      const answer = await call(base(), 'GET', '/v2');
      expect(answer.status, 'GET /v2').toBe(200);
      const body = answer.json as Record<string, unknown>;
      expect(typeof body.name === 'string' && body.name !== '', `GET /v2 name: ${show(body)}`).toBe(true);
      expect(typeof body.version, `GET /v2 version: ${show(body)}`).toBe('string');
      expect(body.extensions, 'GET /v2 extensions').toEqual([]);
    });

    test('GET /v2/models/iris → name, platform, inputs and outputs from the model; /ready → {"name": "iris", "ready": true}', async () => {
      const model = await shared(IRIS_MODEL);
      const answer = await call(base(), 'GET', '/v2/models/iris');
      expect(answer.status, 'GET /v2/models/iris').toBe(200);
      const body = answer.json as Record<string, unknown>;
      expect(body.name, 'name').toBe('iris');
      expect(body.platform, `platform: ${show(body)}`).toBe('onnx_onnxv1');
      expect(body.inputs, 'inputs').toEqual(model.inputs);
      expect(body.outputs, 'outputs').toEqual(model.outputs);
      const ready = await call(base(), 'GET', '/v2/models/iris/ready');
      expect([ready.status, ready.json], 'GET /v2/models/iris/ready').toEqual([200, { name: 'iris', ready: true }]);
    });

    test.each([
      ['GET', '/v2/models/roses'],
      ['GET', '/v2/models/roses/ready'],
      ['POST', '/v2/models/roses/infer'],
    ])('%s %s (no such model) → 404 {"error": "..."}', async (method, url) => {
      const answer = await call(base(), method, url, method === 'POST' ? { inputs: [row([5.1, 3.5, 1.4, 0.2])] } : undefined);
      expect(answer.status, `${method} ${url}`).toBe(404);
      expect(typeof (answer.json as { error?: unknown })?.error, `${method} ${url} body ${answer.text}: the protocol's {"error": "..."}`).toBe('string');
    });

    test('POST /v2/models/iris/infer → 200, a response that fits the protocol\'s schema', async () => {
      const answer = await call(base(), 'POST', '/v2/models/iris/infer', { id: '7', inputs: [row([6.3, 3.3, 6.0, 2.5])] });
      expect(answer.status, `POST /v2/models/iris/infer: ${answer.text}`).toBe(200);
      expect(InferenceResponseSchema.safeParse(answer.json).success, `the answer ${answer.text} fits inference_response`).toBe(true);
      const body = answer.json as { id: string; outputs: { data: number[] }[] };
      expect(body.id, 'id').toBe('7');
      const p = body.outputs[0]!.data;
      expect(CLASSES[p.indexOf(Math.max(...p))], 'class of a virginica flower').toBe('virginica');
    });

    test.each([
      ['a wrong shape', { inputs: [{ ...row([5.1, 3.5, 1.4, 0.2, 1]), shape: [1, 5] }] }],
      ['data that does not fill the shape', { inputs: [row([5.1, 3.5, 1.4])] }],
      ['a wrong datatype', { inputs: [{ ...row([5, 3, 1, 0]), datatype: 'INT64' }] }],
      ['a missing input', { inputs: [] }],
      [`a batch over ${MAX_BATCH}`, { inputs: [{ ...row(Array(4 * (MAX_BATCH + 1)).fill(1)), shape: [MAX_BATCH + 1, 4] }] }],
      ['no inputs field', { id: 'x' }],
    ])('POST /v2/models/iris/infer with %s → 400 {"error": "..."}', async (what, body) => {
      const answer = await call(base(), 'POST', '/v2/models/iris/infer', body);
      expect(answer.status, `POST /v2/models/iris/infer with ${what}: ${answer.text}`).toBe(400);
      expect(typeof (answer.json as { error?: unknown })?.error, `the body ${answer.text} should be {"error": "..."}`).toBe('string');
    });
  });

  describe('POST /predict', () => {
    const base = useApp(() => shared(IRIS_MODEL));
    const good = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

    test('one flower → one prediction, exactly label, probabilities and model_version', async () => {
      const model = await shared(IRIS_MODEL);
      // What requests.post(url, json=flower) sends.
      const answer = await call(base(), 'POST', '/predict', good, { 'content-type': 'application/json' });
      expect(answer.status, `POST /predict ${show(good)}: ${answer.text}`).toBe(200);
      const body = answer.json as Record<string, unknown>;
      expect(Object.keys(body).sort(), `keys of ${answer.text}`).toEqual(['label', 'model_version', 'probabilities']);
      expect(body.label, 'label').toBe('setosa');
      expect(body.model_version, 'model_version').toBe(model.version);
    });

    test('a list of flowers → a list of predictions, in order', async () => {
      const flowers = KNOWN.map(([, values]) => flowerOf(values));
      const answer = await call(base(), 'POST', '/predict', flowers);
      expect(answer.status, `POST /predict [3 flowers]: ${answer.text}`).toBe(200);
      expect(Array.isArray(answer.json), 'a list in, a list out').toBe(true);
      expect((answer.json as { label: string }[]).map((prediction) => prediction.label), 'labels in order').toEqual(KNOWN.map(([species]) => species));
    });

    test.each([
      ['a missing field', ['body', 'petal_width'], { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }, 'missing'],
      ['a field sent as null (it is there, so zod\'s "invalid_type", not "missing")', ['body', 'petal_width'], { ...good, petal_width: null }, 'invalid_type'],
      ['a string', ['body', 'sepal_length'], { ...good, sepal_length: '5.1' }, 'invalid_type'],
      ['1e39', ['body', 'petal_length'], { ...good, petal_length: 1e39 }, undefined],
      ['a list with a bad second flower', ['body', 1, 'petal_width'], [good, { ...good, petal_width: undefined }], 'missing'],
      ['an empty list', ['body'], [], undefined],
    ])('%s → 422, loc %j', async (what, loc, body, type) => {
      const answer = await call(base(), 'POST', '/predict', body);
      expect(answer.status, `POST /predict with ${what}: ${answer.text}`).toBe(422);
      const detail = (answer.json as { detail?: { loc: unknown[]; msg: unknown; type: unknown }[] })?.detail;
      expect(Array.isArray(detail), `the body ${answer.text} should be {"detail": [{loc, msg, type}, ...]}`).toBe(true);
      const entry = detail!.find((item) => JSON.stringify(item.loc) === JSON.stringify(loc));
      expect(entry, `an entry with loc ${show(loc)} in ${answer.text}`).toBeDefined();
      expect(typeof entry?.msg, 'msg').toBe('string');
      if (type) expect(entry?.type, `POST /predict with ${what}: type at ${show(loc)}`).toBe(type);
      else expect(typeof entry?.type, `type at ${show(loc)}`).toBe('string');
    });

    test('a list of one flower → a list of one prediction (a list in, a list out)', async () => {
      const answer = await call(base(), 'POST', '/predict', [good]);
      expect(answer.status, `POST /predict [1 flower]: ${answer.text}`).toBe(200);
      expect(Array.isArray(answer.json), `POST /predict [1 flower] → ${answer.text}: a list of one, not a single prediction`).toBe(true);
      expect((answer.json as { label: string }[]).map((prediction) => prediction.label), 'labels').toEqual(['setosa']);
    });

    test(`a list of ${MAX_BATCH + 1} flowers → 422`, async () => {
      const answer = await call(base(), 'POST', '/predict', Array(MAX_BATCH + 1).fill(good));
      expect(answer.status, `POST /predict with ${MAX_BATCH + 1} flowers`).toBe(422);
    });
  });

  describe('one error policy: {"error"} under /v2, {"detail"} elsewhere, never an echo', () => {
    const base = useApp(() => shared(IRIS_MODEL));
    const SECRET = 'zz-SECRET-77';

    test.each([
      ['/predict', 'detail'],
      ['/v2/models/iris/infer', 'error'],
    ])('POST %s: malformed JSON 400, text/plain 415, 2 MB 413 — each with "%s" and none quoting the body', async (url, key) => {
      const cases: [string, string, Record<string, string>, number][] = [
        ['malformed JSON', `{"${SECRET}": `, { 'content-type': 'application/json' }, 400],
        ['text/plain', `{"${SECRET}": 1}`, { 'content-type': 'text/plain' }, 415],
        ['a 2 MB body', JSON.stringify({ inputs: [], pad: SECRET + 'x'.repeat(2_000_000) }), { 'content-type': 'application/json' }, 413],
      ];
      for (const [what, body, headers, status] of cases) {
        const answer = await call(base(), 'POST', url, body, headers);
        expect(answer.status, `POST ${url} with ${what}`).toBe(status);
        expect(typeof (answer.json as Record<string, unknown>)?.[key], `POST ${url} with ${what}: ${answer.text.slice(0, 200)} should be {"${key}": "..."}`).toBe('string');
        expect(answer.text, `POST ${url} with ${what}: the answer must not quote the body`).not.toContain(SECRET);
      }
    });

    test('the body limit is 1 MB: a body of 200 to 500 kB reaches the routes (not 413, Express\'s default limit of 100 kB)', async () => {
      const deepData = `${'['.repeat(100_000)}5.1, 3.5, 1.4, 0.2${']'.repeat(100_000)}`;
      const deepBody = `{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": ${deepData}}]}`;
      const kB = (text: string) => `${Math.round(text.length / 1000)} kB`;
      const tooLarge = 'a 413 means express.json kept its default limit of 100 kB: give it limit: \'1mb\'';
      const deep = await call(base(), 'POST', '/v2/models/iris/infer', deepBody);
      expect(
        [deep.status, typeof (deep.json as { error?: unknown })?.error],
        `POST /v2/models/iris/infer, data nested 100,000 levels deep (${kB(deepBody)}) → ${deep.status} ${deep.text.slice(0, 120)}: ` +
          `under 1 MB, so infer answers it: 400 {"error"}, nested deeper than the shape; ${tooLarge}`,
      ).toEqual([400, 'string']);
      const padded = JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }) + ' '.repeat(500_000);
      const flower = await call(base(), 'POST', '/predict', padded);
      expect(flower.status, `POST /predict, one flower and 500,000 spaces of padding (${kB(padded)}, valid JSON) → ${flower.text.slice(0, 120)}: ${tooLarge}`).toBe(200);
    });

    test.each([
      ['/predict', 'detail'],
      ['/v2/models/iris/infer', 'error'],
    ])('POST %s with malformed JSON → 400 {"%s": ...} in our own words, not the parser\'s message (which quotes the body)', async (url, key) => {
      for (const body of [`{"a": ${SECRET}}`, `${SECRET} is not JSON`, `[1, 2, ${SECRET}]`]) {
        const answer = await call(base(), 'POST', url, body, { 'content-type': 'application/json' });
        expect(answer.status, `POST ${url} ${body}`).toBe(400);
        expect(typeof (answer.json as Record<string, unknown>)?.[key], `POST ${url} ${body}: ${answer.text.slice(0, 200)} should be {"${key}": "..."}`).toBe('string');
        expect(answer.text, `POST ${url} ${body}: answer in your own words, never the parser's error.message (it quotes the body)`).not.toContain(SECRET);
      }
    });

    test.each([
      ['/predict', { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
      ['/v2/models/iris/infer', { inputs: [row([5.1, 3.5, 1.4, 0.2])] }],
    ])('POST %s sent as "application/json; charset=utf-8" is JSON: 200, not 415', async (url, body) => {
      const answer = await call(base(), 'POST', url, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' });
      expect(answer.status, `POST ${url} with Content-Type: application/json; charset=utf-8 (the media type is application/json): ${answer.text.slice(0, 200)}`).toBe(200);
    });

    test('a body with no Content-Type: read as JSON under /v2 (tritonclient sends none), 415 {"detail"} on /predict', async () => {
      // A Uint8Array body: fetch then sends no Content-Type at all (a string body would get text/plain).
      const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      const infer = await fetch(`${base()}/v2/models/iris/infer`, { method: 'POST', body: bytes({ inputs: [row([6.3, 3.3, 6.0, 2.5])] }) });
      expect(infer.status, 'POST /v2/models/iris/infer, JSON body, no Content-Type').toBe(200);
      const predicted = await fetch(`${base()}/predict`, { method: 'POST', body: bytes({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }) });
      expect(predicted.status, 'POST /predict, JSON body, no Content-Type').toBe(415);
      expect(typeof ((await predicted.json()) as { detail?: unknown }).detail, 'POST /predict with no Content-Type: {"detail": "..."}').toBe('string');
      const typed = await call(base(), 'POST', '/v2/models/iris/infer', JSON.stringify({ inputs: [row([6.3, 3.3, 6.0, 2.5])] }), { 'content-type': 'application/octet-stream' });
      expect(typed.status, 'POST /v2/models/iris/infer sent as application/octet-stream').toBe(415);
    });

    test('an unknown path → 404: {"detail": "Not Found"} outside /v2, {"error": "..."} under it', async () => {
      const outside = await call(base(), 'GET', '/nothing-here');
      expect([outside.status, outside.json], 'GET /nothing-here').toEqual([404, { detail: 'Not Found' }]);
      const inside = await call(base(), 'GET', '/v2/nothing-here');
      expect(inside.status, 'GET /v2/nothing-here').toBe(404);
      expect(typeof (inside.json as { error?: unknown })?.error, `GET /v2/nothing-here: ${inside.text}`).toBe('string');
    });

    test('300 garbage bodies to /predict and /infer → never a 5xx, the right error shape, still serving', async () => {
      const seed = Number(process.env.GARBAGE_SEED ?? 20261202);
      const random = seeded(seed);
      for (let index = 0; index < 300; index++) {
        const url = index % 2 === 0 ? '/predict' : '/v2/models/iris/infer';
        const body = garbage(random);
        const answer = await call(base(), 'POST', url, body);
        const sent = `POST ${url} ${show(body).slice(0, 300)} (garbage #${index}, GARBAGE_SEED=${seed})`;
        expect(answer.status, `${sent} → ${answer.text.slice(0, 300)}`).toBeLessThan(500);
        if (answer.status >= 400) {
          const key = url === '/predict' ? 'detail' : 'error';
          expect(answer.json !== null && typeof answer.json === 'object' && key in answer.json, `${sent} → ${answer.text.slice(0, 200)}: {"${key}": ...}`).toBe(true);
        }
      }
      const after = await call(base(), 'POST', '/predict', { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 });
      expect(after.status, 'a good /predict after the garbage').toBe(200);
    });
  });

  describe('a model that fails while running (our bug) → 500 with no details, logged', () => {
    const broken = async (): Promise<Model> => {
      const model = await shared(IRIS_MODEL);
      const session = { ...model.session, run: () => Promise.reject(new Error('zz-INTERNAL-detail')), release: async () => {} };
      return { ...model, inputs: model.inputs, outputs: model.outputs, session: session as unknown as Model['session'] };
    };
    const base = useApp(broken);

    test.each([
      ['/predict', 'detail', { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
      ['/v2/models/iris/infer', 'error', { inputs: [row([5.1, 3.5, 1.4, 0.2])] }],
    ])('POST %s → 500 {"%s": "Internal Server Error"}, console.error called', async (url, key, body) => {
      const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        // Outside the wait: an app that could not be made fails at once, not after 5 s of retries.
        const root = base();
        await vi.waitFor(async () => expect((await call(root, 'GET', '/v2/health/ready')).status).toBe(200), { timeout: 5000 });
        const answer = await call(root, 'POST', url, body);
        expect(answer.status, `POST ${url} when session.run rejects`).toBe(500);
        expect(answer.json, `POST ${url} when session.run rejects`).toEqual({ [key]: 'Internal Server Error' });
        expect(spy, 'the error is logged with console.error').toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('another model (MODEL_PATH): metadata and outputs as the model says, an INT64 label as numbers, /predict still right', async () => {
    const model = await shared(other.sklearnStyle);
    const running = await serve(createApp(model));
    try {
      const meta = await call(running.url, 'GET', '/v2/models/iris');
      expect((meta.json as { inputs: unknown }).inputs, 'inputs of the other model').toEqual([{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }]);
      const answer = await call(running.url, 'POST', '/v2/models/iris/infer', { inputs: [{ name: 'float_input', datatype: 'FP32', shape: [2, 4], data: [KNOWN[1]![1], KNOWN[2]![1]] }] });
      expect(answer.status, `infer on the other model: ${answer.text}`).toBe(200);
      const label = (answer.json as { outputs: { name: string; datatype: string; data: unknown }[] }).outputs.find((output) => output.name === 'label');
      expect([label?.datatype, label?.data], 'the "label" output').toEqual(['INT64', [1, 2]]);
      const predicted = await call(running.url, 'POST', '/predict', flowerOf(KNOWN[2]![1]));
      expect(
        (predicted.json as { label?: string })?.label,
        `/predict on the other model → ${predicted.text} (its first output is "label", INT64; the probabilities are its first FP32 output, "probabilities")`,
      ).toBe('virginica');
    } finally {
      await running.close();
    }
  });

  test('while the model loads: live 200, ready 503, /infer and /predict 503; once loaded: 200', async () => {
    const loading = deferred<Model>();
    const running = await serve(createApp(loading.promise));
    // Answered at once while the model loads: a handler that awaits the model would hang until the
    // test's own timeout, which names nothing. 10 s is far more than a 503 takes on a loaded machine.
    const whileLoading = async (method: string, url: string, body?: unknown) => {
      const request = call(running.url, method, url, body);
      request.catch(() => undefined); // when it loses the race, close() below ends it
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${method} ${url} while the model is still loading: no answer within 10 s. Answer at once (503, or 200 for live) instead of waiting for the model`)),
          10_000,
        );
      });
      try {
        return await Promise.race([request, hung]);
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      expect((await whileLoading('GET', '/v2/health/live')).status, 'live while loading').toBe(200);
      const ready = await whileLoading('GET', '/v2/health/ready');
      expect([ready.status, ready.json], 'GET /v2/health/ready while loading').toEqual([503, { ready: false }]);
      expect((await whileLoading('GET', '/v2/models/iris/ready')).status, 'model ready while loading').toBe(503);
      expect((await whileLoading('GET', '/v2/models/iris')).status, 'GET /v2/models/iris (metadata) while loading').toBe(503);
      expect((await whileLoading('POST', '/v2/models/iris/infer', { inputs: [row([5.1, 3.5, 1.4, 0.2])] })).status, 'infer while loading').toBe(503);
      expect((await whileLoading('POST', '/predict', flowerOf(KNOWN[0]![1]))).status, 'predict while loading').toBe(503);
      loading.resolve(await shared(IRIS_MODEL));
      await vi.waitFor(async () => expect((await call(running.url, 'GET', '/v2/health/ready')).status, 'ready after loading').toBe(200), { timeout: 5000 });
      expect((await call(running.url, 'POST', '/predict', flowerOf(KNOWN[0]![1]))).status, 'predict after loading').toBe(200);
    } finally {
      await running.close();
    }
  });

  test('a model that fails to load: ready stays 503, and no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      // The promise itself is marked as handled; what is checked is what createApp derives from it
      // (a `.then(onLoaded)` without an onRejected rejects again, unhandled).
      const failed = Promise.reject(new Error('no model here'));
      failed.catch(() => undefined);
      const running = await serve(createApp(failed));
      try {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const ready = await call(running.url, 'GET', '/v2/health/ready');
        expect(ready.status, 'GET /v2/health/ready after a failed load').toBe(503);
      } finally {
        await running.close();
      }
      expect(unhandled.map(String), 'createApp must handle a rejected model promise (startServer reports it)').toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  describe('the docs: /openapi.json, /docs and /redoc, from the same schemas', () => {
    const base = useApp(() => shared(IRIS_MODEL));

    test('/openapi.json documents /predict with a request schema that tells a flower from a bad one', async () => {
      const answer = await call(base(), 'GET', '/openapi.json');
      expect(answer.status, 'GET /openapi.json').toBe(200);
      const document = answer.json as { components?: unknown; paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>> };
      const schema = document.paths?.['/predict']?.post?.requestBody?.content?.['application/json']?.schema;
      expect(schema, 'the documented request body of POST /predict').toBeDefined();
      const ajv = new Ajv2020.default({ strict: false, allErrors: true });
      ajv.addSchema({ $id: 'doc', components: document.components }, 'doc');
      const check = ajv.compile({ $id: 'predict-body', ...(JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"doc#/components')) as object) });
      const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
      expect(check(flower), 'the documented schema accepts a flower').toBe(true);
      expect(check([flower, flower]), 'the documented schema accepts a list of flowers').toBe(true);
      expect(check({ sepal_length: 5.1 }), 'the documented schema rejects a flower missing three fields').toBe(false);
      expect(check({ ...flower, sepal_width: 'wide' }), 'the documented schema rejects a string measurement').toBe(false);
    });

    test('/docs/ and /redoc are pages served from here; /redoc sends a Content-Security-Policy and loads nothing from outside', async () => {
      const docs = await call(base(), 'GET', '/docs/');
      expect(docs.status, 'GET /docs/').toBe(200);
      expect(docs.headers.get('content-type'), 'GET /docs/ content type').toMatch(/text\/html/);
      const redoc = await call(base(), 'GET', '/redoc');
      expect(redoc.status, 'GET /redoc').toBe(200);
      expect(redoc.headers.get('content-security-policy') ?? '', 'the CSP of /redoc').toMatch(/default-src 'self'/);
      expect(redoc.text, 'the /redoc page loads nothing from another origin').not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
      const script = /<script[^>]*\ssrc="([^"]+)"/.exec(redoc.text)?.[1];
      expect(script, 'the /redoc page has a <script src="...">').toBeDefined();
      expect((await call(base(), 'GET', script!)).status, `GET ${script}`).toBe(200);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 5: startServer, FastAPI\'s lifespan', () => {
  test('loads the model, listens on 127.0.0.1 by default, serves; close() frees the port, even after a keep-alive request', async () => {
    const started = await startServer({ modelPath: IRIS_MODEL, port: 0 });
    let closed = false;
    try {
      const url = new URL(started.url);
      expect(url.hostname, `startServer({port: 0}).url = ${started.url}: the default host`).toBe('127.0.0.1');
      expect(Number(url.port), 'the real port, not 0').toBeGreaterThan(0);
      const ready = await call(started.url, 'GET', '/v2/health/ready');
      expect(ready.status, 'ready once startServer has resolved').toBe(200);
      const predicted = await call(started.url, 'POST', '/predict', flowerOf(KNOWN[1]![1]));
      expect((predicted.json as { label?: string })?.label, `/predict: ${predicted.text}`).toBe('versicolor');
      const closing = started.close();
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('close() did not resolve within 3 s (a connection or the server left open?)')), 3000));
      await Promise.race([closing, timeout]);
      closed = true;
      expect(await canBind(Number(url.port)), `port ${url.port} can be bound again after close()`).toBe(true);
    } finally {
      if (!closed) await started.close().catch(() => undefined);
    }
  });

  test('close() resolves even while a client is in the middle of a request (headers sent, half the body)', async () => {
    const started = await startServer({ modelPath: IRIS_MODEL, port: 0 });
    const url = new URL(started.url);
    const socket = net.connect(Number(url.port), url.hostname);
    let closed = false;
    try {
      // Expect: 100-continue: the server answers "100 Continue" once it has read the headers, so
      // the request is surely under way (not an idle connection) when close() is called.
      const continued = new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk) => void (/^HTTP\/1\.1 100/.test(chunk.toString('latin1')) && resolve()));
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('the server closed the connection before reading the request')));
      });
      socket.write(`POST /predict HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`);
      await continued;
      socket.write('{"sepal_length": 5.1, ');
      const closing = started.close();
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('close() did not resolve within 5 s while a request was half sent: end the open connections too (server.closeAllConnections())')), 5000));
      await Promise.race([closing, timeout]);
      closed = true;
      expect(await canBind(Number(url.port)), `port ${url.port} can be bound again after close()`).toBe(true);
    } finally {
      socket.destroy();
      if (!closed) await started.close().catch(() => undefined);
    }
  });

  /**
   * Follows every session ort.InferenceSession.create makes until stop(): `released[i]` turns true
   * when the i-th one's release() is called.
   */
  function followSessions(): { released: boolean[]; stop(): void } {
    const released: boolean[] = [];
    const original = ort.InferenceSession.create.bind(ort.InferenceSession);
    const spy = vi.spyOn(ort.InferenceSession, 'create').mockImplementation((async (...args: unknown[]) => {
      const session = await (original as (...a: unknown[]) => Promise<ort.InferenceSession>)(...args);
      const index = released.push(false) - 1;
      const release = session.release.bind(session);
      session.release = async () => {
        released[index] = true;
        return release();
      };
      return session;
    }) as never);
    return { released, stop: () => spy.mockRestore() };
  }

  test('close() releases the model\'s session', async () => {
    const sessions = followSessions();
    let started: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      started = await startServer({ modelPath: IRIS_MODEL, port: 0 });
    } finally {
      sessions.stop();
    }
    await started.close();
    const { released } = sessions;
    expect(released.length, 'sessions made by startServer (ort.InferenceSession.create)').toBeGreaterThan(0);
    expect(released, 'after close(): every session startServer made was released (session.release())').toEqual(released.map(() => true));
  });

  test('a port that is taken: rejects with EADDRINUSE, and the session loaded before the listen is released', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const sessions = followSessions();
    let error: unknown;
    try {
      error = await startServer({ modelPath: IRIS_MODEL, host: '127.0.0.1', port }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (reason: unknown) => reason,
      );
    } finally {
      sessions.stop();
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    const asked = `startServer({host: '127.0.0.1', port: ${port}}), a port the test holds`;
    expect(
      (error as { code?: unknown } | undefined)?.code,
      `${asked}: the listen fails, so startServer rejects with that error (code EADDRINUSE); got ${String(error)}`,
    ).toBe('EADDRINUSE');
    expect(
      sessions.released,
      `${asked}: the model was loaded, then the listen failed. Release its session (session.release()) before rethrowing: ` +
        'no session is left open, and the caller has no close() to call',
    ).toEqual(sessions.released.map(() => true));
  });

  test('with no host, listens on 127.0.0.1 only, not on every address', async ({ skip }) => {
    // 127.0.0.2 is loopback on Linux; elsewhere (macOS) ::1 is another address to try.
    const elsewhere = (await canListen('127.0.0.2')) ? '127.0.0.2' : (await canListen('::1')) ? '::1' : undefined;
    if (elsewhere === undefined) return skip('this machine has neither 127.0.0.2 nor ::1 to try a connection on');
    const started = await startServer({ modelPath: IRIS_MODEL, port: 0 });
    try {
      const port = Number(new URL(started.url).port);
      const connected = await new Promise<string>((resolve) => {
        const socket = net.connect(port, elsewhere);
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => {
          socket.destroy();
          resolve(error.code ?? String(error));
        });
      });
      expect(
        connected,
        `startServer({port: 0}) with no host, then a connection to ${elsewhere}:${port}: the default host 127.0.0.1 goes to server.listen ` +
          '(given no host, Node listens on every address), so that connection is refused',
      ).toBe('ECONNREFUSED');
    } finally {
      await started.close();
    }
  });

  test('listens on the host it is given', async () => {
    // 127.0.0.2 is loopback on Linux; elsewhere (macOS) ::1 is the other loopback address.
    const host = (await canListen('127.0.0.2')) ? '127.0.0.2' : '::1';
    const started = await startServer({ modelPath: IRIS_MODEL, host, port: 0 });
    try {
      const url = new URL(started.url);
      expect(url.hostname.replace(/^\[|\]$/g, ''), `startServer({host: '${host}'}).url = ${started.url}`).toBe(host);
      const answer = await call(started.url, 'GET', '/v2/health/live');
      expect(answer.status, `GET ${started.url}/v2/health/live`).toBe(200);
    } finally {
      await started.close();
    }
  });

  test('the default port is 8000', async () => {
    const started = await startServer({ modelPath: IRIS_MODEL }).then(
      (value) => value,
      (error: unknown) => error,
    );
    if (started instanceof Error) {
      // Something else holds 8000 (another copy of this suite, the lesson's example): then the
      // start must have failed for that, said by its code on the error or on one it wraps. Any
      // other failure (a stub's "not written yet") does not pass because 8000 happens to be taken.
      const chain = (error: unknown): unknown[] => (error instanceof Error ? [error, ...chain(error.cause)] : []);
      if (chain(started).some((error) => (error as { code?: unknown }).code === 'EADDRINUSE')) return;
      const free = await canBind(8000);
      expect.fail(
        free
          ? `startServer({modelPath}) rejected (${String(started)}) though port 8000 is free: the default port is 8000`
          : `startServer({modelPath}) rejected (${String(started)}), not with the EADDRINUSE of a taken port (on the error or its cause), ` +
              'and port 8000 is taken here (is the lesson\'s example running? stop it and run the tests again)',
      );
    }
    const { url, close } = started as Awaited<ReturnType<typeof startServer>>;
    await close();
    expect(new URL(url).port, `startServer({modelPath}).url = ${url}: the default port`).toBe('8000');
  });

  test('serves the model at modelPath (another model\'s names)', async () => {
    const started = await startServer({ modelPath: other.sklearnStyle, host: '127.0.0.1', port: 0 });
    try {
      const meta = await call(started.url, 'GET', '/v2/models/iris');
      expect((meta.json as { outputs?: { name: string }[] })?.outputs?.map((output) => output.name), `outputs: ${meta.text}`).toEqual(['label', 'probabilities']);
    } finally {
      await started.close();
    }
  });

  test.each([
    ['a missing model file', () => other.missing],
    ['a corrupt model file', () => other.corrupt],
  ])('%s stops start-up: rejects naming the path, nothing left listening', async (_what, file) => {
    const port = await freePort();
    const error = await startServer({ modelPath: file(), host: '127.0.0.1', port }).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (reason: unknown) => reason,
    );
    expect(error, `startServer({modelPath: ${file()}}) should reject`).toBeInstanceOf(Error);
    expect((error as Error).message, 'the message names the model file').toContain(file());
    expect(await canBind(port), `port ${port} is free again after the failed start`).toBe(true);
  });
});
