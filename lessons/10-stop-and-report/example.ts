/**
 * Lesson 10's example: lesson 09's finished service, made to stop without losing a request and to
 * report how it is doing.
 *
 *   npm run example -- 10                   (or: npx tsx lessons/10-stop-and-report/example.ts)
 *   MAX_IN_FLIGHT=1 SHUTDOWN_TIMEOUT_MS=3000 npm run example -- 10
 *
 * - It listens at once and loads the model in a worker thread beside it: until the model is
 *   loaded, live answers 200, ready 503, and inference 503 with Retry-After.
 * - GET /metrics: the lesson's five metrics plus Node's own (collectDefaultMetrics: event loop
 *   lag, memory, CPU, handles). The two gauges read the limiter when Prometheus scrapes.
 * - SIGTERM (docker stop, Kubernetes) or Ctrl-C (SIGINT): the stop is logged step by step — ready
 *   503, the accepted requests drained, the listener closed, the worker closed, exit 0. A second
 *   signal exits at once with 1. Past SHUTDOWN_TIMEOUT_MS, what is left is cut.
 *
 * Environment, digits only (unset or blank: the default): MAX_IN_FLIGHT (2), MAX_QUEUE (32),
 * DEADLINE_MS (10000), RETRY_AFTER_SECONDS (1), ORT_NUM_THREADS (onnxruntime's own choice),
 * SHUTDOWN_TIMEOUT_MS (8000); MODEL_PATH (lesson 09's model.onnx); HOST and PORT as in lesson 06.
 *
 * Shaped differently from the solution on purpose: listen first and load beside it, the gauges
 * filled by prom-client's collect() at scrape time, and the stop as one logged sequence.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
// Lesson 09's finished service, as the exercise uses it.
import {
  DEFAULT_MODEL_PATH,
  DEFAULTS,
  MODEL_NAME,
  createApp,
  createLimiter,
  fail,
  startWorker,
  type InferenceWorker,
} from '../../solutions/09-keep-answering/exercise.ts';
import { hostAndPort, urlHost } from '../../workbook/example-server.ts';

// ---- Settings ---------------------------------------------------------------------------------

function whole(name: string, fallback: number | undefined, least: number): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < least) {
    console.error(`${name} must be a whole number, at least ${least}; got ${JSON.stringify(raw)}.`);
    process.exit(2);
  }
  return Number(raw);
}
const settings = {
  modelPath: path.resolve(process.env.MODEL_PATH?.trim() || DEFAULT_MODEL_PATH),
  maxInFlight: whole('MAX_IN_FLIGHT', DEFAULTS.maxInFlight, 1)!,
  maxQueue: whole('MAX_QUEUE', DEFAULTS.maxQueue, 0)!,
  deadlineMs: whole('DEADLINE_MS', DEFAULTS.deadlineMs, 1)!,
  retryAfterSeconds: whole('RETRY_AFTER_SECONDS', DEFAULTS.retryAfterSeconds, 0)!,
  threads: whole('ORT_NUM_THREADS', undefined, 1),
  shutdownTimeoutMs: whole('SHUTDOWN_TIMEOUT_MS', 8_000, 1)!,
};
const { host, port } = hostAndPort(8000);

// ---- State: what the stop and the metrics look at ----------------------------------------------

let worker: InferenceWorker | undefined; // set once the model has loaded
let stopping = false;
const limiter = createLimiter(settings);
const startedAt = performance.now();

// ---- Signals first: a process that is PID 1 and has no handler ignores SIGTERM -----------------

let stop: ((signal: NodeJS.Signals) => void) | undefined; // the graceful stop, once listening
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    console.log(`${signal} again: exiting now (1), without waiting for the rest.`);
    process.exit(1);
  }
  if (!stop || !worker) {
    // Nothing accepted needs finishing: the model is still loading, so no job was taken.
    console.log(`${signal} before the model was loaded: nothing to finish; exiting (0).`);
    process.exit(0);
  }
  stop(signal);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

// ---- Metrics ------------------------------------------------------------------------------------

const registry = new Registry();
// Node's own: nodejs_eventloop_lag_p99_seconds says how long a request waited for the event loop.
collectDefaultMetrics({ register: registry });
const registers = [registry];
const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'] as const, registers });
const inferenceSeconds = new Histogram({ name: 'inference_duration_seconds', help: 'Seconds each job spent in the worker thread', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
// collect() runs on every scrape, just before the registry writes its text: never stale.
new Gauge({ name: 'inference_queue_depth', help: 'Inference jobs waiting for a slot', registers, collect() { this.set(limiter.queued); } });
new Gauge({ name: 'inference_in_flight', help: 'Inference jobs handed to the worker thread', registers, collect() { this.set(limiter.inFlight); } });
new Gauge({ name: 'model_load_seconds', help: 'Seconds the first worker thread took to load the model', registers, collect() { if (worker) this.set(worker.loadSeconds); } });

// ---- The app: ours around lesson 09's -----------------------------------------------------------

/** Lesson 09's app sees the worker through this: not ready once stopping, and every run timed. */
function served(inner: InferenceWorker): InferenceWorker {
  return {
    get model() { return inner.model; },
    get ready() { return !stopping && inner.ready; },
    get restarts() { return inner.restarts; },
    get loadSeconds() { return inner.loadSeconds; },
    async run(job) {
      // The worker's time only: the wait in the limiter's queue came before this call. A job whose
      // client already got its 504 still counts: the worker was busy with it all the same.
      const end = inferenceSeconds.startTimer();
      const result = await inner.run(job);
      end();
      return result;
    },
    close: () => inner.close(),
  };
}

let lesson09: express.Express | undefined; // lesson 09's app, once the model has loaded
const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  // Counted when the answer is finished: the status is known, and so is the pattern that matched
  // (lesson 09's app runs at the root, below, so its route's path is the whole pattern).
  res.on('finish', () => {
    const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(unmatched)';
    requests.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
});
app.get('/', (_req, res) => {
  res.json({
    model: MODEL_NAME,
    file: path.basename(settings.modelPath),
    ready: Boolean(worker?.ready) && !stopping,
    stopping,
    inFlight: limiter.inFlight,
    queued: limiter.queued,
    try: ['POST /predict', 'POST /v2/models/iris/infer', 'GET /metrics', 'GET /v2/health/ready'],
  });
});
app.get('/metrics', async (_req, res) => {
  res.type(registry.contentType).send(await registry.metrics());
});
app.use((req, res, next) => {
  if (lesson09) return lesson09(req, res, next);
  // Still loading: alive, not ready, and no inference yet.
  if (req.path === '/v2/health/live') return void res.json({ live: true });
  if (req.path === '/v2/health/ready') return void res.status(503).json({ ready: false });
  res.set('Retry-After', String(settings.retryAfterSeconds));
  fail(req, res, 503, 'The model is still loading; try again later');
});

// ---- Listen, then load ----------------------------------------------------------------------------

// The answers not sent yet, so that the stop can add Connection: close to each.
const unanswered = new Set<http.ServerResponse>();
const duringStop = { answered: 0, refused: 0 }; // what the stop log reports at the end
const server = http.createServer();
server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
  if (stopping) res.setHeader('Connection', 'close');
  unanswered.add(res);
  res.once('close', () => unanswered.delete(res));
  res.once('finish', () => {
    if (!stopping) return;
    duringStop.answered += 1;
    if (res.statusCode === 503) duringStop.refused += 1;
  });
});
server.on('request', app);
await new Promise<void>((resolve) => {
  server.once('error', (error: NodeJS.ErrnoException) => {
    console.error(`Could not listen on ${host}:${port}: ${error.code ?? error.message}`);
    process.exit(1);
  });
  server.listen(port, host, resolve);
});
const bound = (server.address() as AddressInfo).port;
const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${bound}`;
console.log(`Listening on ${url}  (bound to ${host}:${bound}, pid ${process.pid}); loading ${path.basename(settings.modelPath)} in a worker thread...`);

try {
  const loaded = await startWorker(settings.modelPath, settings.threads === undefined ? {} : { threads: settings.threads });
  worker = served(loaded);
  lesson09 = createApp({ worker, limiter, retryAfterSeconds: settings.retryAfterSeconds });
} catch (error) {
  console.error(`Cannot serve: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`Ready after ${Math.round(performance.now() - startedAt)} ms. Try:`);
console.log(`  curl -s ${url}/predict -H 'content-type: application/json' -d '{"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}'`);
console.log(`  curl -s ${url}/v2/models/iris/infer -H 'content-type: application/json' -d '{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [5.1, 3.5, 1.4, 0.2]}]}'`);
console.log(`  curl -s ${url}/metrics | grep -E '^(http_requests_total|inference_|model_load|nodejs_eventloop_lag_p99)'`);
console.log(`  kill -TERM ${process.pid}      (or Ctrl-C here: the stop, step by step)`);
console.log(`  limits: ${settings.maxInFlight} in the worker, ${settings.maxQueue} waiting, ${settings.deadlineMs} ms deadline; a stop may take ${settings.shutdownTimeoutMs} ms`);

// ---- The graceful stop ----------------------------------------------------------------------------

stop = (signal) => {
  const began = performance.now();
  const at = () => `+${String(Math.round(performance.now() - began)).padStart(4)} ms`;
  // 1. Not ready, new work refused, every answer not sent yet closes its connection.
  stopping = true;
  for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
  console.log(`\n${signal}: stopping (${signal} again exits at once)`);
  console.log(`  ${at()}  ready answers 503; new inference requests get 503 + Retry-After: ${settings.retryAfterSeconds}`);
  console.log(`  ${at()}  draining ${limiter.inFlight + limiter.queued} accepted request(s): ${limiter.inFlight} in the worker, ${limiter.queued} waiting; still listening`);

  let cut = false;
  const step = (text: string) => void (cut || console.log(`  ${at()}  ${text}`));
  let finishing: Promise<void> | undefined;
  // 4. The worker last: it releases its session and its thread ends. Then the process exits.
  const finish = () =>
    (finishing ??= (async () => {
      clearTimeout(timer);
      await worker!.close();
      console.log(`  ${at()}  worker thread closed`);
      console.log(`Stopped (exit 0). Answered during the stop: ${duringStop.answered}, of which ${duringStop.refused} new requests refused with 503.`);
      process.exit(0);
    })());
  // The bound: past it, the clients still waiting get their connection cut, not a hang.
  const timer = setTimeout(() => {
    cut = true;
    console.error(`  ${at()}  still busy after SHUTDOWN_TIMEOUT_MS=${settings.shutdownTimeoutMs}: cutting ${unanswered.size} unanswered request(s)`);
    server.close();
    server.closeAllConnections();
    void finish();
  }, settings.shutdownTimeoutMs);
  void (async () => {
    // 2. The accepted work finishes while the port stays open.
    await limiter.idle();
    step('every accepted request answered');
    // 3. Stop accepting; the callback waits for the last busy connection to end.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    step(`listener closed, every connection ended: port ${bound} is free`);
    await finish();
  })();
};
