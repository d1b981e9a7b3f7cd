/**
 * Lesson 06 — bind address. Welcome! Here you decide where a server listens, start it so that it
 * never claims to be listening when it is not, and check which addresses can really reach it.
 *
 * Fill in each TODO, then run `npm test -- 06` (or keep `npm start` open: it reruns on save).
 * The README beside this file explains every idea used here; hints.md helps when you are stuck.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** Where to listen: a host (an address such as 127.0.0.1, 0.0.0.0, ::, or a name) and a port. */
export interface ListenOptions {
  host: string;
  port: number;
}

/** A server that is really listening. */
export interface Bound {
  /** The address the server is bound to, as the system reports it: "127.0.0.1", "0.0.0.0", "::"... */
  address: string;
  /** The real port — never 0, even when port 0 ("any free port") was asked for. */
  port: number;
  /** Stops listening; resolves once the server is closed. */
  close(): Promise<void>;
}

/** One line of a reachability report. */
export interface Reach {
  /** The address that was tried, exactly as given. */
  address: string;
  /** true when a TCP connection to address:port was accepted. */
  reachable: boolean;
  /** When not reachable: the error code (e.g. "ECONNREFUSED"), or "ETIMEDOUT" when nothing answered in time. */
  code?: string;
}

/**
 * The error listenOn rejects with (ready to use, no change needed).
 * `code` is Node's code ("EADDRINUSE", "EACCES", ...); `host` and `port` are what was asked for.
 */
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

/**
 * The local addresses worth probing (no change needed). On Linux and Windows all of 127.0.0.0/8 is
 * loopback, so 127.0.0.2 answers whenever a server is bound to 0.0.0.0; on macOS it stays silent
 * (a timeout) unless someone added it as an alias.
 */
export const LOCAL_CANDIDATES: readonly string[] = ['127.0.0.1', '127.0.0.2', '::1'];

/**
 * Reads where to listen from the environment, the way `uvicorn --host --port` is configured.
 * - HOST: used as given (trimmed); when unset or blank, "127.0.0.1" — the safe default. A blank
 *   HOST must not turn into "every interface".
 * - PORT: when unset or blank, `defaultPort`. Otherwise (spaces around it ignored, as for HOST) a
 *   whole number written in digits, from 1 to 65535, or 0 for "any free port". Anything else
 *   ("abc", "80abc", "8080.5", "-1", "65536", and also "0x50", "1e3", "+80", which Number() would
 *   accept) throws an Error whose message names the variable (PORT) and repeats the value given.
 * @param env the variables to read (process.env by default; tests pass their own object)
 * @param defaultPort the port when PORT is not set (8000, like uvicorn)
 * @returns `{ host, port }`
 * @throws Error naming PORT and its value when PORT is not a port number
 */
export function listenOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  defaultPort = 8000,
): ListenOptions {
  // TODO 1: read HOST and PORT with the safe defaults, and reject a PORT that is not a port number.
  throw new Error('listenOptionsFromEnv is not written yet');
}

/**
 * Starts `server` listening on options.host / options.port, and settles only once the outcome is
 * known: resolves after the server really listens, rejects when it cannot. Either way it leaves no
 * listener of its own on the server.
 * @param server any net.Server — an http.Server (e.g. `http.createServer(app)` for an Express app) is one
 * @param options where to listen; port 0 means "any free port"
 * @returns the bound address and the real port, and a close function
 * @throws (rejects with; never throws) a ListenError for every failure, carrying Node's `code`, the
 *   host and the port asked for, and Node's error as its `cause`. That includes the two failures
 *   listen() throws at once instead of emitting 'error': a port outside 0–65535
 *   (ERR_SOCKET_BAD_PORT) and a server that is already listening (ERR_SERVER_ALREADY_LISTEN; that
 *   server keeps listening as before). Its message names the host and the port and says what to do:
 *   for EADDRINUSE it contains `PORT=0`, the setting that asks for any free port (other advice may
 *   come with it); for EACCES it says that ports below 1024 need privileges, with the number 1024.
 */
export function listenOn(server: net.Server, options: ListenOptions): Promise<Bound> {
  // TODO 2: listen, then resolve on 'listening' or reject with a ListenError on 'error' — never both.
  throw new Error('listenOn is not written yet');
}

/**
 * Tries a TCP connection to each address on `port`, all at the same time, and reports which ones
 * accept. Every connection it opens (or starts to open) is closed again; it never waits longer
 * than `timeoutMs` for an address, even one that never answers at all.
 * @param port the port to try
 * @param addresses address literals to try (e.g. LOCAL_CANDIDATES)
 * @param timeoutMs how long to wait for an answer from each address before giving up
 * @returns one Reach per address, in the order given
 */
export async function probe(
  port: number,
  addresses: readonly string[] = LOCAL_CANDIDATES,
  timeoutMs = 500,
): Promise<Reach[]> {
  // TODO 3: connect to each address, record connect / error code / "ETIMEDOUT", and close the socket.
  throw new Error('probe is not written yet');
}
