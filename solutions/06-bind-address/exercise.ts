/**
 * Lesson 06 — bind address: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  host: string;
  port: number;
}

export interface Bound {
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface Reach {
  address: string;
  reachable: boolean;
  code?: string;
}

export class ListenError extends Error {
  override name = 'ListenError';

  constructor(
    message: string,
    readonly code: string,
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const LOCAL_CANDIDATES: readonly string[] = ['127.0.0.1', '127.0.0.2', '::1'];

export function listenOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  defaultPort = 8000,
): ListenOptions {
  // `||` and not `??`: HOST="" must not reach listen(). Node reads an empty host as "no host",
  // which binds `::` — every interface, IPv4 included. A blank variable would quietly expose the
  // server; falling back to loopback is the safe reading of "nothing was chosen".
  const host = env.HOST?.trim() || '127.0.0.1';

  const raw = env.PORT;
  if (raw === undefined || raw.trim() === '') return { host, port: defaultPort };

  // A whole-string pattern instead of parseInt: parseInt("80abc") is 80 and parseInt("8080.5")
  // is 8080, so a typo would start a server on a port nobody asked for. Number() is stricter but
  // still takes "0x50", "1e3" and " 80 " — only plain digits are a port as people write them.
  const text = raw.trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    // Name the variable and echo the value exactly as given (JSON.stringify shows spaces and
    // empty strings): the person reading this has to find it in their shell or .env file.
    throw new Error(
      `PORT must be a whole number from 1 to 65535, or 0 for any free port; got ${JSON.stringify(raw)}.`,
    );
  }
  return { host, port };
}

export function listenOn(server: net.Server, options: ListenOptions): Promise<Bound> {
  const { host, port } = options;
  return new Promise((resolve, reject) => {
    // listen() reports failure as an 'error' event *instead of* 'listening'. Waiting for one or
    // the other (and removing the loser) is what keeps us from ever saying "listening" for a
    // server that is not. Express 5's app.listen(port, cb) hands that same error to cb — a
    // callback that ignores its argument prints the happy message on EADDRINUSE.
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const code = error.code ?? 'UNKNOWN';
      // `cause` keeps Node's original error (and its stack) for whoever needs to dig deeper.
      reject(new ListenError(explain(code, host, port, error), code, host, port, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      // address() is the truth: the real port when 0 was asked for, and the address a name
      // like "localhost" turned into. It is only an AddressInfo after 'listening' (null before,
      // a string for a Unix socket path).
      const info = server.address() as AddressInfo;
      resolve({ address: info.address, port: info.port, close: () => closeServer(server) });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      // The options form keeps host and port apart from the optional backlog/callback arguments.
      server.listen({ host, port });
    } catch (error) {
      // Some failures never become an 'error' event: listen() throws them at once, before any
      // event, for what it checks by itself: a port outside 0–65535 (ERR_SOCKET_BAD_PORT) or a
      // server that already listens (ERR_SERVER_ALREADY_LISTEN). Inside this executor the throw
      // would reject the promise with Node's error, not ours, and leave both listeners on the
      // server. Neither event will fire now: remove our 'error' listener, and let onError (which
      // removes the other) reject like any other failure.
      server.off('error', onError);
      onError(error as NodeJS.ErrnoException);
    }
  });
}

/** What went wrong and what to do about it, in words a person at a terminal can act on. */
function explain(code: string, host: string, port: number, error: Error): string {
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: port ${port} is already in use by another program. Stop that program, choose another PORT, or use PORT=0 for any free port.`;
    case 'EACCES':
      return `Cannot listen on ${where}: permission denied. Ports below 1024 are privileged; use a port from 1024 up (uvicorn's 8000 is a good habit).`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: ${host} is not an address of this machine. Use 127.0.0.1, 0.0.0.0, or one of its own addresses.`;
    case 'ERR_SOCKET_BAD_PORT':
      return `Cannot listen on ${where}: ${port} is not a port number. Use a whole number from 1 to 65535, or 0 for any free port.`;
    case 'ERR_SERVER_ALREADY_LISTEN':
      return `Cannot listen on ${where}: this server is already listening. Close it first, or start another server.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot listen on ${where}: the name ${host} does not resolve to an address.`;
    default:
      return `Cannot listen on ${where}: ${error.message}`;
  }
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // Closing twice is harmless for callers: a server that is no longer listening is done.
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    // close() stops accepting but waits for open connections. An HTTP server can end its idle
    // keep-alive ones at once; a plain net.Server leaves that to its owner.
    const maybeHttp = server as net.Server & { closeAllConnections?: () => void };
    maybeHttp.closeAllConnections?.();
  });
}

export async function probe(
  port: number,
  addresses: readonly string[] = LOCAL_CANDIDATES,
  timeoutMs = 500,
): Promise<Reach[]> {
  // All at once: a refused address answers in a millisecond, a silent one costs the whole
  // timeout, and waiting for them one after another would add those timeouts up.
  return Promise.all(addresses.map((address) => knock(address, port, timeoutMs)));
}

function knock(address: string, port: number, timeoutMs: number): Promise<Reach> {
  return new Promise((resolve) => {
    // An address literal, so no DNS is involved: we learn about the address, not about a name.
    const socket = net.connect({ host: address, port });
    let settled = false;
    const finish = (reach: Reach) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // destroy(), not end(): we only wanted the handshake, and nothing must stay open.
      socket.destroy();
      resolve(reach);
    };
    // socket.setTimeout measures idleness, and connecting is not covered by it on every path;
    // a plain timer bounds the whole attempt. A firewall that drops packets never answers at
    // all — without this the probe would wait for the kernel's retries (minutes).
    const timer = setTimeout(() => finish({ address, reachable: false, code: 'ETIMEDOUT' }), timeoutMs);
    socket.once('connect', () => finish({ address, reachable: true }));
    // ECONNREFUSED is the usual answer: something at that address said "nobody listens here".
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ address, reachable: false, code: error.code ?? 'UNKNOWN' }),
    );
  });
}
