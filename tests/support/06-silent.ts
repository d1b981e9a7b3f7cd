/**
 * Lesson 06's silent port on loopback: a TCP address that never answers, made without root.
 *
 * A worker thread listens on 127.0.0.1 with a backlog of 1 and then blocks (Atomics.wait), so it
 * never accepts anything. The kernel completes a connection or two into the listener's queue;
 * once the queue is full it drops every further SYN without a reply, and a client waits until it
 * gives up. That is what a firewall that drops packets looks like from the client's side.
 *
 * Only 127.0.0.1 is ever contacted. `close()` wakes the worker, which closes its server and ends.
 *
 * Making one takes a thread and a fifth of a second or more of waiting for silence, so the guide
 * keeps one from run to run (06-silent.kept.ts): nothing of a run stays in it, since the
 * connection attempts a run makes die with the run's worker.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

export interface SilentPort {
  /** The port on 127.0.0.1 that never answers (its queue is full). */
  port: number;
  /** Ends the connections that fill the queue and stops the worker. Safe to call twice. */
  close(): Promise<void>;
}

// Plain JavaScript: the worker runs outside the test's TypeScript transform.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.once('error', (error) => parentPort.postMessage({ error: String(error.code || error) }));
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port });
  Atomics.wait(workerData, 0, 0);   // this thread sleeps here: nothing is ever accepted
  server.close();
});
`;

/**
 * One connection attempt: the socket when it connected, or what happened instead. "ETIMEDOUT" only
 * when the attempt had no answer after `timeoutMs` and after one more look at what the kernel has
 * to say (the timer can fire before a connection that completed meanwhile is seen, when this
 * process was held up): a loopback connection is made or refused within the connect() call
 * itself, so a short wait is enough.
 */
function attempt(port: number, timeoutMs: number): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      // setImmediate runs after the event loop has polled for I/O once more.
      setImmediate(() => {
        socket.destroy();
        resolve('ETIMEDOUT');
      });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error.code ?? String(error));
    });
  });
}

/** How long an attempt waits for an answer before the port counts as silent. */
const SILENCE_MS = 100;

/** The silent port the guide keeps (06-silent.kept.ts), set in its spare test worker only. */
export const KEPT_SILENT_PORT = 'WORKBOOK_KEPT_SILENT_PORT';

/**
 * A silent port for a run: the guide's kept one when there is one (its `close()` leaves it to
 * the guide), else a new one; or why there is none (a string).
 */
export function silentPortForRun(): Promise<SilentPort | string> {
  const kept = Number(process.env[KEPT_SILENT_PORT]);
  if (Number.isInteger(kept) && kept > 0) return Promise.resolve({ port: kept, close: async () => {} });
  return createSilentPort();
}

/**
 * Makes a silent port, or returns why it could not (a string): the caller skips its tests then.
 * It fills the queue with connections of its own, then checks that one more attempt gets no answer.
 */
export async function createSilentPort(): Promise<SilentPort | string> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerCode, { eval: true, workerData: flag });
  const fillers: net.Socket[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2_000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    })());

  const first = await new Promise<{ port?: number; error?: string }>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ error: String(error) }));
  });
  if (first.port === undefined) {
    await close();
    return `could not start a listener on 127.0.0.1 (${first.error ?? 'no port'})`;
  }
  const port = first.port;
  for (let i = 0; i < 8; i += 1) {
    const result = await attempt(port, SILENCE_MS);
    if (typeof result !== 'string') {
      fillers.push(result);
      continue;
    }
    // With nothing queued yet, a timeout can only mean a slow moment of this process: try again.
    if (result === 'ETIMEDOUT' && fillers.length === 0) continue;
    if (result === 'ETIMEDOUT') {
      // Once more, to be sure the silence lasts.
      const again = await attempt(port, SILENCE_MS);
      if (again === 'ETIMEDOUT') return { port, close };
      if (typeof again !== 'string') {
        fillers.push(again);
        continue;
      }
    }
    await close();
    return `a listener that accepts nothing answered ${result} instead of staying silent`;
  }
  await close();
  return 'a listener that accepts nothing kept accepting connections (its queue never filled)';
}
