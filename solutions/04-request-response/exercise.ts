/**
 * Lesson 04 — request and response: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import http from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// The shapes of the two calls
// ---------------------------------------------------------------------------------------------

export const ProcessRequest = z
  .object({
    // z.number() refuses "5" (no coercion) and, in zod 4, also refuses Infinity and NaN. JSON
    // cannot spell Infinity, but JSON.parse turns 1e400 into it, so that guard matters here.
    a: z.number(),
    b: z.number(),
  })
  // Two finite numbers can still add up to Infinity (1e308 + 1e308), and JSON.stringify writes
  // Infinity as null. Refusing it here keeps a client's bad input a 4xx instead of letting it
  // break the response later (which would be our 500). No `path`: the problem is the pair.
  .refine((body) => Number.isFinite(body.a + body.b), { message: 'a + b must be a finite number' });

export const ProcessResponse = z.object({ result: z.number() });

export const UserCreate = z.object({
  name: z.string().min(1),
  email: z.email(),
  password: z.string().min(8),
});

// The response model lists what may leave, not what must be hidden: a field added to the stored
// record later (a password hash, an admin flag) stays inside unless someone adds it here.
export const UserPublic = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  email: z.string(),
});

export type ProcessRequestBody = z.infer<typeof ProcessRequest>;
export type NewUser = z.infer<typeof UserCreate>;
export type PublicUser = z.infer<typeof UserPublic>;

export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

export function validateBody<S extends z.ZodType>(schema: S): RequestHandler<Record<string, string>, unknown, z.output<S>> {
  return (req, res, next) => {
    // safeParse, not parse: a bad body is the client's mistake, an expected outcome, so it is
    // answered here. Throwing would send it to the error handler, whose job is our own bugs.
    const result = schema.safeParse(req.body);
    if (!result.success) {
      // Every issue, not only the first: the client fixes all its fields in one round trip.
      const body: unknown = req.body;
      res.status(422).json({ detail: result.error.issues.map((issue) => toDetail(issue, body)) });
      return;
    }
    // The handler gets the *parsed* value: unknown keys dropped, defaults filled in. Express 5
    // leaves req.body a plain writable property, so replacing it is allowed.
    req.body = result.data;
    next();
  };
}

function toDetail(issue: z.core.$ZodIssue, input: unknown): ErrorDetail {
  // JSON has no symbols; a symbol key (never produced by JSON.parse, but possible in a path)
  // becomes its description so the answer can always be serialized. Only symbols: an array
  // index stays a number, as in FastAPI's ["body", "tags", 1].
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  // zod reports an absent value as invalid_type; FastAPI calls it "missing". Looking the value
  // up in the input tells "absent" from "present but wrong" without reading zod's wording.
  const missing = issue.code === 'invalid_type' && valueAt(input, path) === undefined;
  return { loc: ['body', ...path], msg: issue.message, type: missing ? 'missing' : issue.code };
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    // Object.hasOwn: a key like "constructor" must not be found on Object.prototype.
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export function respond<S extends z.ZodType>(res: Response, status: number, schema: S, value: z.input<S>): void {
  // parse, not safeParse: if our own value does not fit our own response model, that is a bug
  // on the server. Throwing sends it to the error handler (500), exactly what FastAPI does with
  // a ResponseValidationError. The parsed copy is what goes out, so unknown keys are gone.
  const body = schema.parse(value);
  res.status(status).json(body);
}

export interface StoredUser extends NewUser {
  id: number;
}

export interface UserStore {
  create(user: NewUser): Promise<StoredUser>;
}

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
  users?: UserStore;
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 100 * 1024;

// Four parameters: that is how Express recognises an error handler, even if `next` goes unused.
export const handleErrors: ErrorRequestHandler = (error, _req, res, next) => {
  // If part of the answer already left, a new status cannot be sent; Express's own handler
  // closes the connection properly.
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = clientStatus(error);
  if (status === undefined) {
    // Our bug. The details belong in our log, never in the answer: a stack trace or a message
    // can name files, queries, hosts and secrets.
    console.error(error);
    res.status(500).json({ detail: 'Internal Server Error' });
    return;
  }
  res.status(status).json({ detail: clientMessage(error, status) });
};

/**
 * The 4xx status a body-parser (http-errors) error carries, or undefined for anything else —
 * including a 5xx or a 200 on a value thrown from elsewhere: that is still our bug, a 500.
 * Only a whole number: Express 5's res.status() throws for "404" or 404.5, and an error handler
 * that throws ends in Express's own HTML page, stack trace included.
 */
function clientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500 ? (status as number) : undefined;
}

function clientMessage(error: unknown, status: number): string {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return 'The body is not valid JSON';
  if (type === 'entity.too.large') return 'The body is larger than this server accepts';
  // Our own words for everything else: the library's message may quote the body back.
  return http.STATUS_CODES[status] ?? 'Bad Request';
}

export function createApp(options: AppOptions = {}): express.Express {
  const users = options.users ?? memoryUserStore();
  const app = express();

  // Express answers with an X-Powered-By header by default: a free hint for attackers.
  app.disable('x-powered-by');

  // 415 before parsing: express.json() silently skips other content types (req.body stays
  // undefined), which would otherwise surface as a confusing 422 "body missing". req.is()
  // answers null only when the request declares no body (no Content-Length, no
  // Transfer-Encoding, as with a GET), so those still reach the 404. An empty POST from fetch
  // carries Content-Length: 0 and no type: that counts as a body of no type, a 415 too.
  app.use((req, res, next) => {
    if (req.is('application/json') === false) {
      res.status(415).json({ detail: 'Send the body as JSON, with Content-Type: application/json' });
      return;
    }
    next();
  });

  // A limit turns a huge body into a quick 413 instead of memory spent on it.
  app.use(express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT }));

  app.post('/process', validateBody(ProcessRequest), (req, res) => {
    // req.body is typed { a: number; b: number } here, and it is true at run time too.
    respond(res, 200, ProcessResponse, { result: req.body.a + req.body.b });
  });

  // async: Express 5 sends a rejected promise to the error handler by itself (Express 4 did not).
  app.post('/users', validateBody(UserCreate), async (req, res) => {
    const stored = await users.create(req.body);
    // `stored` has the password; UserPublic lets only id, name and email out.
    respond(res, 201, UserPublic, stored);
  });

  // Registered after every route: only requests no route answered get here.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });

  app.use(handleErrors);
  return app;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export class ClientError extends Error {
  override name = 'ClientError';
}

export class ApiError extends ClientError {
  override name = 'ApiError';
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    // The message is what a log shows first: the status, and the detail when it is short text.
    super(`The server answered ${status}${typeof detail === 'string' && detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.detail = detail;
  }
}

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
  timeoutMs?: number;
}

// A mutable object, read on every call (axios.defaults works the same way): a constant would be
// read once, and nothing could change the default afterwards.
export const clientDefaults: { timeoutMs: number } = { timeoutMs: 5000 };

export async function postJson<S extends z.ZodType>(
  url: string,
  body: unknown,
  responseSchema: S,
  options: PostOptions = {},
): Promise<z.output<S>> {
  // `??`, so that the default applies whenever no timeout was given — a client that sets a timer
  // only when asked waits forever on a silent server (Python's requests does that by default).
  const timeoutMs = options.timeoutMs ?? clientDefaults.timeoutMs;
  // One signal for the whole call: fetch resolves as soon as the headers arrive, and the body
  // can still stall after that. The same signal aborts reading it too.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      // requests.post(url, json=data) sets this header for you; fetch does not.
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    // Read text first: the body may not be JSON at all (a proxy's HTML error page).
    const text = await response.text();
    const json = parseJson(text);

    if (!response.ok) {
      // FastAPI-shaped errors carry `detail`; anything else is passed on as it came.
      const detail = isObject(json) && 'detail' in json ? json.detail : json === undefined ? text : json;
      throw new ApiError(response.status, detail);
    }
    if (json === undefined) throw new InvalidResponseError(response.status, 'the body is not JSON');
    // The server is another program: its answer is input like any other, checked before use.
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidResponseError(response.status, 'the body does not match the expected shape', parsed.error.issues);
    }
    return parsed.data;
  } catch (error) {
    // AbortSignal.timeout rejects with a DOMException named TimeoutError, from fetch() or from
    // response.text(); callers get our own typed error instead.
    if (signal.aborted && !(error instanceof ClientError)) throw new RequestTimeoutError(url, timeoutMs);
    throw error;
  }
}

/** The parsed JSON, or undefined when the text is not JSON (JSON itself never yields undefined). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
