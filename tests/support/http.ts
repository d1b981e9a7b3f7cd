/**
 * Shared by the lesson suites: start an app or server for real on 127.0.0.1, port 0, and close it.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface Running {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** Serves a request listener (an Express app is one) on 127.0.0.1 at a free port. */
export function serve(handler: http.RequestListener): Promise<Running> {
  return listening(http.createServer(handler));
}

/** Listens an already-made server on 127.0.0.1 at a free port. */
export function listening(server: http.Server): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        server,
        close: () => closeServer(server),
      });
    });
  });
}

/** Closes a server, ending idle keep-alive connections so the close does not wait for them. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** The JSON value of a response body, or undefined when the body is not JSON (an HTML page, say). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A port nothing listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a port on 127.0.0.1 can be bound now (nothing holds it). */
export async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

/** An HTTP answer, read whole. */
export interface Answer {
  status: number;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
  text: string;
  headers: Headers;
}

/** How long `call` waits for an answer before it fails, naming the request. */
const CALL_TIMEOUT_MS = 20_000;

/**
 * One request with fetch: a body that is not a string is sent as JSON. A server that never answers
 * fails with the method and path in the message, not a bare "aborted due to timeout".
 */
export async function call(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const response = await fetch(base + url, {
      method,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: parseJson(text), text, headers: response.headers };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new Error(`${method} ${url}: no answer within ${CALL_TIMEOUT_MS / 1000} s`, { cause: error });
    throw error;
  }
}
