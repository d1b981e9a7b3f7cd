/**
 * Lesson 07 — UDP: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';

export interface UdpAddress {
  address: string;
  port: number;
}

export interface UdpListener extends UdpAddress {
  close(): Promise<void>;
}

export interface BindOptions {
  host?: string;
  port?: number;
}

export type OnDatagram = (payload: Buffer, sender: UdpAddress) => void;

/** udp4 or udp6: a dgram socket has one family, chosen when it is created, not when it binds. */
function socketTypeFor(host: string): dgram.SocketType {
  return host.includes(':') ? 'udp6' : 'udp4';
}

/**
 * Binds the socket and settles once: resolves on 'listening', rejects on the first 'error'.
 * Shared by the listener and the echo server, which differ only in what they do with a datagram.
 */
function bindSocket(socket: dgram.Socket, host: string, port: number): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    // A failed bind (EADDRINUSE, EACCES, EADDRNOTAVAIL) is not thrown by bind(): it arrives as an
    // 'error' event. Without a listener here it would either crash the process (bind without a
    // callback) or vanish (bind with a callback: dgram quietly removes its own listener), and
    // this promise would never settle.
    const onBindError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', onBindError);
    socket.bind(port, host, () => {
      socket.off('error', onBindError);
      // After the bind, an error (rare for UDP: e.g. a failed recv) is logged, not fatal: a
      // listener that dies because one datagram went wrong is the crash this lesson avoids.
      socket.on('error', (error) => console.error(`UDP socket on ${host}:${port}: ${error.message}`));
      // address() tells the real port: with port 0 the system picked one.
      const { address, port: boundPort } = socket.address();
      let closing: Promise<void> | undefined;
      resolve({
        address,
        port: boundPort,
        // Closing twice throws ERR_SOCKET_DGRAM_NOT_RUNNING; remembering the first close makes
        // close() safe to call from several shutdown paths.
        close: () => (closing ??= new Promise<void>((done) => socket.close(() => done()))),
      });
    });
  });
}

export function listenUdp(options: BindOptions, onDatagram: OnDatagram): Promise<UdpListener> {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(socketTypeFor(host));
  // 'message' is asyncio's datagram_received(data, addr): one call per datagram, boundaries
  // kept — three sends arrive as three payloads, never glued together as TCP bytes would be.
  socket.on('message', (payload, rinfo) => {
    onDatagram(payload, { address: rinfo.address, port: rinfo.port });
  });
  return bindSocket(socket, host, options.port ?? 0);
}

export function startEchoServer(options: BindOptions = {}): Promise<UdpListener> {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(socketTypeFor(host));
  socket.on('message', (payload, rinfo) => {
    // The Buffer goes back untouched: turning it into a string first would mangle bytes that are
    // not UTF-8. The reply goes to rinfo, the sender — there is no connection to answer on.
    // The callback matters: without one, a failed send is dropped without a word.
    socket.send(payload, rinfo.port, rinfo.address, (error) => {
      if (error) console.error(`echo to ${rinfo.address}:${rinfo.port} failed: ${error.message}`);
    });
  });
  return bindSocket(socket, host, options.port ?? 0);
}

export interface RequestOptions {
  host?: string;
  port: number;
  timeoutMs?: number;
  retries?: number;
}

export class UdpTimeoutError extends Error {
  override name = 'UdpTimeoutError';
  readonly host: string;
  readonly port: number;
  readonly attempts: number;
  readonly timeoutMs: number;

  constructor(details: { host: string; port: number; attempts: number; timeoutMs: number }) {
    super(
      `No answer from ${details.host}:${details.port} after ${details.attempts} attempt(s), ` +
        `waiting ${details.timeoutMs} ms each time.`,
    );
    this.host = details.host;
    this.port = details.port;
    this.attempts = details.attempts;
    this.timeoutMs = details.timeoutMs;
  }
}

export function sendAndWait(payload: string | Uint8Array, options: RequestOptions): Promise<Buffer> {
  const { host = '127.0.0.1', port, timeoutMs = 1000, retries = 2 } = options;
  const socket = dgram.createSocket(socketTypeFor(host));
  return new Promise<Buffer>((resolve, reject) => {
    let attempts = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    // Every way out goes through here: stop the timer and close the socket exactly once, so a
    // late reply or a second error cannot settle the promise twice or close a closed socket.
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      settle();
    };

    socket.on('message', (reply, rinfo) => {
      // Anyone can send a datagram to our port; only the peer we asked may answer. (A connected
      // socket — socket.connect() — would let the kernel do this filtering, and would also hear
      // ECONNREFUSED, as an 'error' event, when nobody listens on that port: the 'error' listener
      // below would then reject at once, without sending again, instead of timing out.)
      if (rinfo.address !== host || rinfo.port !== port) return;
      finish(() => resolve(reply));
    });
    socket.on('error', (error) => finish(() => reject(error)));

    const attempt = () => {
      attempts += 1;
      // The callback is the only way to hear that a send failed (EMSGSIZE over 65,507 bytes, a
      // bad address...). A send that succeeds says nothing about delivery: UDP has no receipt.
      socket.send(payload, port, host, (error) => {
        if (error) finish(() => reject(error));
      });
      // Silence is the only sign of a lost datagram (the request's or the reply's), so each
      // attempt gets a deadline; then the request is sent again, up to `retries` more times.
      timer = setTimeout(() => {
        if (attempts <= retries) attempt();
        else finish(() => reject(new UdpTimeoutError({ host, port, attempts, timeoutMs })));
      }, timeoutMs);
    };
    attempt();
  });
}

// The OS already refuses datagrams over 65,507 bytes (IPv4); this is the service's own, much
// smaller limit: a reading is a few dozen bytes, so anything far larger is a mistake or abuse.
export const MAX_READING_BYTES = 1024;

export const ReadingSchema = z.object({
  sensor: z.string().min(1),
  // zod 4's z.number() refuses Infinity: JSON.parse("1e999") gives Infinity, which
  // JSON.stringify would later print as null in GET /readings.
  value: z.number(),
});

export type Reading = z.infer<typeof ReadingSchema>;

export type RejectReason = 'empty' | 'not_utf8' | 'not_json' | 'wrong_shape' | 'oversized';

export type Classified = { ok: true; reading: Reading } | { ok: false; reason: RejectReason };

// fatal: true makes invalid UTF-8 throw. Buffer#toString('utf8') never throws: it quietly puts
// U+FFFD in place of bad bytes, and the datagram would be miscounted as "not JSON". The decoder
// also drops a leading byte order mark (EF BB BF; ignoreBOM is false by default), which
// RFC 8259 lets a JSON parser ignore; Buffer#toString would keep it, and JSON.parse refuses U+FEFF.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function classifyDatagram(payload: Uint8Array, maxBytes: number = MAX_READING_BYTES): Classified {
  // Size first: it costs nothing, and nothing larger than the limit is decoded or parsed.
  if (payload.byteLength > maxBytes) return { ok: false, reason: 'oversized' };
  // UDP allows a zero-byte datagram; it is not an error for the socket, only for us.
  if (payload.byteLength === 0) return { ok: false, reason: 'empty' };
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, reason: 'not_utf8' };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  // Valid JSON is not yet a reading: null, [1, 2] or {"value": "hot"} all parse.
  const result = ReadingSchema.safeParse(data);
  return result.success ? { ok: true, reading: result.data } : { ok: false, reason: 'wrong_shape' };
}

export type StoredReading = Reading & { from: UdpAddress };

export interface Stats {
  received: number;
  accepted: number;
  rejected: Record<RejectReason, number>;
}

export interface ServiceOptions {
  host?: string;
  httpPort?: number;
  udpPort?: number;
  maxBytes?: number;
}

export interface ReadingsService {
  url: string;
  httpPort: number;
  udpPort: number;
  close(): Promise<void>;
}

/** Listens an HTTP server and rejects on a failed listen instead of crashing on 'error'. */
function listenHttp(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startReadingsService(options: ServiceOptions = {}): Promise<ReadingsService> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxBytes ?? MAX_READING_BYTES;
  const readings: StoredReading[] = [];
  const stats: Stats = {
    received: 0,
    accepted: 0,
    rejected: { empty: 0, not_utf8: 0, not_json: 0, wrong_shape: 0, oversized: 0 },
  };

  // The handler never throws: classifyDatagram turns every bad input into a reason. In a
  // 'message' listener an exception would be uncaught and take the HTTP side down with it.
  const udp = await listenUdp({ host, port: options.udpPort ?? 0 }, (payload, sender) => {
    stats.received += 1;
    const result = classifyDatagram(payload, maxBytes);
    if (result.ok) {
      stats.accepted += 1;
      // A real service would cap this list: anyone who can reach the port can fill memory.
      readings.push({ ...result.reading, from: sender });
    } else {
      stats.rejected[result.reason] += 1;
    }
  });

  const app = express();
  app.get('/readings', (_req, res) => {
    res.json(readings);
  });
  app.get('/stats', (_req, res) => {
    res.json(stats);
  });
  // The workbook's error policy (lesson 04) holds here too: any other path gets FastAPI's JSON
  // 404, not the HTML page Express answers by default.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });

  const server = http.createServer(app);
  let httpPort: number;
  try {
    httpPort = await listenHttp(server, host, options.httpPort ?? 0);
  } catch (error) {
    // Half a service is worse than none: if HTTP cannot listen, give the UDP port back too.
    await udp.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // server.close() stops accepting and (since Node 19) drops idle keep-alive connections,
      // but waits for any request still in progress; this ends those too, so a slow client
      // cannot hold the shutdown (and the port) hostage.
      server.closeAllConnections();
    });
    await udp.close();
  };

  return {
    // The host as given, brackets for IPv6. A wildcard (0.0.0.0, ::) stays a wildcard: the URL
    // says where the service is bound; a client on this machine connects to 127.0.0.1 or [::1].
    url: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`,
    httpPort,
    udpPort: udp.port,
    // FastAPI's startup hook in the note has no matching shutdown; here one call stops both.
    close: () => (closing ??= close()),
  };
}
