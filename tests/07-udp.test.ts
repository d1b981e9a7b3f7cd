/**
 * Lesson 07 — UDP. Real dgram sockets on 127.0.0.1 (and ::1 where the machine has an IPv6
 * loopback), real HTTP. Grouped by the exercise's TODOs.
 */
import { isUtf8 } from 'node:buffer';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  MAX_READING_BYTES,
  ReadingSchema,
  UdpTimeoutError,
  classifyDatagram,
  listenUdp,
  sendAndWait,
  startEchoServer,
  startReadingsService,
  type ReadingsService,
  type RejectReason,
  type UdpAddress,
} from '#exercise/07-udp';
import { parseJson } from './support/http.ts';

const HOST = '127.0.0.1';
const HOST6 = '::1';
const show = (value: unknown) => JSON.stringify(value);
const bytes = (buffer: Uint8Array) => `[${[...buffer].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}]`;
/** A payload for a message: its text when it is short UTF-8, else its bytes, or only its size when long. */
const describePayload = (buffer: Buffer) =>
  buffer.length > 40 ? `${buffer.length} bytes` : buffer.length > 0 && isUtf8(buffer) ? show(buffer.toString()) : bytes(buffer);

// ---------------------------------------------------------------------------------------------
// Everything a test opens is registered here and closed after it, even when the test fails.

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // already closed by the test itself
    }
  }
});

/** Keeps something that has close() until the end of the test. */
function track<T extends { close(): Promise<void> }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

interface TestSocket {
  socket: dgram.Socket;
  port: number;
  /** Every datagram this socket received, in order. */
  received: { payload: Buffer; from: UdpAddress }[];
  /** Sends and resolves when the system took the datagram (rejects on a send error). */
  send(payload: string | Uint8Array, port: number): Promise<void>;
}

/** A plain dgram socket of the test's own, bound to 127.0.0.1 (or the given host) at a free port. */
async function testSocket(
  onMessage?: (payload: Buffer, from: UdpAddress, self: TestSocket) => void,
  host = HOST,
): Promise<TestSocket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  cleanups.push(() => {
    socket.close();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const self: TestSocket = {
    socket,
    port: socket.address().port,
    received: [],
    send: (payload, port) =>
      new Promise((resolve, reject) => socket.send(payload, port, host, (error) => (error ? reject(error) : resolve()))),
  };
  socket.on('message', (payload, rinfo) => {
    const from = { address: rinfo.address, port: rinfo.port };
    self.received.push({ payload, from });
    onMessage?.(payload, from, self);
  });
  return self;
}

/** A test socket bound to a given address and port (no handler), for sending from there. */
async function testSocketAt(host: string, port: number): Promise<TestSocket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  cleanups.push(() => {
    socket.close();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const self: TestSocket = {
    socket,
    port,
    received: [],
    send: (payload, to) =>
      new Promise((resolve, reject) => socket.send(payload, to, HOST, (error) => (error ? reject(error) : resolve()))),
  };
  return self;
}

/**
 * Waits until check() is true, polling; fails with `what` after a bounded wait. `what` may be a
 * function, so that the message can show the last thing seen.
 */
async function waitUntil(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting until ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Tries to bind a port; answers the error code, or "free" when the bind worked (and releases it). */
async function probeUdp(port: number, host = HOST): Promise<string> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(error.code ?? 'error');
    });
    socket.bind(port, host, () => socket.close(() => resolve('free')));
  });
}

/**
 * Like probeUdp, but gives a socket that is being closed a moment: answers "free" as soon as the
 * port can be bound, or the last error code after `withinMs`.
 */
async function probeUdpUntilFree(port: number, withinMs = 1000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const result = await probeUdp(port);
    if (result === 'free' || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function probeTcp(port: number): Promise<string> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen(port, HOST, () => server.close(() => resolve('free')));
  });
}

/** A TCP port that is free right now: listen on port 0, note the port, release it. */
async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Opens a TCP connection and closes it again: "connected", or the error code (ECONNREFUSED). */
async function connectTcp(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(error.code ?? 'error');
    });
  });
}

/**
 * Runs a promise that should reject and hands back what it rejected with. Fails when it resolves,
 * or when it does neither within a few seconds: a bind whose 'error' event nobody turns into a
 * rejection never settles (with a bind callback, dgram swallows that error silently).
 */
async function rejection(promise: Promise<unknown>, what: string, withinMs = 3000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ kind: 'hung' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hung' }), withinMs)));
  const outcome = await Promise.race([
    promise.then(
      () => ({ kind: 'resolved' as const }),
      (error: unknown) => ({ kind: 'rejected' as const, error }),
    ),
    hung,
  ]);
  clearTimeout(timer);
  if (outcome.kind === 'rejected') return outcome.error;
  if (outcome.kind === 'resolved') throw new Error(`${what} should have rejected, but it resolved`);
  throw new Error(`${what} neither resolved nor rejected within ${withinMs} ms: is the socket's 'error' event turned into a rejection?`);
}

/** Whether a promise settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true as const, () => true as const), hung]);
  clearTimeout(timer);
  return settled;
}

/** A valid reading padded with spaces (still valid JSON) to exactly `size` bytes. */
const pad = (size: number) => {
  const json = '{"sensor":"s1","value":1}';
  return Buffer.from(json + ' '.repeat(size - json.length));
};

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** Calls close() again: "resolved", or what it threw or rejected with. */
async function secondClose(close: () => Promise<void>): Promise<string> {
  try {
    await close();
    return 'resolved';
  } catch (error) {
    return `threw ${codeOf(error) ?? String(error)}`;
  }
}

/** Which part closed a second time, by the code Node threw. */
const closedTwice = new Map([
  ['ERR_SOCKET_DGRAM_NOT_RUNNING', 'a dgram socket closed a second time'],
  ['ERR_SERVER_NOT_RUNNING', 'an http.Server closed a second time'],
]);

/** The message for a second close() that did not resolve: what it actually threw, and the fix. */
function secondCloseMessage(outcome: string): string {
  const part = closedTwice.get(outcome.replace(/^threw /, ''));
  return `calling close() a second time should resolve, but it ${outcome}${part ? ` (${part})` : ''}: remember the first close and hand back its promise`;
}

/** Why the IPv6 tests cannot run here (no ::1 for UDP), or null when they can. */
async function whyNoIpv6(): Promise<string | null> {
  const socket = dgram.createSocket('udp6');
  return new Promise((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(`this machine has no IPv6 loopback (binding a udp6 socket to ::1 gave ${error.code ?? String(error)})`);
    });
    socket.bind(0, HOST6, () => socket.close(() => resolve(null)));
  });
}
const noIpv6 = await whyNoIpv6();

/**
 * Linux and Windows treat all of 127.0.0.0/8 as loopback; macOS has only 127.0.0.1 unless someone
 * adds an alias. Null when 127.0.0.2 is one of this machine's addresses.
 */
async function why127002IsMissing(): Promise<string | null> {
  const code = await probeUdp(0, '127.0.0.2');
  return code === 'free'
    ? null
    : `127.0.0.2 is not an address of this machine (${code}): only Linux and Windows treat all of 127.0.0.0/8 as loopback; on macOS, \`sudo ifconfig lo0 alias 127.0.0.2\` adds it`;
}
const no127002 = await why127002IsMissing();
if (no127002) console.warn(`[07] the 127.0.0.2 test is skipped: ${no127002}`);
if (noIpv6) console.warn(`[07] the IPv6 tests are skipped: ${noIpv6}`);
const skippedIpv6 = noIpv6 ? ` — skipped: ${noIpv6}` : '';
/** The hint a learner needs when an IPv6 address fails. */
const familyHint = "a socket for ::1 must be created as 'udp6' ('udp4' cannot use IPv6 addresses: EINVAL)";

// ---------------------------------------------------------------------------------------------

describe('TODO 1: bind a UDP listener', () => {
  test('resolves with 127.0.0.1 and the real port when asked for port 0, and really holds it', async () => {
    const listener = track(await listenUdp({ host: HOST, port: 0 }, () => {}));
    expect(listener.address, 'listenUdp({host: "127.0.0.1", port: 0}) → address').toBe(HOST);
    expect(Number.isInteger(listener.port) && listener.port > 0, `port 0 means "pick one": expected the picked port, got ${listener.port}`).toBe(true);
    expect(await probeUdp(listener.port), `binding ${HOST}:${listener.port} again while the listener holds it`).toBe('EADDRINUSE');
  });

  test('binds 127.0.0.1 when no host is given', async () => {
    const listener = track(await listenUdp({}, () => {}));
    expect(listener.address, 'listenUdp({}) should default to the loopback address').toBe(HOST);
  });

  test('calls back with the payload and the sender\'s address and port', async () => {
    const got: { payload: Buffer; sender: UdpAddress }[] = [];
    const listener = track(await listenUdp({ host: HOST, port: 0 }, (payload, sender) => got.push({ payload, sender })));
    const client = await testSocket();
    await client.send('hello', listener.port);
    await waitUntil(() => got.length > 0, `the callback ran for "hello" sent to port ${listener.port}`);
    expect(Buffer.isBuffer(got[0]?.payload), 'the payload should be a Buffer').toBe(true);
    expect(got[0]?.payload.toString(), 'the payload sent was "hello"').toBe('hello');
    // At least address and port: dgram's rinfo as it is (with family and size) is a sender too.
    expect(got[0]?.sender, `the sender was the test's socket at ${HOST}:${client.port}`).toMatchObject({ address: HOST, port: client.port });
  });

  test('keeps message boundaries: three datagrams arrive as three payloads', async () => {
    const got: string[] = [];
    const listener = track(await listenUdp({ host: HOST, port: 0 }, (payload) => got.push(payload.toString())));
    const client = await testSocket();
    for (const word of ['one', 'two', 'three']) await client.send(word, listener.port);
    await waitUntil(() => got.length >= 3, 'three datagrams were reported');
    expect(got.sort(), 'sent "one", "two", "three" as three datagrams').toEqual(['one', 'three', 'two']);
  });

  test('rejects with code EADDRINUSE when the port is taken', async () => {
    const holder = await testSocket();
    const error = await rejection(listenUdp({ host: HOST, port: holder.port }, () => {}), `listenUdp on taken port ${holder.port}`);
    expect(codeOf(error), `listenUdp on ${HOST}:${holder.port}, which the test already holds`).toBe('EADDRINUSE');
  });

  test('close() frees the port, and a second close() is harmless', async () => {
    const listener = await listenUdp({ host: HOST, port: 0 }, () => {});
    cleanups.push(() => listener.close());
    await listener.close();
    expect(await probeUdp(listener.port), `binding port ${listener.port} after close()`).toBe('free');
    const secondClosed = await secondClose(() => listener.close());
    expect(secondClosed, secondCloseMessage(secondClosed)).toBe('resolved');
  });

  test.skipIf(noIpv6 !== null)(`binds the IPv6 loopback ::1 and hears a datagram sent there${skippedIpv6}`, async () => {
    const got: { payload: Buffer; sender: UdpAddress }[] = [];
    let listener;
    try {
      listener = track(await listenUdp({ host: HOST6, port: 0 }, (payload, sender) => got.push({ payload, sender })));
    } catch (error) {
      expect.fail(`listenUdp({host: "::1", port: 0}) rejected with ${codeOf(error) ?? String(error)}: ${familyHint}`);
    }
    expect(listener.address, 'listenUdp({host: "::1", port: 0}) → address').toBe(HOST6);
    const client = await testSocket(undefined, HOST6);
    await client.send('hello over IPv6', listener.port);
    await waitUntil(() => got.length > 0, `the callback ran for "hello over IPv6" sent to [::1]:${listener.port}`);
    expect(got[0]?.sender, `the sender was the test's socket at [::1]:${client.port}`).toMatchObject({ address: HOST6, port: client.port });
  });
});

describe('TODO 2: echo every datagram back', () => {
  test('sends a datagram back to its sender (round trip)', async () => {
    const echo = track(await startEchoServer({ host: HOST, port: 0 }));
    expect(echo.port, 'the echo server should report its real port').toBeGreaterThan(0);
    const client = await testSocket();
    await client.send('ping', echo.port);
    await waitUntil(() => client.received.length > 0, `an answer to "ping" came back from port ${echo.port}`);
    expect(client.received[0]?.payload.toString(), 'sent "ping"').toBe('ping');
    expect(client.received[0]?.from.port, 'the answer should come from the echo server\'s port').toBe(echo.port);
  });

  test('binds 127.0.0.1 at a free port when given no options', async () => {
    const echo = track(await startEchoServer());
    expect({ address: echo.address, picked: echo.port > 0 }, 'startEchoServer() should default to 127.0.0.1 and a port the system picks').toEqual({
      address: HOST,
      picked: true,
    });
  });

  test('echoes bytes that are not text exactly as they came', async () => {
    const echo = track(await startEchoServer({ host: HOST, port: 0 }));
    const client = await testSocket();
    const binary = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80, 0x0a]);
    await client.send(binary, echo.port);
    await waitUntil(() => client.received.length > 0, `an answer to ${bytes(binary)} came back`);
    const answer = client.received[0]?.payload ?? Buffer.alloc(0);
    expect(bytes(answer), `sent ${bytes(binary)} (not valid UTF-8): the echo must not decode it`).toBe(bytes(binary));
  });

  test('answers each of two clients with its own datagram', async () => {
    const echo = track(await startEchoServer({ host: HOST, port: 0 }));
    const alice = await testSocket();
    const bob = await testSocket();
    await alice.send('from alice', echo.port);
    await bob.send('from bob', echo.port);
    await waitUntil(() => alice.received.length > 0 && bob.received.length > 0, 'both clients got an answer');
    expect(alice.received.map((m) => m.payload.toString()), 'alice sent "from alice"').toEqual(['from alice']);
    expect(bob.received.map((m) => m.payload.toString()), 'bob sent "from bob"').toEqual(['from bob']);
  });

  test.skipIf(noIpv6 !== null)(`echoes over IPv6 when bound to ::1${skippedIpv6}`, async () => {
    let echo;
    try {
      echo = track(await startEchoServer({ host: HOST6, port: 0 }));
    } catch (error) {
      expect.fail(`startEchoServer({host: "::1", port: 0}) rejected with ${codeOf(error) ?? String(error)}: ${familyHint}`);
    }
    const client = await testSocket(undefined, HOST6);
    await client.send('ping6', echo.port);
    await waitUntil(() => client.received.length > 0, `an answer to "ping6" came back from [::1]:${echo.port}`);
    expect(client.received[0]?.payload.toString(), 'sent "ping6" to [::1]').toBe('ping6');
  });
});

describe('TODO 3: send, wait, retry', () => {
  test('returns the answer from a socket that echoes, and closes its socket', async () => {
    const server = await testSocket((payload, from, self) => void self.socket.send(payload, from.port, from.address));
    const answer = await sendAndWait('marco', { host: HOST, port: server.port, timeoutMs: 2000, retries: 0 });
    expect(Buffer.isBuffer(answer), 'the answer should be a Buffer').toBe(true);
    expect(answer.toString(), 'sent "marco" to an echoing socket').toBe('marco');
    expect(server.received, 'one request, one datagram').toHaveLength(1);
    // The request came from sendAndWait's own socket: once the answer is in, its port is free.
    const clientPort = server.received[0]?.from.port ?? 0;
    expect(
      await probeUdpUntilFree(clientPort),
      `sendAndWait sent "marco" from port ${clientPort} and got its answer: binding that port again should work (is the socket closed?)`,
    ).toBe('free');
  });

  test('throws UdpTimeoutError after retries + 1 attempts against a silent socket, resending each time', async () => {
    const silent = await testSocket();
    const started = Date.now();
    const error = await rejection(
      sendAndWait('anyone?', { host: HOST, port: silent.port, timeoutMs: 100, retries: 2 }),
      'sendAndWait to a socket that never answers',
    );
    const elapsed = Date.now() - started;
    expect(error, `sendAndWait to a silent socket should reject with UdpTimeoutError, got ${String(error)}`).toBeInstanceOf(UdpTimeoutError);
    expect(error, 'the error should say who was asked, how often and how long').toMatchObject({
      host: HOST,
      port: silent.port,
      attempts: 3,
      timeoutMs: 100,
    });
    await waitUntil(() => silent.received.length >= 3, 'the silent socket received 3 datagrams', 1000).catch(() => {});
    expect(silent.received.map((m) => m.payload.toString()), 'timeoutMs 100, retries 2: the request should be sent 3 times').toEqual([
      'anyone?',
      'anyone?',
      'anyone?',
    ]);
    expect(elapsed, 'three attempts of 100 ms each: it should wait about 300 ms before giving up').toBeGreaterThanOrEqual(250);
    expect(elapsed, 'three attempts of 100 ms each should not take seconds').toBeLessThan(3000);
    const clientPort = silent.received[0]?.from.port ?? 0;
    expect(
      await probeUdpUntilFree(clientPort),
      `sendAndWait sent from port ${clientPort} and gave up: binding that port again should work (is the socket closed after a timeout too?)`,
    ).toBe('free');
  });

  test('with retries: 0 sends once and gives up after one wait', async () => {
    const silent = await testSocket();
    const error = await rejection(sendAndWait('once', { host: HOST, port: silent.port, timeoutMs: 100, retries: 0 }), 'sendAndWait with retries 0');
    expect(error, 'a silent socket → UdpTimeoutError').toBeInstanceOf(UdpTimeoutError);
    expect((error as UdpTimeoutError).attempts, 'retries 0 → one attempt').toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(silent.received, 'retries 0: exactly one datagram should be sent').toHaveLength(1);
  });

  test('rejects with the send error itself: EMSGSIZE for 65,508 bytes, not a timeout', async () => {
    const silent = await testSocket();
    const error = await rejection(
      sendAndWait(Buffer.alloc(65_508), { host: HOST, port: silent.port, timeoutMs: 1000, retries: 0 }),
      'sendAndWait of 65,508 bytes',
    );
    expect(
      codeOf(error),
      `sendAndWait(65,508 bytes) is one byte over what a UDP datagram can carry: expected the send's own error (code EMSGSIZE), got ${String(error)}`,
    ).toBe('EMSGSIZE');
  });

  // Nobody listens on the port: the kernel answers "port unreachable". A connected socket hears it
  // as ECONNREFUSED, an 'error' event right after the send; an unconnected one hears nothing.
  test('where nothing listens: rejects at once with ECONNREFUSED (a connected socket), or times out like silence (unconnected)', async () => {
    const gone = await testSocket();
    const port = gone.port;
    await new Promise<void>((resolve) => gone.socket.close(() => resolve()));
    const asked = `sendAndWait("knock", { host: "${HOST}", port: ${port}, timeoutMs: 300, retries: 1 }) where nothing listens on that port`;
    // Every refused datagram comes back to a connected socket as one 'error' event (ECONNREFUSED);
    // an unconnected socket gets none. Counted on every dgram socket while sendAndWait runs.
    const emits = vi.spyOn(dgram.Socket.prototype, 'emit');
    const started = Date.now();
    let error: unknown;
    let refusals: number;
    try {
      error = await rejection(sendAndWait('knock', { host: HOST, port, timeoutMs: 300, retries: 1 }), asked, 5000);
    } finally {
      refusals = (emits.mock.calls as unknown[][]).filter(([event, detail]) => event === 'error' && codeOf(detail) === 'ECONNREFUSED').length;
      emits.mockRestore();
    }
    const elapsed = Date.now() - started;
    if (refusals > 0) {
      expect(
        codeOf(error),
        `${asked}: the socket is connected, so it heard the kernel's refusal (an 'error' event, code ECONNREFUSED). ` +
          `A refusal is an answer, not a silence: reject at once with that error itself; got ${String(error)}`,
      ).toBe('ECONNREFUSED');
      expect(refusals, `${asked}: refusals heard; after the first one, reject at once instead of sending again`).toBe(1);
      expect(elapsed, `${asked}: the refusal comes within milliseconds; reject then, without waiting for the timer`).toBeLessThan(300);
    } else {
      expect(
        error,
        `${asked}, from an unconnected socket (which never hears the refusal): expected a UdpTimeoutError, as for any silence; got ${String(error)}`,
      ).toBeInstanceOf(UdpTimeoutError);
      expect((error as UdpTimeoutError).attempts, `${asked}: retries 1 → 2 attempts`).toBe(2);
      expect(elapsed, `${asked}: two silent waits of 300 ms`).toBeGreaterThanOrEqual(550);
    }
  });

  test('sends the bytes of a Uint8Array as they are, and answers with the bytes that came back', async () => {
    const server = await testSocket((payload, from, self) => void self.socket.send(payload, from.port, from.address));
    const request = new Uint8Array([0xff, 0x00, 0xc3, 0x28, 0x80]);
    const answer = await sendAndWait(request, { host: HOST, port: server.port, timeoutMs: 2000, retries: 0 });
    const sent = server.received[0]?.payload ?? Buffer.alloc(0);
    expect(bytes(sent), `sendAndWait(new Uint8Array(${bytes(request)})): the datagram should carry those bytes, not text made from them`).toBe(bytes(request));
    expect(bytes(answer), `an echoing socket sent back ${bytes(request)}`).toBe(bytes(request));
  });

  test('defaults to host 127.0.0.1 and 2 retries when only the port is given', async () => {
    const silent = await testSocket();
    const error = await rejection(sendAndWait('defaults?', { port: silent.port, timeoutMs: 50 }), 'sendAndWait with no host and no retries');
    expect(error, `sendAndWait to a silent socket should reject with UdpTimeoutError, got ${String(error)}`).toBeInstanceOf(UdpTimeoutError);
    expect(error, `sendAndWait("defaults?", { port: ${silent.port}, timeoutMs: 50 }): host defaults to 127.0.0.1, retries to 2 (3 attempts)`).toMatchObject({
      host: HOST,
      port: silent.port,
      attempts: 3,
    });
    await waitUntil(() => silent.received.length >= 3, 'the silent socket received 3 datagrams', 1000).catch(() => {});
    expect(silent.received, 'retries default to 2: the request should be sent 3 times').toHaveLength(3);
  });

  test('stops its timer once the answer is in: nothing is sent after it', async () => {
    const server = await testSocket((payload, from, self) => void self.socket.send(payload, from.port, from.address));
    const answer = await sendAndWait('just once', { host: HOST, port: server.port, timeoutMs: 100, retries: 3 });
    expect(answer.toString(), 'sent "just once" to an echoing socket').toBe('just once');
    const sentBeforeAnswer = server.received.length;
    // Past several deadlines: a timer left running would resend (or send on the closed socket,
    // which throws ERR_SOCKET_DGRAM_NOT_RUNNING out of the timer).
    await new Promise((resolve) => setTimeout(resolve, 350));
    // One more is allowed: on a loaded machine a resend may have been on its way as the answer came.
    expect(server.received.length, 'after the answer, the request should not be sent again').toBeLessThanOrEqual(sentBeforeAnswer + 1);
  });

  test('gets through on a retry when the first datagram is lost', async () => {
    const flaky = await testSocket((_payload, from, self) => {
      // Pretend the first request was lost on the way: answer only from the second on.
      if (self.received.length >= 2) self.socket.send('pong', from.port, from.address);
    });
    const answer = await sendAndWait('ping', { host: HOST, port: flaky.port, timeoutMs: 100, retries: 3 });
    expect(answer.toString(), 'the server ignored the first "ping" and answered the second with "pong"').toBe('pong');
    expect(flaky.received.length, 'only a second datagram could be answered, so at least two were sent').toBeGreaterThanOrEqual(2);
  });

  test('ignores a datagram from a stranger and waits for the real answer', async () => {
    const stranger = await testSocket();
    const server = await testSocket((_payload, from, self) => {
      // Someone else gets a datagram to the client's port first; then the real answer follows.
      void stranger.send('spoofed', from.port).then(() => self.socket.send('real', from.port, from.address));
    });
    const answer = await sendAndWait('hello?', { host: HOST, port: server.port, timeoutMs: 2000, retries: 0 });
    expect(answer.toString(), `only ${HOST}:${server.port} may answer; "spoofed" came from port ${stranger.port}`).toBe('real');
  });

  test.skipIf(no127002 !== null)(`ignores the right port on another address (127.0.0.2)${no127002 ? ` — skipped: ${no127002}` : ''}`, async () => {
    let impostor: TestSocket | undefined;
    const server = await testSocket((_payload, from, self) => {
      // A socket on 127.0.0.2, with the server's own port number, answers first; then the server.
      void impostor?.send('impostor', from.port).then(() => self.socket.send('real', from.port, from.address));
    });
    impostor = await testSocketAt('127.0.0.2', server.port);
    const answer = await sendAndWait('hello?', { host: HOST, port: server.port, timeoutMs: 2000, retries: 0 });
    expect(answer.toString(), `only ${HOST}:${server.port} may answer; "impostor" came from 127.0.0.2:${server.port}, the same port on another address`).toBe('real');
  });

  test.skipIf(noIpv6 !== null)(`asks an IPv6 address (::1) and gets its answer${skippedIpv6}`, async () => {
    const server = await testSocket((payload, from, self) => void self.socket.send(payload, from.port, from.address), HOST6);
    let answer: Buffer;
    try {
      answer = await sendAndWait('marco6', { host: HOST6, port: server.port, timeoutMs: 2000, retries: 0 });
    } catch (error) {
      expect.fail(`sendAndWait("marco6", {host: "::1", port: ${server.port}}) rejected with ${codeOf(error) ?? String(error)}: ${familyHint}`);
    }
    expect(answer.toString(), 'sent "marco6" to an echoing socket on ::1').toBe('marco6');
  });
});

describe('TODO 4: describe a reading', () => {
  test('accepts a reading and drops keys it does not know', () => {
    const input = { sensor: 's1', value: 21.5, unit: 'C' };
    const result = ReadingSchema.safeParse(input);
    expect(result.success, `ReadingSchema.safeParse(${show(input)}).success`).toBe(true);
    expect(result.data, `ReadingSchema.safeParse(${show(input)}).data`).toEqual({ sensor: 's1', value: 21.5 });
  });

  test.each<[string, unknown]>([
    ['a value that is a string', { sensor: 's1', value: 'hot' }],
    ['a value that is a string of digits (not converted)', { sensor: 's1', value: '21' }],
    ['a missing value', { sensor: 's1' }],
    ['an infinite value', { sensor: 's1', value: Infinity }],
    ['a missing sensor', { value: 1 }],
    ['an empty sensor name', { sensor: '', value: 1 }],
    ['a sensor that is a number', { sensor: 7, value: 1 }],
  ])('refuses %s', (label, input) => {
    expect(ReadingSchema.safeParse(input).success, `ReadingSchema.safeParse(${show(input)}): ${label}, expected a failure`).toBe(false);
  });
});

describe('TODO 5: classify a datagram', () => {
  test('accepts a valid reading and drops keys it does not know', () => {
    const json = '{"sensor": "s1", "value": 21.5, "unit": "C"}';
    expect(classifyDatagram(Buffer.from(json)), `classifyDatagram(${json})`).toEqual({
      ok: true,
      reading: { sensor: 's1', value: 21.5 },
    });
  });

  test.each<[string, Buffer, RejectReason]>([
    ['a zero-byte datagram', Buffer.alloc(0), 'empty'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0xfd]), 'not_utf8'],
    ['JSON-looking text with a byte that is not UTF-8', Buffer.concat([Buffer.from('{"sensor":"s'), Buffer.from([0xc3, 0x28]), Buffer.from('","value":1}')]), 'not_utf8'],
    ['plain text', Buffer.from('hello'), 'not_json'],
    ['only whitespace (not zero bytes, so not "empty")', Buffer.from(' \r\n\t '), 'not_json'],
    ['cut-off JSON', Buffer.from('{"sensor": "s1", "value":'), 'not_json'],
    ['a JSON null', Buffer.from('null'), 'wrong_shape'],
    ['a JSON array', Buffer.from('[1, 2]'), 'wrong_shape'],
    ['a value that is a string', Buffer.from('{"sensor": "s1", "value": "hot"}'), 'wrong_shape'],
    ['a missing sensor', Buffer.from('{"value": 1}'), 'wrong_shape'],
    ['an empty sensor name', Buffer.from('{"sensor": "", "value": 1}'), 'wrong_shape'],
    ['a value of 1e999 (Infinity once parsed)', Buffer.from('{"sensor": "s1", "value": 1e999}'), 'wrong_shape'],
    ['a value that is a string of digits ("21" is not converted)', Buffer.from('{"sensor":"s1","value":"21"}'), 'wrong_shape'],
    [`a valid reading padded to ${MAX_READING_BYTES + 1} bytes`, pad(MAX_READING_BYTES + 1), 'oversized'],
    [`${MAX_READING_BYTES + 1} bytes that are not UTF-8 either (size is checked first)`, Buffer.alloc(MAX_READING_BYTES + 1, 0xff), 'oversized'],
  ])('rejects %s', (label, payload, reason) => {
    expect(classifyDatagram(payload), `classifyDatagram(${label}: ${describePayload(payload)})`).toEqual({
      ok: false,
      reason,
    });
  });

  test('skips a leading UTF-8 byte order mark (EF BB BF), as TextDecoder does', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const json = '{"sensor":"s1","value":3}';
    expect(
      classifyDatagram(Buffer.concat([bom, Buffer.from(json)])),
      `classifyDatagram(EF BB BF + ${json}): a byte order mark before a valid reading is dropped (TextDecoder drops it by default; ` +
        'Buffer#toString keeps it as U+FEFF, which JSON.parse refuses)',
    ).toEqual({ ok: true, reading: { sensor: 's1', value: 3 } });
    expect(classifyDatagram(bom), 'classifyDatagram(EF BB BF): only a byte order mark, so no JSON at all (three bytes: not "empty")').toEqual({
      ok: false,
      reason: 'not_json',
    });
  });

  test('takes a plain Uint8Array, not only a Buffer', () => {
    const json = '{"sensor":"s1","value":2}';
    expect(classifyDatagram(new TextEncoder().encode(json)), `classifyDatagram(new TextEncoder().encode(${show(json)}))`).toEqual({
      ok: true,
      reading: { sensor: 's1', value: 2 },
    });
    expect(classifyDatagram(new Uint8Array([0xff, 0xfe])), 'classifyDatagram(new Uint8Array([0xff, 0xfe]))').toEqual({ ok: false, reason: 'not_utf8' });
  });

  test(`allows exactly ${MAX_READING_BYTES} bytes, and takes a smaller limit as its second argument`, () => {
    expect(classifyDatagram(pad(MAX_READING_BYTES)), `a valid reading of exactly ${MAX_READING_BYTES} bytes`).toMatchObject({ ok: true });
    expect(classifyDatagram(pad(30), 29), 'a 30-byte reading with maxBytes 29').toEqual({ ok: false, reason: 'oversized' });
    expect(classifyDatagram(pad(30), 30), 'a 30-byte reading with maxBytes 30').toMatchObject({ ok: true });
  });

  test('never throws, whatever the bytes', () => {
    const reasons = ['empty', 'not_utf8', 'not_json', 'wrong_shape', 'oversized'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const payload = Buffer.from(Array.from({ length: next() % 40 }, () => next() % 256));
      let result: unknown;
      expect(() => (result = classifyDatagram(payload)), `classifyDatagram(${bytes(payload)}) threw`).not.toThrow();
      const r = result as { ok?: unknown; reason?: unknown };
      expect(r.ok === true || (r.ok === false && reasons.includes(String(r.reason))), `classifyDatagram(${bytes(payload)}) → ${show(result)}`).toBe(true);
    }
  });
});

describe('TODO 6: run HTTP and UDP together', () => {
  const ZERO = { empty: 0, not_utf8: 0, not_json: 0, wrong_shape: 0, oversized: 0 };

  async function getJson(service: ReadingsService, path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${service.url}${path}`);
    return { status: response.status, body: await response.json() };
  }

  async function stats(service: ReadingsService) {
    return (await getJson(service, '/stats')).body as { received: number; accepted: number; rejected: Record<string, number> };
  }

  /** Waits until the service has counted `count` datagrams (UDP gives no receipt, so we ask). */
  async function untilReceived(service: ReadingsService, count: number) {
    let last: unknown;
    await waitUntil(
      async () => {
        last = await stats(service);
        const { received } = last as { received?: unknown };
        return typeof received === 'number' && received >= count;
      },
      () => `GET /stats says received ${count} (the last answer was ${show(last)})`,
    );
  }

  test('starts on two real ports with no readings and every count at 0', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    expect(service.httpPort > 0 && service.udpPort > 0, `httpPort ${service.httpPort}, udpPort ${service.udpPort}: both should be real ports`).toBe(true);
    expect(service.url, 'url is the HTTP base URL').toBe(`http://${HOST}:${service.httpPort}`);
    const readings = await getJson(service, '/readings');
    expect(readings, 'GET /readings before any datagram').toEqual({ status: 200, body: [] });
    const counts = await getJson(service, '/stats');
    expect(counts, 'GET /stats before any datagram').toEqual({ status: 200, body: { received: 0, accepted: 0, rejected: ZERO } });
  });

  test('asked for httpPort 0 and udpPort 0 explicitly, reports the ports the system picked', async () => {
    const service = track(await startReadingsService({ host: HOST, httpPort: 0, udpPort: 0 }));
    expect(
      { httpPort: service.httpPort > 0, udpPort: service.udpPort > 0 },
      `startReadingsService({host: "${HOST}", httpPort: 0, udpPort: 0}) → httpPort ${service.httpPort}, udpPort ${service.udpPort}: ` +
        'port 0 asks the system to pick one, so report the ports it picked (server.address().port, the UDP listener\'s port), not the 0 that was asked',
    ).toEqual({ httpPort: true, udpPort: true });
    expect(service.url, 'url with the real HTTP port').toBe(`http://${HOST}:${service.httpPort}`);
    expect((await getJson(service, '/stats')).status, `GET ${service.url}/stats`).toBe(200);
  });

  test('answers an unknown path with 404 {"detail": "Not Found"}, the workbook\'s error policy, not Express\'s HTML page', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const response = await fetch(`${service.url}/nothing-here`);
    const text = await response.text();
    expect(
      { status: response.status, body: parseJson(text) },
      `GET /nothing-here → ${response.status} ${text.replace(/\s+/g, ' ').slice(0, 120)}: after the two routes, a last handler answers 404 {"detail": "Not Found"} as JSON (lesson 04)`,
    ).toEqual({ status: 404, body: { detail: 'Not Found' } });
  });

  test('with no options, listens on 127.0.0.1', async () => {
    const service = track(await startReadingsService());
    expect(service.url, 'startReadingsService() → url').toBe(`http://${HOST}:${service.httpPort}`);
    expect((await getJson(service, '/stats')).status, `GET ${service.url}/stats`).toBe(200);
  });

  test.skipIf(no127002 !== null)(`with no options, listens on 127.0.0.1 only (not on every address)${no127002 ? ` — skipped: ${no127002}` : ''}`, async () => {
    const service = track(await startReadingsService());
    // The whole 127.0.0.0/8 is loopback on Linux and Windows: a server on 0.0.0.0 (or ::) answers
    // at 127.0.0.2 too, one on 127.0.0.1 does not.
    expect(
      await connectTcp('127.0.0.2', service.httpPort),
      `startReadingsService() with no host: HTTP port ${service.httpPort} should be reachable at 127.0.0.1 only, so a connection to 127.0.0.2 should be refused (is the host passed to server.listen?)`,
    ).toBe('ECONNREFUSED');
    expect(
      await probeUdp(service.udpPort, '127.0.0.2'),
      `startReadingsService() with no host: UDP port ${service.udpPort} should be bound on 127.0.0.1 only, so 127.0.0.2:${service.udpPort} should still be free to bind`,
    ).toBe('free');
  });

  test('on a wildcard host (0.0.0.0), url names that host as given', async () => {
    const service = track(await startReadingsService({ host: '0.0.0.0' }));
    expect(service.url, 'startReadingsService({host: "0.0.0.0"}) → url: "http://" + the host as given + ":" + the HTTP port').toBe(
      `http://0.0.0.0:${service.httpPort}`,
    );
    expect((await getJson({ ...service, url: `http://${HOST}:${service.httpPort}` }, '/stats')).status, `GET http://${HOST}:${service.httpPort}/stats`).toBe(200);
  });

  test.skipIf(noIpv6 !== null)(`on the IPv6 wildcard (::), url names it in brackets${skippedIpv6}`, async () => {
    let service: ReadingsService;
    try {
      service = track(await startReadingsService({ host: '::' }));
    } catch (error) {
      expect.fail(`startReadingsService({host: "::"}) rejected with ${codeOf(error) ?? String(error)}: ${familyHint.replace('::1', '::')}`);
    }
    expect(service.url, 'startReadingsService({host: "::"}) → url: an IPv6 host goes in brackets, a wildcard too').toBe(`http://[::]:${service.httpPort}`);
  });

  test('stores valid readings with their sender and counts them', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const sensor = await testSocket();
    await sensor.send('{"sensor": "s1", "value": 21.5}', service.udpPort);
    await sensor.send('{"sensor": "s2", "value": -3}', service.udpPort);
    await untilReceived(service, 2);
    const { status, body } = await getJson(service, '/readings');
    expect(status, 'GET /readings').toBe(200);
    const from = { address: HOST, port: sensor.port };
    expect(body, 'sent s1 = 21.5 and s2 = -3 from the test socket').toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sensor: 's1', value: 21.5, from: expect.objectContaining(from) }),
        expect.objectContaining({ sensor: 's2', value: -3, from: expect.objectContaining(from) }),
      ]),
    );
    expect(body, 'two valid datagrams → two readings').toHaveLength(2);
    expect(await stats(service), 'GET /stats after two valid readings').toEqual({ received: 2, accepted: 2, rejected: ZERO });
  });

  test('stores only what ReadingSchema keeps: a datagram\'s other keys are dropped', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const sensor = await testSocket();
    const json = '{"sensor": "s1", "value": 21.5, "unit": "C", "note": "on the roof"}';
    await sensor.send(json, service.udpPort);
    await untilReceived(service, 1);
    const { body } = await getJson(service, '/readings');
    const stored = (body as Record<string, unknown>[])[0] ?? {};
    expect(
      Object.keys(stored).sort(),
      `sent ${json}, GET /readings lists ${show(body)}: store the reading ReadingSchema parsed (sensor, value) and from, not the raw JSON, so "unit" and "note" are dropped`,
    ).toEqual(['from', 'sensor', 'value']);
  });

  test('counts every kind of bad datagram once, and keeps working', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const sender = await testSocket();
    const bad: [RejectReason, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['not_utf8', Buffer.from([0xff, 0xfe, 0xfd])],
      ['not_json', Buffer.from('hello')],
      ['wrong_shape', Buffer.from('{"sensor": "s1", "value": "hot"}')],
      ['oversized', Buffer.from(`{"sensor":"s1","value":1}${' '.repeat(MAX_READING_BYTES)}`)],
    ];
    for (const [, payload] of bad) await sender.send(payload, service.udpPort);
    await sender.send('{"sensor": "s3", "value": 7}', service.udpPort);
    await untilReceived(service, bad.length + 1);
    expect(await stats(service), `sent one datagram of each kind (${bad.map(([reason]) => reason).join(', ')}) and one valid reading`).toEqual({
      received: 6,
      accepted: 1,
      rejected: { empty: 1, not_utf8: 1, not_json: 1, wrong_shape: 1, oversized: 1 },
    });
    const { body } = await getJson(service, '/readings');
    expect(body, 'only the valid reading is stored').toEqual([expect.objectContaining({ sensor: 's3', value: 7 })]);
  });

  test('applies its maxBytes option to the datagrams it receives', async () => {
    const service = track(await startReadingsService({ host: HOST, maxBytes: 30 }));
    const sender = await testSocket();
    await sender.send(pad(31), service.udpPort);
    await sender.send(pad(30), service.udpPort);
    await untilReceived(service, 2);
    expect(await stats(service), 'maxBytes 30: sent a valid reading of 31 bytes (oversized) and one of 30 bytes (accepted)').toEqual({
      received: 2,
      accepted: 1,
      rejected: { ...ZERO, oversized: 1 },
    });
  });

  test('counts a burst of datagrams without a crash', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const sender = await testSocket();
    const total = 200;
    // Sent in batches, each awaited: UDP may drop datagrams when the receiver's buffer is full,
    // even on loopback, and this test checks counting, not the kernel's buffer size.
    for (let batch = 0; batch < total; batch += 20) {
      const sends: Promise<void>[] = [];
      for (let i = batch; i < batch + 20; i++) {
        sends.push(sender.send(i % 4 === 3 ? `garbage ${i}` : `{"sensor": "b${i}", "value": ${i}}`, service.udpPort));
      }
      await Promise.all(sends);
    }
    await untilReceived(service, total);
    expect(await stats(service), `sent ${total} datagrams: every fourth one not JSON`).toEqual({
      received: total,
      accepted: 150,
      rejected: { ...ZERO, not_json: 50 },
    });
    const { body } = await getJson(service, '/readings');
    expect((body as unknown[]).length, 'GET /readings after the burst: 150 valid readings').toBe(150);
  });

  test('close() stops both servers promptly and frees both ports; a second close() is harmless', async () => {
    const service = await startReadingsService({ host: HOST });
    cleanups.push(() => service.close());
    // A request first: fetch keeps its connection open for reuse; close() must not wait on it.
    expect((await getJson(service, '/stats')).status, 'GET /stats before closing').toBe(200);
    const started = Date.now();
    await service.close();
    expect(Date.now() - started, 'close() after a keep-alive request should not wait for the connection to time out').toBeLessThan(2000);
    expect(await probeTcp(service.httpPort), `binding TCP ${HOST}:${service.httpPort} (the HTTP port) after close()`).toBe('free');
    expect(await probeUdp(service.udpPort), `binding UDP ${HOST}:${service.udpPort} (the UDP port) after close()`).toBe('free');
    const secondClosed = await secondClose(() => service.close());
    expect(secondClosed, secondCloseMessage(secondClosed)).toBe('resolved');
  });

  test('close() does not wait for a request that is still arriving', async () => {
    const service = track(await startReadingsService({ host: HOST }));
    const slow = net.connect(service.httpPort, HOST);
    slow.on('error', () => {}); // close() may reset it: that is the point
    cleanups.push(() => {
      slow.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      slow.once('error', reject);
      slow.once('connect', () => {
        slow.off('error', reject);
        resolve();
      });
    });
    // Headers without the blank line that ends them: the server has a request in progress.
    await new Promise<void>((resolve, reject) => slow.write('GET /stats HTTP/1.1\r\nHost: x\r\n', (error) => (error ? reject(error) : resolve())));
    // A round trip on another connection: by its answer, the server has read the half request.
    expect((await getJson(service, '/stats')).status, 'GET /stats beside the unfinished request').toBe(200);
    expect(
      await settlesWithin(service.close(), 3000),
      'a client sent "GET /stats HTTP/1.1" and a header but never finished: close() should end that connection (closeAllConnections) and resolve, not wait for it',
    ).toBe(true);
  });

  test.skipIf(noIpv6 !== null)(`on ::1: stores a reading that came over IPv6 and answers HTTP there${skippedIpv6}`, async () => {
    let service: ReadingsService;
    try {
      service = track(await startReadingsService({ host: HOST6 }));
    } catch (error) {
      expect.fail(`startReadingsService({host: "::1"}) rejected with ${codeOf(error) ?? String(error)}: ${familyHint}`);
    }
    expect(service.url, 'url for host ::1: an IPv6 address goes in brackets in a URL').toBe(`http://[::1]:${service.httpPort}`);
    const sensor = await testSocket(undefined, HOST6);
    await sensor.send('{"sensor": "v6", "value": 6}', service.udpPort);
    await untilReceived(service, 1);
    expect(await getJson(service, '/readings'), 'sent {"sensor": "v6", "value": 6} to [::1] from the test socket').toEqual({
      status: 200,
      body: [expect.objectContaining({ sensor: 'v6', value: 6, from: expect.objectContaining({ address: HOST6, port: sensor.port }) })],
    });
  });

  test('rejects with EADDRINUSE when the UDP port is taken, and leaves the HTTP port free', async () => {
    const holder = await testSocket();
    const httpPort = await freeTcpPort();
    const error = await rejection(startReadingsService({ host: HOST, httpPort, udpPort: holder.port }), `startReadingsService on taken UDP port ${holder.port}`);
    expect(codeOf(error), `udpPort ${holder.port} is held by the test`).toBe('EADDRINUSE');
    expect(await probeTcp(httpPort), `after the failed start, HTTP port ${httpPort} should not be left taken`).toBe('free');
  });

  test('rejects when the HTTP port is taken, and leaves the UDP port free', async () => {
    const holder = net.createServer();
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    await new Promise<void>((resolve) => holder.listen(0, HOST, resolve));
    const httpPort = (holder.address() as net.AddressInfo).port;
    // A UDP port that is free right now: bind one, note it, release it.
    const spare = await testSocket();
    const udpPort = spare.port;
    await new Promise<void>((resolve) => spare.socket.close(() => resolve()));
    const error = await rejection(startReadingsService({ host: HOST, httpPort, udpPort }), `startReadingsService on taken HTTP port ${httpPort}`);
    expect(codeOf(error), `httpPort ${httpPort} is held by the test`).toBe('EADDRINUSE');
    expect(await probeUdp(udpPort), `after the failed start, UDP port ${udpPort} should not be left taken`).toBe('free');
  });
});
