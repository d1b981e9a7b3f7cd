/**
 * Lesson 10 — stop and report: the annotated solution.
 * The comments say why each piece is written the way it is. The given parts are the exercise's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
// Lesson 09's finished service: its annotated solution, never your lesson 09 exercise, so that a
// half-done lesson 09 cannot break this one.
import {
  DEFAULT_MODEL_PATH,
  DEFAULTS as SERVICE_DEFAULTS,
  MODEL_NAME,
  createApp,
  createLimiter,
  startWorker,
  type InferenceWorker,
  type Job,
  type JobResult,
  type Limiter,
} from '../../solutions/09-keep-answering/exercise.ts';

export * from '../../solutions/09-keep-answering/exercise.ts';

// ---------------------------------------------------------------------------------------------
// Given (no change needed): settings, shapes, and the environment
// ---------------------------------------------------------------------------------------------

/** What startServer uses for an option it is not given (and optionsFromEnv for a variable that is unset). */
export const DEFAULTS = {
  ...SERVICE_DEFAULTS,
  host: '127.0.0.1',
  port: 8000,
  /** How long a graceful stop may take before what is left is cut (Docker waits 10 s, Kubernetes 30 s). */
  shutdownTimeoutMs: 8_000,
} as const;

/** The service's metrics, in a registry of their own (TODO 1). */
export interface Metrics {
  registry: Registry;
  /** http_requests_total{method, route, status} */
  requests: Counter<'method' | 'route' | 'status'>;
  /** inference_duration_seconds */
  inferenceSeconds: Histogram;
  /** inference_queue_depth */
  queueDepth: Gauge;
  /** inference_in_flight */
  inFlight: Gauge;
  /** model_load_seconds */
  modelLoadSeconds: Gauge;
}

/** What createObservedApp serves with (TODO 2). */
export interface ObservedParts {
  worker: InferenceWorker;
  limiter: Limiter;
  metrics: Metrics;
  /** Default DEFAULTS.retryAfterSeconds. */
  retryAfterSeconds?: number;
}

/** The options of startServer (missing: DEFAULTS). */
export interface ServerOptions {
  modelPath: string;
  host?: string;
  port?: number;
  maxInFlight?: number;
  maxQueue?: number;
  deadlineMs?: number;
  retryAfterSeconds?: number;
  /** onnxruntime's thread count in the worker thread (unset: onnxruntime picks from the host's cores). */
  threads?: number;
  shutdownTimeoutMs?: number;
}

/** A running server (TODO 3). */
export interface Started {
  /**
   * e.g. http://127.0.0.1:8000: the real port (never 0), and an address a client can connect to
   * (bound to 0.0.0.0 or ::, the loopback address 127.0.0.1 or [::1]: lesson 06).
   */
  url: string;
  /** What the server is bound to: server.address(). */
  address: AddressInfo;
  /** The graceful stop; see startServer. */
  shutdown(): Promise<void>;
}

/** Reads startServer's options from the environment (lesson 06's rules: blank is unset, digits only). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const whole = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const options: ServerOptions = { modelPath: env.MODEL_PATH?.trim() || DEFAULT_MODEL_PATH, host: env.HOST?.trim() || DEFAULTS.host };
  const numbers = {
    port: whole('PORT', 0, 65535),
    maxInFlight: whole('MAX_IN_FLIGHT', 1, 1_000),
    maxQueue: whole('MAX_QUEUE', 0, 100_000),
    deadlineMs: whole('DEADLINE_MS', 1, 3_600_000),
    retryAfterSeconds: whole('RETRY_AFTER_SECONDS', 0, 86_400),
    threads: whole('ORT_NUM_THREADS', 1, 64),
    shutdownTimeoutMs: whole('SHUTDOWN_TIMEOUT_MS', 1, 3_600_000),
  };
  for (const [key, value] of Object.entries(numbers)) if (value !== undefined) Object.assign(options, { [key]: value });
  return options;
}

/**
 * A view of `worker` with `ready` or `run` replaced; everything else is the worker's own, read
 * live (lesson 09's app asks `ready` on every request, so a view's answer can change at any time).
 */
export function viewOf(worker: InferenceWorker, changes: { ready?: () => boolean; run?: (job: Job) => Promise<JobResult> }): InferenceWorker {
  return {
    get model() {
      return worker.model;
    },
    get ready() {
      return changes.ready ? changes.ready() : worker.ready;
    },
    get restarts() {
      return worker.restarts;
    },
    get loadSeconds() {
      return worker.loadSeconds;
    },
    run: changes.run ?? ((job) => worker.run(job)),
    close: () => worker.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 1: the metrics
// ---------------------------------------------------------------------------------------------

export function createMetrics(): Metrics {
  // A registry per app, not prom-client's global one: two apps in one process (the tests, or a
  // restart in place) would otherwise fight over the same names ("already registered").
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'] as const, registers }),
    // Seconds, the base unit Prometheus wants. Buckets from 1 ms to 10 s: iris answers in about a
    // millisecond, a big batch on a big model in seconds. A histogram, not a summary: the buckets
    // of many replicas add up, and any quantile comes out of them later.
    inferenceSeconds: new Histogram({ name: 'inference_duration_seconds', help: 'Seconds each job took in the worker thread', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    queueDepth: new Gauge({ name: 'inference_queue_depth', help: 'Inference jobs waiting for a slot', registers }),
    inFlight: new Gauge({ name: 'inference_in_flight', help: 'Inference jobs handed to the worker thread', registers }),
    modelLoadSeconds: new Gauge({ name: 'model_load_seconds', help: 'Seconds the first worker thread took to load the model', registers }),
  };
}

// ---------------------------------------------------------------------------------------------
// TODO 2: count, time and serve them around lesson 09's app
// ---------------------------------------------------------------------------------------------

export function createObservedApp({ worker, limiter, metrics, retryAfterSeconds }: ObservedParts): express.Express {
  metrics.modelLoadSeconds.set(worker.loadSeconds);
  // The time a job spends in the worker, measured around worker.run: the wait in the limiter's
  // queue happens before run is called, so it is not counted. A job whose client already got its
  // 504 is still timed: it still took the worker that long.
  const timed = viewOf(worker, {
    async run(job) {
      const stop = metrics.inferenceSeconds.startTimer();
      const result = await worker.run(job);
      stop();
      return result;
    },
  });

  const app = express();
  app.disable('x-powered-by');
  // Counted when the answer is finished: by then the status is known, and so is the route that
  // matched (inside lesson 09's app, mounted below at '/', so its path is the whole pattern). The
  // pattern, never the URL: one series per URL someone invents would grow without end.
  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(unmatched)';
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  // The scrape. The gauges are read when Prometheus asks, so they are never stale.
  app.get('/metrics', async (_req, res) => {
    metrics.queueDepth.set(limiter.queued);
    metrics.inFlight.set(limiter.inFlight);
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(createApp({ worker: timed, limiter, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }));
  return app;
}

// ---------------------------------------------------------------------------------------------
// TODO 3: start, and stop gracefully
// ---------------------------------------------------------------------------------------------

export async function startServer(options: ServerOptions): Promise<Started> {
  const host = options.host ?? DEFAULTS.host;
  const port = options.port ?? DEFAULTS.port;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
  // Load first, listen second (FastAPI's lifespan): a failure here leaves nothing open.
  const worker = await startWorker(options.modelPath, options.threads === undefined ? {} : { threads: options.threads });
  const limiter = createLimiter({
    maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
    maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
    deadlineMs: options.deadlineMs ?? DEFAULTS.deadlineMs,
  });
  let draining = false;
  // Lesson 09's app asks worker.ready for its ready routes and before each job: seen through this
  // view, the worker stops being ready the moment shutdown begins, so the app says 503 (with
  // Retry-After) to new work and to the probes, and nothing else in it has to know about stopping.
  const view = viewOf(worker, { ready: () => !draining && worker.ready });
  const app = createObservedApp({ worker: view, limiter, metrics: createMetrics(), retryAfterSeconds: options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds });

  // The answers not sent yet. While draining, each one closes its connection (Connection: close):
  // otherwise an idle keep-alive connection would bring its client back to a process that is
  // leaving, and hold server.close() open. This listener comes before the app's, which may answer
  // at once.
  const unanswered = new Set<http.ServerResponse>();
  const server = http.createServer();
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  server.on('request', app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await worker.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  // A wildcard is where the server listens, not an address to connect to (lesson 06): show loopback.
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const url = `http://${address.family === 'IPv6' ? `[${reachable}]` : reachable}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      // 1. At once: not ready, new work refused, every answer not sent yet closes its connection.
      draining = true;
      for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), shutdownTimeoutMs)));
      const drained = (async () => {
        // 2. Accepted work finishes while the server still listens: a probe gets its clear 503
        // and a request already on its way gets an answer, not a refused connection.
        await limiter.idle();
        // 3. Then stop accepting. close() also ends idle keep-alive connections (Node ≥ 19); its
        // callback comes once the last busy one has sent its answer.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return 'drained' as const;
      })();
      if ((await Promise.race([drained, late])) === 'late') {
        // Past the bound: cut what is left. The clients still waiting get a reset, not a hang.
        console.error(`shutdown: still busy after ${shutdownTimeoutMs} ms; closing what is left`);
        server.close();
        server.closeAllConnections();
      }
      clearTimeout(timer);
      // 4. The worker last: idle by now (its thread releases the session and exits 0), or cut
      // after its own 5 s bound.
      await worker.close();
    })());
  return { url, address, shutdown };
}

// ---------------------------------------------------------------------------------------------
// TODO 4: the process — what the container runs
// ---------------------------------------------------------------------------------------------

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  let started: Started | undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // A second signal: someone wants it gone now (uvicorn does the same on a second Ctrl-C).
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    if (!started) {
      // Still loading: nothing was accepted, nothing to drain.
      console.log(`${signal} while loading: exiting`);
      process.exit(0);
    }
    console.log(`${signal}: not ready any more; finishing the requests in progress (${signal} again to stop at once)`);
    started.shutdown().then(
      () => {
        console.log('Stopped: every accepted request answered, worker closed, port free.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  // Before the model loads, which takes seconds: as PID 1 in a container a process with no
  // handler ignores SIGTERM, and `docker stop` would wait its 10 s and kill it. process.on, not
  // once: the handler must still be there for the second signal.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  started = await startServer(optionsFromEnv(env));
  console.log(`Listening on ${started.url} (model ${MODEL_NAME}; SIGTERM or Ctrl-C stops it gracefully)`);
  return started;
}

// ---------------------------------------------------------------------------------------------
// Given: run as a program (`node --import tsx lessons/10-stop-and-report/exercise.ts`, or the
// Dockerfile's bundle of it), main() starts; imported (by the tests, say), nothing runs.
// ---------------------------------------------------------------------------------------------

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((error: unknown) => {
    console.error(`Cannot start: ${(error as Error).message}`);
    process.exit(1);
  });
}
