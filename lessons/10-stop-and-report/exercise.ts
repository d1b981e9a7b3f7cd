/**
 * Lesson 10 — stop and report. Welcome! Lesson 09's service (given: its solution, imported below)
 * learns to leave and to be watched: SIGTERM stops it without losing an accepted request, and
 * GET /metrics tells Prometheus how it is doing. deploy/ beside this file takes it beyond one
 * machine: a Dockerfile, Kubernetes objects, a KServe InferenceService and a Triton config.
 *
 * Fill in each TODO, then run `npm test -- 10` (or keep `npm start` open: it reruns on save).
 * `npm run example -- 10` serves a finished one (Ctrl-C shows the stop step by step); the README
 * beside this file explains every idea, and `npm run hint -- 10` helps when you are stuck. Once
 * all TODOs pass, `npx tsx lessons/10-stop-and-report/exercise.ts` runs your server the way the
 * container does.
 *
 * The API is lesson 09's, plus GET /metrics (Prometheus' text format). Once shutdown has begun,
 * both ready routes answer 503, new infer / predict requests 503 with Retry-After, and every
 * answer carries Connection: close.
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
// Given (no change needed): settings, shapes, the environment, and a view of a worker
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
// Your part
// ---------------------------------------------------------------------------------------------

/**
 * The service's metrics, in a `new Registry()` of their own (not prom-client's global one):
 *   http_requests_total         counter, labels method, route, status (e.g. "200"): every request
 *                               answered. `route` is the pattern Express matched
 *                               ("/v2/models/:name/infer"), never the URL; requests that matched
 *                               no route share one value.
 *   inference_duration_seconds  histogram: the seconds each job took in the worker (worker.run),
 *                               not its wait in the queue; a job is timed whether or not its
 *                               client was still waiting for it.
 *   inference_queue_depth       gauge: the limiter's `queued`, as it is when scraped.
 *   inference_in_flight         gauge: the limiter's `inFlight`, as it is when scraped.
 *   model_load_seconds          gauge: the worker's `loadSeconds`.
 * @returns the registry and the five metrics, not yet counting anything (TODO 2 does that)
 */
export function createMetrics(): Metrics {
  // TODO 1: a registry of your own and the five metrics in it.
  throw new Error('createMetrics is not written yet');
}

/**
 * Lesson 09's app (its createApp), watched: a new Express app that
 * - counts every answered request in `metrics.requests` once its answer is finished;
 * - times every job the worker completes in `metrics.inferenceSeconds` (give createApp a view of
 *   the worker whose run is timed: see viewOf);
 * - serves GET /metrics: the registry's metrics() with its contentType, after setting the gauges;
 * - serves everything else with createApp({ worker, limiter, retryAfterSeconds }), mounted last.
 * @returns a new Express app
 */
export function createObservedApp(parts: ObservedParts): express.Express {
  // TODO 2: count, time and serve the metrics around lesson 09's app.
  throw new Error('createObservedApp is not written yet');
}

/**
 * FastAPI's lifespan plus uvicorn's graceful stop. Starts the worker (startWorker, with
 * `threads`), makes a limiter and the metrics, and listens with createObservedApp on host:port.
 * Missing options: DEFAULTS.
 * @returns once listening: `url` (with the real port), `address` (server.address()), and
 *   `shutdown()`, which
 *   1. at once, before it returns its promise: makes both ready routes answer 503, new infer /
 *      predict requests 503 with Retry-After (lesson 09's app does both when the worker it is
 *      given is not ready: give it a view whose `ready` turns false), and every answer not sent yet
 *      carry `Connection: close`;
 *   2. lets every request already accepted (running or queued) finish and get its answer, while
 *      the server still listens;
 *   3. then stops listening and closes the idle connections;
 *   4. then closes the worker, and resolves: the port is free and the thread has ended.
 *   Past `shutdownTimeoutMs`, whatever is left is cut (open connections destroyed) and the worker
 *   closed anyway. A second call returns the same promise.
 * @throws (rejects) startWorker's error when the model cannot be loaded; nothing is left
 *   listening and no thread is left running
 */
export async function startServer(options: ServerOptions): Promise<Started> {
  // TODO 3: worker, limiter, metrics, app, listen; shutdown() in its four steps, bounded.
  throw new Error('startServer is not written yet');
}

/**
 * The program: what the container runs (the given lines at the bottom of this file call it).
 * First it handles SIGTERM (docker stop, Kubernetes) and SIGINT (Ctrl-C), then it calls
 * `startServer(optionsFromEnv(env))` and prints a line with the URL.
 * - the first signal, once the server listens: calls shutdown(); once that resolves, the process
 *   exits with code 0;
 * - a signal while the model still loads: nothing was accepted; exit at once with code 0;
 * - a second signal, of either kind: exit at once with code 1.
 * @returns the Started server, once it listens
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  // TODO 4: signals first, then start from the environment and log the URL.
  throw new Error('main is not written yet');
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

// Imported for the TODOs; this line keeps the imports in use until then. You may delete it.
void [http, express, Counter, Gauge, Histogram, Registry, MODEL_NAME, createApp, createLimiter, startWorker];
