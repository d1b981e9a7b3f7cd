/**
 * Lesson 04 — request and response. Welcome! Here you build both ends of one call: the server
 * that answers `POST /process {"a": 5, "b": 10}` with `{"result": 15}` (and answers bad input the
 * way FastAPI would), and the client that calls it the way `requests.post(url, json=data)` does.
 *
 * TODOs 1–6 are the server, TODOs 7–9 the client; the tests are grouped the same way, so each
 * TODO turns its own group green. Fill them in order, then run `npm test -- 04` (or keep
 * `npm start` open: it reruns on save). The README beside this file explains every idea used
 * here; hints.md has two hints per TODO when stuck.
 */
import http from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// The shapes of the two calls
// ---------------------------------------------------------------------------------------------

/**
 * The body of `POST /process`: `{"a": <number>, "b": <number>}`.
 * - `a` and `b` are numbers; a string like "5" is not (no coercion).
 * - Their sum must be a finite number: `1.7e308 + 1.7e308` is Infinity, which JSON cannot carry,
 *   so such a body is the client's problem (422), not a result to send back.
 * Keys the schema does not know are dropped.
 */
// TODO 1: describe the body with z.object, and add the "finite sum" rule as a refinement.
export const ProcessRequest = z.object({});

/** The answer of `POST /process`: `{"result": <number>}`. (Given.) */
export const ProcessResponse = z.object({ result: z.number() });

/** The body of `POST /users`: a name (not empty), an email address, a password of 8+ characters. (Given.) */
export const UserCreate = z.object({
  name: z.string().min(1),
  email: z.email(),
  password: z.string().min(8),
});

/**
 * What a user looks like when it leaves the server — FastAPI's `response_model`:
 * `id` (a positive integer), `name` and `email` (strings). Nothing else, and above all no password.
 */
// TODO 2: list only the fields that may leave the server.
export const UserPublic = z.object({});

export type ProcessRequestBody = z.infer<typeof ProcessRequest>;
export type NewUser = z.infer<typeof UserCreate>;
export type PublicUser = z.infer<typeof UserPublic>;

/** One entry of a 422 answer's `detail` list, as FastAPI writes it: `loc` starts with "body". */
export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/**
 * A middleware made from a schema: FastAPI's automatic body validation.
 * Put it before a route's handler (after express.json() has parsed the body):
 * `app.post('/process', validateBody(ProcessRequest), (req, res) => ...)`.
 * @param schema any zod schema
 * @returns a middleware that
 *   - on a valid body, replaces `req.body` with the *parsed* value (defaults filled in, unknown
 *     keys dropped) and calls `next()` — the handler's `req.body` is typed as that value;
 *   - on an invalid one, answers 422 `{"detail": ErrorDetail[]}` itself, one entry per problem,
 *     and does not call the handler. Each entry:
 *     - `loc` is `["body", ...path]`, e.g. `["body", "a"]`; an array index stays a number,
 *       `["body", "tags", 1]`; a symbol (a custom refinement may put one in a path; JSON has
 *       none) becomes a string;
 *     - `type` is `"missing"` (FastAPI's word) for an `invalid_type` issue with nothing at its path
 *       in the body: an absent key, or no body at all (`req.body` undefined, loc `["body"]`).
 *       Every other issue keeps zod's code: `{"a": null}` is there, so `invalid_type`, and a
 *       refinement's issue stays `custom` even on a key that was left out;
 *     - `msg` is a readable message (zod's is fine).
 */
export function validateBody<S extends z.ZodType>(schema: S): RequestHandler<Record<string, string>, unknown, z.output<S>> {
  // TODO 3: safeParse req.body; answer 422 with every issue, or put the parsed data in req.body.
  throw new Error('validateBody is not written yet');
}

/**
 * Sends a value through a response schema — FastAPI's `response_model`.
 * @param res the Express response
 * @param status the status to answer with (200, 201, ...)
 * @param schema what may leave the server
 * @param value what the handler has (it may hold more, e.g. a password)
 * @returns nothing; it sends `schema`'s parsed copy of `value` as JSON with `status`.
 * @throws when `value` does not fit `schema` — a bug on the server, which the error handler turns into 500.
 */
export function respond<S extends z.ZodType>(res: Response, status: number, schema: S, value: z.input<S>): void {
  // TODO 4: parse the value with the schema (the throwing way) and send the result.
  throw new Error('respond is not written yet');
}

/** A user as the store keeps it: everything that was sent, password included, plus an id. */
export interface StoredUser extends NewUser {
  id: number;
}

/** Where users are kept. Asynchronous, like a real database. Tests inject their own. */
export interface UserStore {
  create(user: NewUser): Promise<StoredUser>;
}

/** A store in memory: ids 1, 2, 3, ... (Given. A real one would keep a password hash, never the password.) */
export function memoryUserStore(): UserStore {
  const users: StoredUser[] = [];
  return {
    async create(user) {
      const stored = { ...user, id: users.length + 1 };
      users.push(stored);
      return stored;
    },
  };
}

export interface AppOptions {
  /** The user store; `memoryUserStore()` when not given. */
  users?: UserStore;
  /** The largest JSON body accepted, in bytes; DEFAULT_BODY_LIMIT when not given. */
  bodyLimit?: number;
}

/** 100 kB, express.json()'s own default. */
export const DEFAULT_BODY_LIMIT = 100 * 1024;

/**
 * The app's one error handler (four parameters: that is how Express knows it handles errors).
 * The tests try it on its own first; createApp (TODO 6) registers it last.
 * - A thrown value whose `status` is a whole number from 400 to 499 is the client's mistake.
 *   body-parser's errors are like that: they carry a `status` and a `type`
 *   (`entity.parse.failed` 400, `entity.too.large` 413, `charset.unsupported` 415, ...).
 *   Answer that status with `{"detail": "<a short message of your own>"}`: never
 *   `error.message`, which for malformed JSON quotes the client's body back.
 * - Everything else is our bug: any thrown value (an Error, a string, an object, null, undefined:
 *   the tests also call handleErrors with those directly, and it must not throw), including one
 *   whose `status` is not a whole number from 400 to 499 (500, a 503 from a library, a stray 200,
 *   "404", 404.5). Log it with console.error and answer 500 `{"detail": "Internal Server Error"}`.
 * - If the headers have already gone out (`res.headersSent`), pass the error on with `next(error)`.
 */
export const handleErrors: ErrorRequestHandler = (error, req, res, next) => {
  // TODO 5: pick the status, log what is ours to fix, answer {"detail": "..."}.
  next(error);
};

/**
 * The app (not listening: the tests and the example start it).
 * @param options the user store and the body limit, both optional
 * @returns an Express app that answers
 *   - `POST /process` `{a, b}` → 200 `{"result": a + b}`
 *   - `POST /users` a UserCreate → 201 with the stored user sent through UserPublic
 *   - a body that is not valid for the route → 422 `{"detail": ErrorDetail[]}` (validateBody)
 *   - malformed JSON → 400; a body whose Content-Type is not JSON → 415 (a POST with no body at
 *     all, no Content-Length and no Transfer-Encoding, is not one: 422, `missing` at ["body"]);
 *     a body over the limit → 413; any other client error body-parser reports → its 4xx status
 *   - an unknown route → 404 `{"detail": "Not Found"}`
 *   - anything unexpected (a handler or the store throws or rejects) → 500 (handleErrors)
 *   Every error answer other than 422 is JSON `{"detail": "<a short message>"}`, and a 500 says
 *   nothing about what went wrong inside (no message, no stack): that goes to console.error.
 *   Each app made without `users` gets its own new memoryUserStore(), so its first user is id 1.
 */
export function createApp(options: AppOptions = {}): express.Express {
  // TODO 6: check the content type, parse JSON with the limit, add the two routes, a JSON 404
  //         for everything else, and handleErrors last.
  throw new Error('createApp is not written yet');
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/** Every error postJson throws on purpose is a ClientError: catch this one to handle them all. */
export class ClientError extends Error {
  override name = 'ClientError';
}

/**
 * The server answered, but not with 2xx.
 * `status` is the HTTP status; `detail` is, when the body is a JSON object with a `detail` key
 * (FastAPI's shape), that key's value, whatever it is (`{"detail": null}` gives null); for any
 * other body, the whole body (parsed JSON, or else its text).
 * The message is what a log shows: it names the status, and the detail too when that is a
 * string (`The server answered 404: Not Found`). A list or an object stays out of the message
 * (a template string would print it as "[object Object]"); it is in `detail`.
 */
export class ApiError extends ClientError {
  override name = 'ApiError';
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    // TODO 7: keep status and detail, and give a message that names the status (and a string detail).
    super('ApiError is not written yet');
    this.status = 0;
    this.detail = undefined;
  }
}

/** The server answered 2xx, but the body is not JSON, or not the shape the schema expects. (Given.) */
export class InvalidResponseError extends ClientError {
  override name = 'InvalidResponseError';
  readonly status: number;
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(status: number, problem: string, issues: readonly z.core.$ZodIssue[] = []) {
    super(`The server answered ${status} but ${problem}`);
    this.status = status;
    this.issues = issues;
  }
}

/** No complete answer (headers *and* body) arrived within the timeout. (Given.) */
export class RequestTimeoutError extends ClientError {
  override name = 'RequestTimeoutError';
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    super(`No complete answer from ${url} within ${timeoutMs} ms`);
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

export interface PostOptions {
  /** How long the whole call may take, in milliseconds; `clientDefaults.timeoutMs` when not given. */
  timeoutMs?: number;
}

/**
 * postJson's defaults, like axios's `axios.defaults.timeout`. (Given.) postJson reads them on
 * every call, not once at import, so a program can change them at start-up, and a test can
 * lower `timeoutMs` to check the default without waiting 5 seconds.
 */
export const clientDefaults: { timeoutMs: number } = { timeoutMs: 5000 };

/**
 * The TypeScript `requests.post(url, json=data)`, with the checks Python leaves to you.
 * @param url the full URL, e.g. `http://127.0.0.1:8000/process`
 * @param body any value; sent as JSON with `Content-Type: application/json`
 * @param responseSchema what a 2xx answer must look like
 * @param options `timeoutMs` for the whole call, reading the body included;
 *   `clientDefaults.timeoutMs` when not given
 * @returns the answer parsed by `responseSchema`
 * @throws ApiError for a non-2xx answer; InvalidResponseError for a 2xx that is not JSON or not
 *   the expected shape; RequestTimeoutError (with the `timeoutMs` that applied) when no complete
 *   answer came in time. Only a timeout is a RequestTimeoutError: a refused connection rejects
 *   at once with its own error.
 */
export async function postJson<S extends z.ZodType>(
  url: string,
  body: unknown,
  responseSchema: S,
  options: PostOptions = {},
): Promise<z.output<S>> {
  // TODO 8: POST the body as JSON (fetch, or node:http), read the whole answer, and return it
  //         parsed by responseSchema, or throw ApiError / InvalidResponseError.
  // TODO 9: bound the whole call, reading the body included, by the timeout (options, or else
  //         clientDefaults), and turn its end into a RequestTimeoutError.
  throw new Error('postJson is not written yet');
}
