/**
 * Lesson 07 — UDP. Welcome! Here you put a UDP listener beside a web server, the way the study
 * note did with asyncio — and then stop it again, which the note never did.
 *
 * Fill in each TODO, then run `npm test -- 07` (or keep `npm start` open: it reruns on save).
 * The README beside this file explains every idea used here; hints.md helps when you are stuck.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';

/** An IP address and a port: where a socket is bound, or where a datagram came from. */
export interface UdpAddress {
  address: string;
  port: number;
}

/** A bound UDP socket: its real address (the port the system picked for port 0) and a way to stop it. */
export interface UdpListener extends UdpAddress {
  /** Closes the socket and frees the port. Calling it a second time is harmless. */
  close(): Promise<void>;
}

/**
 * Where to bind. `host` is an IPv4 or IPv6 address ("127.0.0.1", "0.0.0.0", "::1", "::") and
 * defaults to "127.0.0.1" (lesson 06: loopback unless told); `port` defaults to 0, a free port.
 */
export interface BindOptions {
  host?: string;
  port?: number;
}

/**
 * Called once per datagram, with its bytes exactly as sent and who sent it. The sender has at least
 * `address` and `port`: dgram's `rinfo` as it is (it also has `family` and `size`) will do.
 */
export type OnDatagram = (payload: Buffer, sender: UdpAddress) => void;

/**
 * Binds a UDP socket and reports every datagram it receives — asyncio's `datagram_received`.
 * @param options host and port to bind (defaults: 127.0.0.1, port 0)
 * @param onDatagram called with `(payload, sender)` for each datagram, the sender at least `{ address, port }`
 * @returns once bound: the bound address and port, and `close()`
 * @throws (rejects) with the system error, e.g. code "EADDRINUSE", when the bind fails
 */
export function listenUdp(options: BindOptions, onDatagram: OnDatagram): Promise<UdpListener> {
  // TODO 1: create a dgram socket, pass each 'message' on, bind, and resolve with the real address.
  throw new Error('listenUdp is not written yet');
}

/**
 * Starts a UDP echo server: every datagram goes back, byte for byte, to whoever sent it.
 * @param options host and port to bind (defaults: 127.0.0.1, port 0)
 * @returns once bound: the bound address and port, and `close()`
 */
export function startEchoServer(options: BindOptions = {}): Promise<UdpListener> {
  // TODO 2: answer each datagram by sending it back to its sender.
  throw new Error('startEchoServer is not written yet');
}

/**
 * Where sendAndWait sends, and how patiently. `host` is an IPv4 or IPv6 address (default "127.0.0.1");
 * `timeoutMs` is the wait for each attempt (default 1000); `retries` is how many times the request
 * is sent again after a silent wait (default 2, so three attempts in all).
 */
export interface RequestOptions {
  host?: string;
  port: number;
  timeoutMs?: number;
  retries?: number;
}

/** What sendAndWait throws when no answer came: who was asked, how often, how long each wait. */
export class UdpTimeoutError extends Error {
  override name = 'UdpTimeoutError';
  readonly host: string;
  readonly port: number;
  /** How many times the request was sent (retries + 1). */
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

/**
 * Sends one datagram and waits for the answer, sending it again when none comes in time.
 * Only a datagram from `host:port` counts as the answer; anything from elsewhere is ignored.
 * The socket it opens is closed whatever happens.
 * @param payload the request (a string is sent as UTF-8)
 * @param options host, port, timeoutMs per attempt, retries
 * @returns the first answer's bytes
 * @throws (rejects) UdpTimeoutError after `retries + 1` silent attempts; a send error as it is. A
 *   connected socket (`socket.connect()`) also hears ECONNREFUSED, as an 'error' event, when nothing
 *   listens at host:port: that rejects at once with that error, without sending again (a refusal is
 *   an answer, not a silence). An unconnected socket never hears it and times out instead.
 */
export function sendAndWait(payload: string | Uint8Array, options: RequestOptions): Promise<Buffer> {
  // TODO 3: send, start a timer, resend on timeout, resolve on the answer, close the socket.
  throw new Error('sendAndWait is not written yet');
}

/** The service's own size limit for one datagram, in bytes. Larger ones are rejected as "oversized". */
export const MAX_READING_BYTES = 1024;

/**
 * One sensor reading, as JSON in a datagram: `{"sensor": "s1", "value": 21.5}`.
 * - `sensor`: a string with at least one character
 * - `value`: a finite number
 * Other keys are dropped.
 */
// TODO 4: describe the reading with z.object({...}).
export const ReadingSchema = z.object({});

/** A valid reading: derived from the schema (this line needs no change). */
export type Reading = z.infer<typeof ReadingSchema>;

/** Why a datagram was turned away. */
export type RejectReason = 'empty' | 'not_utf8' | 'not_json' | 'wrong_shape' | 'oversized';

/** What classifyDatagram answers: a reading, or the reason there is none. */
export type Classified = { ok: true; reading: Reading } | { ok: false; reason: RejectReason };

/**
 * Decides what one datagram is. Never throws, whatever the bytes.
 * Checked in this order: larger than `maxBytes` → "oversized"; zero bytes → "empty"; not valid
 * UTF-8 → "not_utf8"; not JSON → "not_json"; JSON that is not a reading → "wrong_shape".
 * A leading UTF-8 byte order mark (EF BB BF) is dropped before JSON.parse, as TextDecoder does by
 * default: the mark and then a valid reading is a reading; the mark alone is "not_json".
 * @param payload the datagram's bytes
 * @param maxBytes the size limit (default MAX_READING_BYTES); exactly maxBytes is still allowed
 * @returns `{ ok: true, reading }` or `{ ok: false, reason }`
 */
export function classifyDatagram(payload: Uint8Array, maxBytes: number = MAX_READING_BYTES): Classified {
  // TODO 5: check size, emptiness, UTF-8, JSON and shape, in that order.
  throw new Error('classifyDatagram is not written yet');
}

/**
 * A reading as GET /readings lists it: the fields ReadingSchema keeps (`sensor`, `value`; any other
 * key in the datagram is dropped, not stored) plus `from`, who sent it (at least address and port).
 */
export type StoredReading = Reading & { from: UdpAddress };

/**
 * What GET /stats answers. `received` counts every datagram; each one is then either `accepted`
 * or counted once under the reason it was rejected. Every reason is present, 0 until it happens.
 */
export interface Stats {
  received: number;
  accepted: number;
  rejected: Record<RejectReason, number>;
}

/** Where the service listens: both servers on `host` (default 127.0.0.1); ports default to 0. */
export interface ServiceOptions {
  host?: string;
  httpPort?: number;
  udpPort?: number;
  /** The datagram size limit (default MAX_READING_BYTES). */
  maxBytes?: number;
}

/**
 * A running service: its HTTP base URL, both real ports (those the system picked, when port 0 was
 * asked or none was given), and one close for both.
 * `url` is "http://" + the host exactly as given + ":" + the real HTTP port, with no trailing slash;
 * an IPv6 host goes in brackets, as in any URL: "http://[::1]:8000". A wildcard host stays as
 * given ("http://0.0.0.0:8000", "http://[::]:8000"): where it is bound, not where to connect.
 */
export interface ReadingsService {
  url: string;
  httpPort: number;
  udpPort: number;
  /** Stops UDP and HTTP (open keep-alive connections too) and frees both ports. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts HTTP and UDP together. UDP datagrams are classified (see classifyDatagram) and counted;
 * valid ones are stored as classifyDatagram's reading (other keys dropped) with their sender. No
 * datagram, however bad, may crash the service.
 * - `GET /readings` → 200, a JSON array of StoredReading, one per accepted datagram
 * - `GET /stats` → 200, Stats as JSON
 * - any other path → 404 `{"detail": "Not Found"}` as JSON (the workbook's error policy, lesson 04)
 * @param options host, ports and size limit
 * @returns once both are listening: the running service
 * @throws (rejects) when either cannot listen (e.g. EADDRINUSE), leaving neither port taken
 */
export function startReadingsService(options: ServiceOptions = {}): Promise<ReadingsService> {
  // TODO 6: start the UDP listener and an Express app with the two routes; close() stops both.
  throw new Error('startReadingsService is not written yet');
}
