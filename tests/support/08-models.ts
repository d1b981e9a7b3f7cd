/**
 * Lesson 08's other models, written by the test itself with onnx-proto: the committed iris
 * weights under the names scikit-learn's exporter (skl2onnx) uses, plus an int64 `label` output,
 * and a few broken files. Each lands in a fresh temporary directory.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { decodeWeights } from '../../lessons/08-serve-model/train.ts';

const { onnx } = onnxProto;

export const LESSON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'lessons', '08-serve-model');
export const IRIS_MODEL = path.join(LESSON_DIR, 'model.onnx');

const { FLOAT, INT64, DOUBLE, INT32, BOOL } = onnx.TensorProto.DataType;

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

function write(dir: string, file: string, graph: Record<string, unknown>): string {
  const bytes = onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'lesson 08 suite', graph }),
  ).finish();
  const where = path.join(dir, file);
  writeFileSync(where, bytes);
  return where;
}

export interface OtherModels {
  dir: string;
  /** input "float_input" [N, 4] FP32; outputs "label" INT64 [N] then "probabilities" FP32 [N, 3]. */
  sklearnStyle: string;
  /** input "X" [N, 4] FP64 — a model this server refuses (it feeds FP32 only). */
  doubleInput: string;
  /**
   * input "features" FP32 [1, 4]: a batch fixed at one row (a number, no named dimension); outputs
   * of other datatypes: "probabilities64" FP64 [1, 3], "label32" INT32 [1], "likely" BOOL [1, 3] (p > 0.5).
   */
  fixedBatch: string;
  /** 64 bytes that are no model at all. */
  corrupt: string;
  /** a path where no file is. */
  missing: string;
}

export function writeOtherModels(): OtherModels {
  const dir = mkdtempSync(path.join(tmpdir(), 'lesson08-'));
  const { weights, bias } = decodeWeights(readFileSync(IRIS_MODEL));
  const initializer = [
    { name: 'coef', dataType: FLOAT, dims: [4, 3], floatData: [...weights] },
    { name: 'intercept', dataType: FLOAT, dims: [3], floatData: [...bias] },
  ];
  const linear = (input: string) => [
    { opType: 'MatMul', input: [input, 'coef'], output: ['mm'] },
    { opType: 'Add', input: ['mm', 'intercept'], output: ['scores'] },
    { opType: 'Softmax', input: ['scores'], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
  ];
  const argmax = {
    opType: 'ArgMax',
    input: ['probabilities'],
    output: ['label'],
    attribute: [
      { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
      { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
    ],
  };
  const sklearnStyle = write(dir, 'sklearn-style.onnx', {
    name: 'sklearn_style',
    input: [valueInfo('float_input', FLOAT, ['N', 4])],
    output: [valueInfo('label', INT64, ['N']), valueInfo('probabilities', FLOAT, ['N', 3])],
    initializer,
    node: [...linear('float_input'), argmax],
  });
  const doubleInput = write(dir, 'double-input.onnx', {
    name: 'double_input',
    input: [valueInfo('X', DOUBLE, ['N', 4])],
    output: [valueInfo('probabilities', FLOAT, ['N', 3])],
    initializer,
    node: [{ opType: 'Cast', input: ['X'], output: ['x32'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] }, ...linear('x32')],
  });
  const cast = (input: string, output: string, to: number) => ({
    opType: 'Cast',
    input: [input],
    output: [output],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  });
  const fixedBatch = write(dir, 'fixed-batch.onnx', {
    name: 'fixed_batch',
    input: [valueInfo('features', FLOAT, [1, 4])],
    output: [valueInfo('probabilities64', DOUBLE, [1, 3]), valueInfo('label32', INT32, [1]), valueInfo('likely', BOOL, [1, 3])],
    initializer: [...initializer, { name: 'half', dataType: FLOAT, dims: [], floatData: [0.5] }],
    node: [
      ...linear('features'),
      argmax,
      cast('probabilities', 'probabilities64', DOUBLE),
      cast('label', 'label32', INT32),
      { opType: 'Greater', input: ['probabilities', 'half'], output: ['likely'] },
    ],
  });
  const corrupt = path.join(dir, 'corrupt.onnx');
  writeFileSync(corrupt, Buffer.from(Array.from({ length: 64 }, (_, index) => (index * 37 + 11) % 256)));
  return { dir, sklearnStyle, doubleInput, fixedBatch, corrupt, missing: path.join(dir, 'no-such-model.onnx') };
}

/** A random JSON value, biased towards almost-right requests for either endpoint. */
export function garbage(random: () => number, depth = 0): unknown {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const scalar = () =>
    pick<unknown>([0, -1, 1.5, 1e39, -1e308, 5.1, 3, 2 ** 53, '', '5.1', 'FP32', 'features', 'iris', true, false, null, '__proto__', 'constructor']);
  if (depth > 3) return scalar();
  const kind = Math.floor(random() * 8);
  if (kind === 0) return scalar();
  if (kind === 1) return Array.from({ length: Math.floor(random() * 5) }, () => garbage(random, depth + 1));
  if (kind === 2) {
    // an almost-right flower
    const flower: Record<string, unknown> = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
    flower[pick(Object.keys(flower))] = garbage(random, depth + 1);
    if (random() < 0.3) delete flower[pick(Object.keys(flower))];
    return random() < 0.5 ? flower : [flower, garbage(random, depth + 1)];
  }
  if (kind === 3 || kind === 4) {
    // an almost-right inference request
    const input: Record<string, unknown> = { name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] };
    const key = pick(['name', 'datatype', 'shape', 'data', 'parameters']);
    input[key] = random() < 0.5 ? garbage(random, depth + 1) : pick<unknown>([[2, 4], [1, 4, 1], [-1, 4], [0, 4], [1], [[5.1, 3.5], [1.4]], 'FP64', 'BYTES', 'float_input']);
    const request: Record<string, unknown> = { inputs: random() < 0.8 ? [input] : [input, input] };
    if (random() < 0.3) request.outputs = pick<unknown>([[{ name: 'nope' }], [{}], 'probabilities', [{ name: 'probabilities' }], null]);
    if (random() < 0.3) request.id = garbage(random, depth + 1);
    if (random() < 0.2) request.parameters = garbage(random, depth + 1);
    return request;
  }
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(random() * 4); index > 0; index--) object[String(scalar())] = garbage(random, depth + 1);
  return object;
}
