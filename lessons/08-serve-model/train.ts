/**
 * Lesson 08's model: trains the iris classifier and writes it as model.onnx, beside this file.
 *
 *   npx tsx lessons/08-serve-model/train.ts            retrain and overwrite model.onnx
 *   npx tsx lessons/08-serve-model/train.ts --verify   retrain in memory and compare with the
 *                                                      committed model.onnx (exit 0 same, 1 not)
 *
 * Softmax regression (multinomial logistic regression) by full-batch gradient descent: no random
 * numbers anywhere (weights start at zero, every row every step), so the same data gives the same
 * weights on every run. The features are standardized for training, and the standardization is
 * folded into the weights afterwards, so the model takes raw centimetres.
 *
 * The graph is the one skl2onnx writes for a linear classifier, minus the label:
 *   features [batch, 4] → MatMul W [4, 3] → Add b [3] → Softmax → probabilities [batch, 3]
 * written with onnx-proto (ONNX's protobuf schema compiled to JavaScript), IR 8, opset 17.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DATA_PATH = path.join(HERE, 'iris.csv');
export const MODEL_PATH = path.join(HERE, 'model.onnx');

/** The classes, in the order of the model's probabilities. */
export const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
/** The features, in the order of the model's input columns (scikit-learn's names, snake_case). */
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

/** The training settings. Changing one changes the model: retrain and commit both. */
export const SETTINGS = { epochs: 2000, learningRate: 0.5, l2: 1e-3 } as const;

export interface Iris {
  /** One row of 4 measurements (cm) per flower. */
  features: number[][];
  /** The index into CLASSES of each flower's species. */
  labels: number[];
}

/** Reads iris.csv (a header line, then 150 rows of 4 numbers and a species name). */
export function readIris(file = DATA_PATH): Iris {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  if (header !== [...FEATURES, 'species'].join(',')) throw new Error(`${file}: unexpected header ${JSON.stringify(header)}`);
  const features: number[][] = [];
  const labels: number[] = [];
  for (const [index, row] of rows.entries()) {
    const cells = row.split(',');
    const label = CLASSES.indexOf(cells[4] as (typeof CLASSES)[number]);
    const values = cells.slice(0, 4).map(Number);
    if (cells.length !== 5 || label < 0 || !values.every(Number.isFinite)) throw new Error(`${file}: bad row ${index + 2}: ${row}`);
    features.push(values);
    labels.push(label);
  }
  return { features, labels };
}

/** The trained model's parameters, as float32 (what the ONNX file stores). */
export interface Weights {
  /** 4 × 3, row-major: W[feature * 3 + class]. */
  weights: Float32Array;
  /** 3 */
  bias: Float32Array;
}

/** Trains softmax regression on the data; deterministic. */
export function train({ features, labels }: Iris, settings = SETTINGS): Weights {
  const n = features.length;
  const d = FEATURES.length;
  const k = CLASSES.length;
  // Standardize: each feature to mean 0, standard deviation 1, so one learning rate suits all.
  const mean = Array.from({ length: d }, (_, j) => features.reduce((sum, row) => sum + row[j]!, 0) / n);
  const std = Array.from({ length: d }, (_, j) =>
    Math.sqrt(features.reduce((sum, row) => sum + (row[j]! - mean[j]!) ** 2, 0) / n),
  );
  const x = features.map((row) => row.map((value, j) => (value - mean[j]!) / std[j]!));

  const w = new Float64Array(d * k);
  const b = new Float64Array(k);
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const gradW = new Float64Array(d * k);
    const gradB = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const p = softmax(Array.from({ length: k }, (_, c) => b[c]! + x[i]!.reduce((sum, v, j) => sum + v * w[j * k + c]!, 0)));
      for (let c = 0; c < k; c++) {
        const error = p[c]! - (labels[i] === c ? 1 : 0);
        gradB[c]! += error / n;
        for (let j = 0; j < d; j++) gradW[j * k + c]! += (error * x[i]![j]!) / n;
      }
    }
    for (let c = 0; c < k; c++) b[c]! -= settings.learningRate * gradB[c]!;
    for (let m = 0; m < d * k; m++) w[m]! -= settings.learningRate * (gradW[m]! + settings.l2 * w[m]!);
  }

  // Fold the standardization in: w·(v - mean)/std + b  =  (w/std)·v + (b - Σ w·mean/std).
  const weights = new Float32Array(d * k);
  const bias = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let shift = b[c]!;
    for (let j = 0; j < d; j++) {
      weights[j * k + c] = w[j * k + c]! / std[j]!;
      shift -= (w[j * k + c]! * mean[j]!) / std[j]!;
    }
    bias[c] = shift;
  }
  return { weights, bias };
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** The probabilities the trained weights give each row (float64 arithmetic on the float32 weights). */
export function predictProbabilities({ weights, bias }: Weights, rows: number[][]): number[][] {
  const k = CLASSES.length;
  return rows.map((row) =>
    softmax(Array.from({ length: k }, (_, c) => bias[c]! + row.reduce((sum, v, j) => sum + v * weights[j * k + c]!, 0))),
  );
}

/** The ONNX file's bytes for these weights. */
export function encodeModel({ weights, bias }: Weights): Uint8Array {
  const { FLOAT } = onnx.TensorProto.DataType;
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'fastapi-ways-in-typescript/lessons/08-serve-model/train.ts',
    producerVersion: '1',
    modelVersion: 1,
    docString: `Iris classifier: softmax regression on ${FEATURES.join(', ')} (cm) → probabilities of ${CLASSES.join(', ')}.`,
    graph: {
      name: 'iris',
      input: [{ name: 'features', type: tensorType(['batch', FEATURES.length]) }],
      output: [{ name: 'probabilities', type: tensorType(['batch', CLASSES.length]) }],
      initializer: [
        { name: 'W', dataType: FLOAT, dims: [FEATURES.length, CLASSES.length], floatData: [...weights] },
        { name: 'B', dataType: FLOAT, dims: [CLASSES.length], floatData: [...bias] },
      ],
      node: [
        { opType: 'MatMul', input: ['features', 'W'], output: ['logits_raw'], name: 'matmul' },
        { opType: 'Add', input: ['logits_raw', 'B'], output: ['logits'], name: 'add' },
        {
          opType: 'Softmax',
          input: ['logits'],
          output: ['probabilities'],
          name: 'softmax',
          attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Reads W and B back out of an ONNX file written by encodeModel. */
export function decodeWeights(bytes: Uint8Array): Weights {
  const model = onnx.ModelProto.decode(bytes);
  const find = (name: string) => {
    const tensor = model.graph?.initializer?.find((entry) => entry.name === name);
    if (!tensor?.floatData) throw new Error(`the model has no float initializer named ${name}`);
    return Float32Array.from(tensor.floatData);
  };
  return { weights: find('W'), bias: find('B') };
}

/** How far apart two sets of weights are: the largest absolute difference. */
export function maxDifference(a: Weights, b: Weights): number {
  if (a.weights.length !== b.weights.length || a.bias.length !== b.bias.length) return Infinity;
  let most = 0;
  for (const [left, right] of [[a.weights, b.weights], [a.bias, b.bias]] as const) {
    for (let i = 0; i < left.length; i++) most = Math.max(most, Math.abs(left[i]! - right[i]!));
  }
  return most;
}

/** --verify accepts a retrained model whose weights differ by at most this much (Math.exp may differ in its last bit between engines). */
export const TOLERANCE = 1e-6;

function main(argv: string[]): number {
  const trained = train(readIris());
  const bytes = encodeModel(trained);
  if (!argv.includes('--verify')) {
    writeFileSync(MODEL_PATH, bytes);
    const probabilities = predictProbabilities(trained, readIris().features);
    const labels = readIris().labels;
    const correct = probabilities.filter((p, i) => p.indexOf(Math.max(...p)) === labels[i]).length;
    console.log(`Wrote ${path.relative(process.cwd(), MODEL_PATH)} (${bytes.length} bytes); training accuracy ${correct}/${labels.length}.`);
    return 0;
  }
  let committed: Uint8Array;
  try {
    committed = readFileSync(MODEL_PATH);
  } catch {
    console.error(`${MODEL_PATH} is missing: run \`npx tsx lessons/08-serve-model/train.ts\` and commit it.`);
    return 1;
  }
  if (Buffer.compare(Buffer.from(committed), Buffer.from(bytes)) === 0) {
    console.log(`${path.relative(process.cwd(), MODEL_PATH)}: retraining reproduces it byte for byte.`);
    return 0;
  }
  let difference: number;
  try {
    const weights = decodeWeights(committed);
    // Only the weights may differ: the same file with the fresh weights put in must be the fresh file.
    if (Buffer.compare(Buffer.from(encodeModel(weights)), Buffer.from(committed)) !== 0) {
      throw new Error('it differs from a fresh one in more than its weights');
    }
    difference = maxDifference(weights, trained);
  } catch (error) {
    console.error(`${MODEL_PATH} is not the model train.ts writes (${(error as Error).message}). Retrain and commit it.`);
    return 1;
  }
  if (difference <= TOLERANCE) {
    console.log(`${path.relative(process.cwd(), MODEL_PATH)}: retraining gives weights within ${difference} of it (tolerance ${TOLERANCE}).`);
    return 0;
  }
  console.error(
    `${MODEL_PATH} does not match a fresh training run: weights differ by up to ${difference} (tolerance ${TOLERANCE}). ` +
      'Did iris.csv or the settings change? Retrain (`npx tsx lessons/08-serve-model/train.ts`) and commit model.onnx.',
  );
  return 1;
}

// Run only as a script, not when a test imports the functions above.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
