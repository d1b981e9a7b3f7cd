/**
 * Lesson 09's example: lesson 08's iris server, run like production.
 *
 *   npm run example -- 09               (or: npx tsx lessons/09-production/example.ts)
 *   MODEL_PATH=my-model.onnx MAX_IN_FLIGHT=2 MAX_QUEUE=16 npm run example -- 09
 *
 * - The model runs in a worker thread (this same file, started again as a thread), so the event
 *   loop keeps answering while it computes.
 * - At most MAX_IN_FLIGHT jobs go to the worker and MAX_QUEUE wait; one more gets 503 with
 *   Retry-After. A job that waits or runs longer than DEADLINE_MS gets 504.
 * - GET /metrics for Prometheus, with Node's own metrics too (event loop lag, memory, CPU).
 * - Ctrl-C or SIGTERM: ready turns 503 at once, the requests in progress finish, then the
 *   listener and the worker close; the log shows each step. A second Ctrl-C stops at once.
 *
 * Shaped differently from the solution on purpose: it listens first and loads the model beside it
 * (ready answers 503 until then, as Kubernetes' startup probe expects), the limit is an Express
 * middleware, and the worker's side is one small function at the end of the file.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import express from 'express';
import * as ort from 'onnxruntime-web';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { hostAndPort, urlHost } from '../../workbook/example-server.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROLE = 'lesson-09-example-worker';

// ---- The worker's side: runs when this file is started as the inference thread -----------------

async function workerSide(modelPath: string): Promise<void> {
  const port = parentPort!;
  const session = await ort.InferenceSession.create(readFileSync(modelPath)).catch((error: Error) => {
    port.postMessage({ kind: 'failed', message: `${modelPath}: ${error.message.split('\n')[0]}` });
    return undefined;
  });
  if (!session) return;
  const input = session.inputMetadata[0]!;
  const output = session.outputMetadata.find((entry) => entry.isTensor && entry.type === 'float32') ?? session.outputMetadata[0]!;
  await session.run({ [input.name]: new ort.Tensor('float32', new Float32Array(4), [1, 4]) }); // warm-up
  port.postMessage({ kind: 'ready', input: input.name, output: output.name });
  port.on('message', async (message: { id: number; rows: number; values: Float32Array } | 'close') => {
    if (message === 'close') {
      await session.release();
      return port.close();
    }
    try {
      const result = await session.run({ [input.name]: new ort.Tensor('float32', message.values, [message.rows, 4]) }, [output.name]);
      port.postMessage({ kind: 'done', id: message.id, data: result[output.name]!.data as Float32Array });
    } catch (error) {
      port.postMessage({ kind: 'error', id: message.id, message: (error as Error).message });
    }
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  await workerSide((workerData as { modelPath: string }).modelPath);
} else if (isMainThread) {
  await serve();
}

// ---- The main thread: HTTP, limits, metrics, the stop ------------------------------------------

async function serve(): Promise<void> {
  const modelPath = path.resolve(process.env.MODEL_PATH?.trim() || path.join(HERE, 'model.onnx'));
  const setting = (name: string, fallback: number) => (/^\d+$/.test(process.env[name]?.trim() ?? '') ? Number(process.env[name]) : fallback);
  const maxInFlight = Math.max(1, setting('MAX_IN_FLIGHT', 2));
  const maxQueue = setting('MAX_QUEUE', 32);
  const deadlineMs = Math.max(1, setting('DEADLINE_MS', 10_000));
  const CLASSES = ['setosa', 'versicolor', 'virginica'];
  const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

  // Metrics: Node's defaults (event loop lag is the one this lesson is about) and ours.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const seconds = new Histogram({ name: 'inference_duration_seconds', help: 'Time in the worker per inference', buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5], registers: [registry] });
  const waiting = new Gauge({ name: 'inference_queue_depth', help: 'Jobs waiting for a slot', registers: [registry] });
  const running = new Gauge({ name: 'inference_in_flight', help: 'Jobs in the worker', registers: [registry] });
  const loadSeconds = new Gauge({ name: 'model_load_seconds', help: 'Seconds to start the worker and load the model', registers: [registry] });

  // ---- The worker, from the main thread's side
  const loadStarted = performance.now();
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`, {
    eval: true,
    workerData: { role: ROLE, modelPath },
  });
  const threadExit = new Promise<number>((resolve) => thread.once('exit', resolve));
  let model: { input: string; output: string } | undefined;
  const answers = new Map<number, (reply: { data?: Float32Array; message?: string }) => void>();
  let nextId = 0;
  thread.on('message', (message: { kind: string; id?: number; input?: string; output?: string; message?: string; data?: Float32Array }) => {
    if (message.kind === 'ready') {
      model = { input: message.input!, output: message.output! };
      loadSeconds.set((performance.now() - loadStarted) / 1000);
      console.log(`Model ${path.basename(modelPath)} loaded in the worker thread in ${Math.round(performance.now() - loadStarted)} ms: ready.`);
    } else if (message.kind === 'failed') {
      console.error(`Cannot serve: ${message.message}`);
      process.exit(1);
    } else {
      answers.get(message.id!)?.(message);
      answers.delete(message.id!);
    }
  });
  thread.on('error', (error) => {
    console.error('The inference worker failed:', error);
    process.exit(1);
  });
  const compute = (rows: number[][]): Promise<Float32Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      answers.set(id, (reply) => (reply.data ? resolve(reply.data) : reject(new Error(reply.message))));
      const values = Float32Array.from(rows.flat());
      thread.postMessage({ id, rows: rows.length, values }, [values.buffer]);
    });

  // ---- Admission: a counter, a FIFO queue of waiting requests, a deadline for each
  let inFlight = 0;
  const queue: { go: () => void; timer: NodeJS.Timeout }[] = [];
  let draining = false;
  let drained: (() => void) | undefined;
  const release = () => {
    inFlight -= 1;
    const next = queue.shift();
    if (next) next.go();
    else if (inFlight === 0) drained?.();
  };

  const app = express();
  app.disable('x-powered-by');
  // Answers not sent yet: when the stop begins, each gets Connection: close, so that no idle
  // keep-alive connection holds the process open after its last answer.
  const unanswered = new Set<express.Response>();
  app.use((req, res, next) => {
    if (draining) res.set('Connection', 'close');
    unanswered.add(res);
    res.on('close', () => unanswered.delete(res));
    res.on('finish', () => requests.inc({ method: req.method, route: req.route ? String(req.route.path) : '(none)', status: String(res.statusCode) }));
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.get('/', (_req, res) => void res.json({ model: path.basename(modelPath), ready: Boolean(model) && !draining, inFlight, queued: queue.length, try: ['POST /predict', 'POST /v2/models/iris/infer', 'GET /metrics'] }));
  app.get('/v2/health/live', (_req, res) => void res.json({ live: true }));
  app.get('/v2/health/ready', (_req, res) => void res.status(model && !draining ? 200 : 503).json({ ready: Boolean(model) && !draining }));
  app.get('/metrics', async (_req, res) => {
    waiting.set(queue.length);
    running.set(inFlight);
    res.type(registry.contentType).send(await registry.metrics());
  });

  /** The gate every inference passes: refuse when full, wait in line, give up at the deadline. */
  const admission: express.RequestHandler = (req, res, next) => {
    const shape = req.path.startsWith('/v2') ? 'error' : 'detail';
    const refuse = (status: number, text: string) => {
      if (status === 503) res.set('Retry-After', '1');
      res.status(status).json({ [shape]: text });
    };
    if (draining || !model) return refuse(503, draining ? 'Shutting down' : 'The model is still loading');
    const enter = () => {
      inFlight += 1;
      res.locals.done = release;
      next();
    };
    if (inFlight < maxInFlight) return enter();
    if (queue.length >= maxQueue) return refuse(503, 'Too many requests in progress');
    const entry = {
      go: () => {
        clearTimeout(entry.timer);
        enter();
      },
      timer: setTimeout(() => {
        queue.splice(queue.indexOf(entry), 1);
        refuse(504, 'Waited too long for a free slot');
      }, deadlineMs),
    };
    queue.push(entry);
  };

  /** Runs rows through the worker, keeping the slot until the worker is really done. */
  const predictRows = async (res: express.Response, rows: number[][]): Promise<number[][] | undefined> => {
    const started = performance.now();
    const work = compute(rows).finally(() => (res.locals.done as () => void)());
    const late = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), deadlineMs).unref());
    const data = await Promise.race([work, late]);
    if (!data) return undefined;
    seconds.observe((performance.now() - started) / 1000);
    return rows.map((_, row) => Array.from(data.slice(row * 3, row * 3 + 3)));
  };

  const isRow = (row: unknown): row is number[] => Array.isArray(row) && row.length === 4 && row.every((value) => typeof value === 'number' && Number.isFinite(Math.fround(value)));

  app.post('/v2/models/iris/infer', admission, async (req, res) => {
    const tensor = req.body?.inputs?.[0];
    const rows: unknown[] = Array.isArray(tensor?.data) && Array.isArray(tensor.data[0]) ? tensor.data : Array.from({ length: (tensor?.data?.length ?? 0) / 4 }, (_, r) => tensor.data.slice(r * 4, r * 4 + 4));
    if (tensor?.datatype !== 'FP32' || rows.length < 1 || rows.length > 256 || !rows.every(isRow) || tensor.shape?.[0] !== rows.length) {
      (res.locals.done as () => void)();
      return void res.status(400).json({ error: 'Send one FP32 input of shape [rows, 4], 1 to 256 rows (lesson 08 checks every detail)' });
    }
    const p = await predictRows(res, rows);
    if (!p) return void res.status(504).json({ error: 'The inference did not finish in time' });
    res.json({ model_name: 'iris', outputs: [{ name: model!.output, datatype: 'FP32', shape: [rows.length, 3], data: p.flat() }] });
  });

  app.post('/predict', admission, async (req, res) => {
    const many = Array.isArray(req.body);
    const flowers: unknown[] = many ? req.body : [req.body];
    const rows = flowers.map((flower) => FEATURES.map((key) => (flower as Record<string, unknown> | null)?.[key]));
    if (rows.length < 1 || rows.length > 256 || !rows.every(isRow)) {
      (res.locals.done as () => void)();
      return void res.status(422).json({ detail: [{ loc: ['body'], msg: 'Send a flower (or a list of 1 to 256) with four finite measurements', type: 'value_error' }] });
    }
    const p = await predictRows(res, rows);
    if (!p) return void res.status(504).json({ detail: 'The inference did not finish in time' });
    const predictions = p.map((probabilities) => ({
      label: CLASSES[probabilities.indexOf(Math.max(...probabilities))],
      probabilities: Object.fromEntries(CLASSES.map((name, index) => [name, probabilities[index]])),
    }));
    res.json(many ? predictions : predictions[0]);
  });
  app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' }));
  app.use(((error, req, res, _next) => {
    const status = Number.isInteger(error?.status) && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) console.error(error);
    res.status(status).json({ [req.path.startsWith('/v2') ? 'error' : 'detail']: http.STATUS_CODES[status] });
  }) as express.ErrorRequestHandler);

  // ---- Listen first; the model loads beside it
  const { host, port } = hostAndPort(8000);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      console.error(`Could not listen on ${host}:${port}: ${error.code ?? error.message}`);
      process.exit(1);
    });
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${bound}`;
  console.log(`Listening on ${url}  (bound to ${host}:${bound}; Ctrl-C stops it gracefully)`);
  console.log(`  curl -s ${url}/predict -H 'content-type: application/json' -d '{"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}'`);
  console.log(`  curl -s ${url}/metrics | grep -E '^(http_requests_total|inference_|nodejs_eventloop_lag_p99)'`);
  console.log(`  limits: ${maxInFlight} in the worker at once, ${maxQueue} waiting, ${deadlineMs} ms deadline`);

  // ---- The graceful stop
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      console.log(`${signal} again: exiting now, without waiting.`);
      process.exit(1);
    }
    stopping = true;
    const began = performance.now();
    const since = () => `+${Math.round(performance.now() - began)} ms`;
    draining = true;
    for (const res of unanswered) if (!res.headersSent) res.set('Connection', 'close');
    console.log(`\n${signal}: ready now answers 503; new inference requests get 503 + Retry-After.`);
    if (inFlight + queue.length > 0) {
      console.log(`  waiting for ${inFlight} running and ${queue.length} queued request(s)... (${signal} again to stop at once)`);
      await new Promise<void>((resolve) => (drained = resolve));
      console.log(`  ${since()} the last request was answered.`);
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    console.log(`  ${since()} the listener is closed and every connection has ended: the port is free.`);
    if (model) thread.postMessage('close');
    else void thread.terminate(); // still loading: nothing to finish
    const code = await threadExit;
    console.log(`  ${since()} ${model ? 'the worker thread released its session and ended' : 'the worker thread was stopped while loading'} (exit code ${code}).`);
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}
