/**
 * Lesson 09, given: the inference thread. Read it, do not edit it: your exercise.ts starts it with
 * `new Worker(WORKER_FILE, { workerData: { modelPath, threads } })` and talks to it in messages.
 *
 * Plain JavaScript on purpose: a thread runs JavaScript only, and this file needs no TypeScript
 * loader, so a thread starts in the time onnxruntime takes to compile, no more.
 *
 * The conversation (every message is a plain object; postMessage copies it):
 *   thread → main   {type: 'ready', model: ModelInfo}              once, the model is loaded
 *                   {type: 'failed', message}                      once, it could not be; the thread then ends
 *   main → thread   {type: 'run', id, job: Job}                    compute one job (transfer its buffers)
 *   thread → main   {type: 'done', id, result: JobResult}          ...its answer
 *                   {type: 'error', id, message}                   ...or why onnxruntime refused it
 *   main → thread   {type: 'close'}                                release the session and end (exit code 0)
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';

// onnxruntime's element types → the protocol's datatype names (a Map: "constructor" finds nothing).
const DATATYPES = new Map([
  ['bool', 'BOOL'], ['uint8', 'UINT8'], ['int8', 'INT8'], ['int16', 'INT16'], ['int32', 'INT32'],
  ['int64', 'INT64'], ['float16', 'FP16'], ['float32', 'FP32'], ['float64', 'FP64'], ['string', 'BYTES'],
]);

/**
 * Loads an ONNX file, describes it in the protocol's words, and runs it once (a warm-up: the
 * first run of a session is many times slower than the next; no client should pay for it).
 * @param {string} file
 * @returns {Promise<{info: {version: string, inputs: object[], outputs: object[]}, session: ort.InferenceSession}>}
 * @throws an Error naming `file` when it is missing, is not a model, or has an input that is not FP32
 */
export async function loadModel(file) {
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`Cannot read the model file ${file}: ${error.code ?? String(error)}`);
  }
  let session;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw new Error(`${file} is not a model onnxruntime can load: ${String(error.message).split('\n')[0]}`);
  }
  try {
    const describe = (values) =>
      values.map((value) => {
        const datatype = value.isTensor ? DATATYPES.get(value.type) : undefined;
        if (!datatype) throw new Error(`${file}: "${value.name}" is not a tensor of a supported type`);
        return { name: value.name, datatype, shape: value.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) };
      });
    const inputs = describe(session.inputMetadata);
    const outputs = describe(session.outputMetadata);
    const other = inputs.find((input) => input.datatype !== 'FP32');
    if (other) throw new Error(`${file}: input "${other.name}" is ${other.datatype}; this server feeds FP32 only`);
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
    const message = String(error.message).split('\n')[0];
    throw new Error(message.includes(file) ? message : `${file} cannot run: ${message}`);
  }
}

/** Runs one job; the result can be posted back as it is (an int64 output stays a BigInt64Array). */
async function runJob(session, job) {
  const feeds = Object.fromEntries(Object.entries(job.feeds).map(([name, { data, dims }]) => [name, new ort.Tensor('float32', data, dims)]));
  const results = await session.run(feeds, job.outputs);
  return Object.fromEntries(job.outputs.map((name) => [name, { data: results[name].data, dims: [...results[name].dims] }]));
}

const port = parentPort;
const { modelPath, threads } = workerData ?? {};
if (!port || typeof modelPath !== 'string') throw new Error('worker.mjs is an inference thread: start it with new Worker(file, { workerData: { modelPath } })');

// onnxruntime-web sizes its pool from the host's cores (min(4, ceil(cores / 2))), which in a
// container is the node's count, not the pod's CPU limit: take the number we are given instead.
if (Number.isInteger(threads) && threads >= 1) ort.env.wasm.numThreads = threads;

let model;
try {
  model = await loadModel(modelPath);
} catch (error) {
  // Say why, then return: with no listener on the port nothing keeps the thread alive; it ends.
  port.postMessage({ type: 'failed', message: error.message });
}
if (model) {
  port.postMessage({ type: 'ready', model: model.info });
  port.on('message', async (message) => {
    if (message?.type === 'close') {
      // Release the session, then close the port: nothing is left to do and the thread exits 0.
      await model.session.release();
      port.close();
      return;
    }
    if (message?.type !== 'run') return;
    try {
      // session.run computes here, blocking this thread's event loop, not the server's.
      port.postMessage({ type: 'done', id: message.id, result: await runJob(model.session, message.job) });
    } catch (error) {
      // Only the words cross (an Error loses its class on the way): the main thread decides.
      port.postMessage({ type: 'error', id: message.id, message: String(error?.message ?? error) });
    }
  });
}
