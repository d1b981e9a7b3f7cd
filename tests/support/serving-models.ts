/**
 * The model lessons' (09 and 10) models. The iris model is lesson 09's copy of lesson 08's model.onnx; the
 * "heavy" model is written here, in a fresh temporary directory, with onnx-proto: the same inputs
 * and outputs as iris (features [batch, 4] → probabilities [batch, 3]) but 64 layers of 256 × 256
 * in between, so that a batch of 256 rows keeps onnxruntime busy for a while (about 0.17 s on the
 * idle 2-core machine the suites were written on, with V8's quick WebAssembly code only: see
 * threads.ts). Its cost grows with the batch. Its answers are meaningless.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { FLOAT } = onnx.TensorProto.DataType;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LESSON_DIR = path.join(ROOT, 'lessons', '09-keep-answering');
/** The model lessons 09 and 10 serve (a copy of lesson 08's). */
export const IRIS_MODEL = path.join(LESSON_DIR, 'model.onnx');

/** Width and depth of the heavy model's hidden layers. */
const WIDTH = 256;
const LAYERS = 64;

function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

/** The heavy model's bytes: deterministic weights, one hidden matrix shared by every layer (256 KB). */
function heavyModelBytes(): Uint8Array {
  const first = Array.from({ length: 4 * WIDTH }, (_, index) => ((index % 7) - 3) / 10);
  const hidden = Array.from({ length: WIDTH * WIDTH }, (_, index) => (((index * 31) % 13) - 6) / (6 * WIDTH));
  const last = Array.from({ length: WIDTH * 3 }, (_, index) => ((index % 5) - 2) / 10);
  const node: Record<string, unknown>[] = [{ opType: 'MatMul', input: ['features', 'first'], output: ['h0'] }];
  for (let layer = 0; layer < LAYERS; layer++) {
    node.push({ opType: 'MatMul', input: [`h${layer}`, 'hidden'], output: [`m${layer}`] });
    node.push({ opType: 'Relu', input: [`m${layer}`], output: [`h${layer + 1}`] });
  }
  node.push({ opType: 'MatMul', input: [`h${LAYERS}`, 'last'], output: ['scores'] });
  node.push({ opType: 'Softmax', input: ['scores'], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'lessons 09 and 10 suites',
      graph: {
        name: 'heavy',
        input: [valueInfo('features', ['batch', 4])],
        output: [valueInfo('probabilities', ['batch', 3])],
        initializer: [
          { name: 'first', dataType: FLOAT, dims: [4, WIDTH], floatData: first },
          { name: 'hidden', dataType: FLOAT, dims: [WIDTH, WIDTH], floatData: hidden },
          { name: 'last', dataType: FLOAT, dims: [WIDTH, 3], floatData: last },
        ],
        node,
      },
    }),
  ).finish();
}

export interface SuiteModels {
  dir: string;
  /** features [batch, 4] → probabilities [batch, 3], slow: about 0.7 ms a row here. */
  heavy: string;
  /** A path where no file is. */
  missing: string;
}

export function writeSuiteModels(): SuiteModels {
  const dir = mkdtempSync(path.join(tmpdir(), 'serving-models-'));
  const heavy = path.join(dir, 'heavy.onnx');
  writeFileSync(heavy, heavyModelBytes());
  return { dir, heavy, missing: path.join(dir, 'no-such-model.onnx') };
}

/** The iris model's probabilities for some rows, computed here from its weights (float64). */
export function irisProbabilities(rows: number[][]): number[][] {
  const model = onnx.ModelProto.decode(readFileSync(IRIS_MODEL));
  const find = (name: string) => {
    const tensor = model.graph?.initializer?.find((entry) => entry.name === name);
    if (!tensor?.floatData) throw new Error(`${IRIS_MODEL} has no float initializer named ${name}`);
    return Array.from(tensor.floatData);
  };
  const weights = find('W'); // [4, 3], row-major
  const bias = find('B'); // [3]
  return rows.map((row) => {
    const scores = [0, 1, 2].map((c) => bias[c]! + row.reduce((sum, value, f) => sum + value * weights[f * 3 + c]!, 0));
    const top = Math.max(...scores);
    const exps = scores.map((score) => Math.exp(score - top));
    const total = exps.reduce((sum, value) => sum + value, 0);
    return exps.map((value) => value / total);
  });
}

/** A batch of `rows` rows of iris-like measurements, as the protocol's nested data. */
export function batchOf(rows: number): number[][] {
  return Array.from({ length: rows }, (_, index) => [4.5 + (index % 30) / 10, 2 + (index % 20) / 10, 1 + (index % 50) / 10, 0.1 + (index % 24) / 10]);
}
