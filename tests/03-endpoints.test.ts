import express from 'express';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { createApp, NewUserSchema, PagingSchema, UserIdSchema, validationDetail } from '#exercise/03-endpoints';
import { parseJson, serve, type Running } from './support/http.ts';
import { pathsAndCodes } from './support/issues.ts';

const show = (value: unknown) => JSON.stringify(value);

/** Every server a test starts; afterEach closes them all, even when the test failed. */
const running: Running[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

interface Answer {
  /** What was sent, for messages: `POST /users {"name":"Ada"}`. */
  sent: string;
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** For messages: the status and body that came back. */
  got: string;
}

interface Api {
  url: string;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  /** Sends a body exactly as given, with the given content type (or none). */
  send(method: string, path: string, contentType: string | undefined, body: string, label: string): Promise<Answer>;
}

/** Makes an app with the learner's createApp() and serves it on 127.0.0.1, port 0. */
async function start(router?: express.Router): Promise<Api> {
  const server = await serve(router === undefined ? createApp() : createApp(router));
  running.push(server);
  const exchange = async (method: string, path: string, init: RequestInit, sent: string): Promise<Answer> => {
    const response = await fetch(server.url + path, { method, ...init, signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? 'no content type';
    const got = `got ${response.status} (${type}) ${text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty body)'}`;
    return { sent, status: response.status, headers: response.headers, text, json: parseJson(text), got };
  };
  return {
    url: server.url,
    call: (method, path, body) =>
      exchange(
        method,
        path,
        body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        `${method} ${path}${body === undefined ? '' : ` ${show(body)}`}`,
      ),
    send: (method, path, contentType, body, label) =>
      exchange(method, path, { headers: contentType === undefined ? {} : { 'content-type': contentType }, body }, `${method} ${path} ${label}`),
  };
}

/** Checks the status, with a message saying what was sent, what was expected and what came back. */
function expectStatus(answer: Answer, status: number, why = ''): void {
  expect(answer.status, `${answer.sent} → expected ${status}${why ? ` (${why})` : ''}; ${answer.got}`).toBe(status);
}

/** Checks the answer is JSON (by content type and by body). */
function expectJson(answer: Answer): void {
  expect(answer.headers.get('content-type') ?? '', `${answer.sent} → expected a JSON content type; ${answer.got}`).toMatch(
    /^application\/json/,
  );
  expect(answer.json, `${answer.sent} → expected a JSON body; ${answer.got}`).toBeDefined();
}

/** Checks `{ "detail": "<a non-empty string>" }` and returns that string. */
function expectDetailText(answer: Answer): string {
  expectJson(answer);
  const detail = (answer.json as { detail?: unknown } | null)?.detail;
  expect(typeof detail === 'string' && detail.length > 0, `${answer.sent} → expected {"detail": "..."}; ${answer.got}`).toBe(true);
  return detail as string;
}

interface Entry {
  loc: unknown[];
  msg: unknown;
  type: unknown;
}

/** The entries of a 422 answer's detail list (checking the shape on the way). */
function entriesOf(answer: Answer): Entry[] {
  const detail = (answer.json as { detail?: unknown } | null)?.detail;
  expect(Array.isArray(detail) && detail.length > 0, `${answer.sent} → expected {"detail": [...]} with at least one entry; ${answer.got}`).toBe(true);
  for (const entry of detail as { loc?: unknown; msg?: unknown; type?: unknown }[]) {
    expect(Array.isArray(entry.loc), `${answer.sent} → each detail entry needs a loc list; got ${show(entry)}`).toBe(true);
    expect(typeof entry.msg === 'string' && entry.msg.length > 0, `${answer.sent} → each detail entry needs a msg; got ${show(entry)}`).toBe(true);
    expect(typeof entry.type === 'string' && entry.type.length > 0, `${answer.sent} → each detail entry needs a type; got ${show(entry)}`).toBe(true);
  }
  return detail as Entry[];
}

/** A 422 whose detail has an entry at `loc`; returns that entry. */
function expect422At(answer: Answer, loc: (string | number)[], why = ''): Entry {
  expectStatus(answer, 422, why);
  expectJson(answer);
  const entries = entriesOf(answer);
  const entry = entries.find((item) => show(item.loc) === show(loc));
  expect(entry, `${answer.sent} → expected a detail entry at loc ${show(loc)}; ${answer.got}`).toBeDefined();
  return entry!;
}

/**
 * Watches console.error (still printing): after a refused request nothing may have been logged.
 * A handler that answers 422 and does not `return` goes on to answer again, which throws
 * ERR_HTTP_HEADERS_SENT into the error handler; the client never sees it, the log does.
 */
function watchErrors(): (answer: Answer) => void {
  const logged = vi.spyOn(console, 'error');
  return (answer) => {
    expect(
      logged,
      `${answer.sent} → answered ${answer.status}, then something threw into your error handler (it logged): did you forget to \`return\` after answering?`,
    ).not.toHaveBeenCalled();
  };
}

/** A 404 with a JSON body carrying a `detail` string, as FastAPI answers. */
function expect404(answer: Answer, why = ''): void {
  expectStatus(answer, 404, why);
  expectDetailText(answer);
}

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const alan = { name: 'Alan Turing', email: 'alan@example.com' };
const grace = { name: 'Grace Hopper', email: 'grace@example.com' };

type Stored = { id: number; name: string; email: string };

/** POSTs a user, checks the 201, and returns it. */
async function create(api: Api, body: object): Promise<Stored> {
  const answer = await api.call('POST', '/users', body);
  expectStatus(answer, 201);
  const user = answer.json as Stored;
  expect(Number.isInteger(user?.id) && user.id > 0, `${answer.sent} → expected a positive integer id; ${answer.got}`).toBe(true);
  return user;
}

/** GET /users with a query string, expecting 200 and a list; returns the list. */
async function list(api: Api, query = ''): Promise<Stored[]> {
  const answer = await api.call('GET', `/users${query}`);
  expectStatus(answer, 200);
  expect(Array.isArray(answer.json), `${answer.sent} → expected a JSON array; ${answer.got}`).toBe(true);
  return answer.json as Stored[];
}

/**
 * Ids that are not ids, made from a real user's id so that a loose Number() would find that
 * user: "+1", " 1" and "0x1" all read as 1.
 */
const badIds: [string, (id: number) => string][] = [
  ['abc', () => 'abc'],
  ['0', () => '0'],
  ['-1', () => '-1'],
  ['1.5', () => '1.5'],
  ['<id>x', (id) => `${id}x`],
  ['<id>.0', (id) => `${id}.0`],
  ['<id>e0', (id) => `${id}e0`],
  ['1e3', () => '1e3'],
  ['+<id>', (id) => `+${id}`],
  ['0x<id in hex>', (id) => `0x${id.toString(16)}`],
  ['" <id>" (%20<id>)', (id) => `%20${id}`],
  ['99999999999999999999', () => '99999999999999999999'],
];

/** Serves createApp(router) where the router's GET / does `fail`, and GETs /users. */
async function failWith(fail: () => unknown): Promise<Answer> {
  const router = express.Router();
  router.get('/', () => fail() as void);
  const api = await start(router);
  return api.call('GET', '/users');
}

describe('TODO 1: createApp, its 404 and its error handler', () => {
  test.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['GET', '/users/1/friends'],
    ['POST', '/user'],
  ])('answers %s %s, a route it does not have, with a JSON 404 {"detail": "Not Found"}', async (method, path) => {
    const api = await start();
    const answer = await api.call(method, path);
    expectStatus(answer, 404);
    expectJson(answer);
    expect(answer.json, `${answer.sent} → FastAPI's body for an unknown route`).toEqual({ detail: 'Not Found' });
  });

  test('mounts the router it is given at /users, after the JSON body parser', async () => {
    const router = express.Router();
    router.post('/echo', (req, res) => void res.json({ received: req.body as unknown }));
    const api = await start(router);
    const answer = await api.call('POST', '/users/echo', { a: [1, 2] });
    expectStatus(answer, 200, 'createApp(router) should mount that router at /users');
    expect(answer.json, `${answer.sent} to a test router that answers {"received": req.body} → req.body should be the parsed JSON`).toEqual({
      received: { a: [1, 2] },
    });
    expect404(await api.call('GET', '/echo'), 'the router belongs under /users only');
  });

  test('answers malformed JSON with a JSON 400 in its own words: no HTML, no stack trace, no echo of the body', async () => {
    const api = await start();
    const answer = await api.send('POST', '/users', 'application/json', '[secret]', `with the malformed JSON body '[secret]'`);
    expectStatus(answer, 400, 'express.json() could not parse it');
    const detail = expectDetailText(answer);
    expect(detail, `${answer.sent} → the detail must not quote the client's body (express.json()'s message does)`).not.toContain('secret');
    expect(answer.text, `${answer.sent} → no stack trace; ${answer.got}`).not.toMatch(/node_modules|\n\s+at |\\n\s+at /);
  });

  test('answers another client error of express.json() with its own status: an unsupported charset is 415', async () => {
    const api = await start();
    const answer = await api.send('POST', '/users', 'application/json; charset=latin1', JSON.stringify(ada), 'with content-type "application/json; charset=latin1"');
    expectStatus(answer, 415, "express.json() refuses the charset with an error whose status is 415; answer a 4xx error's own status");
    expectDetailText(answer);
  });

  test('answers a route that throws with 500 {"detail": "Internal Server Error"} and logs the error with console.error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const answer = await failWith(() => {
      throw new Error('secret-word: a bug');
    });
    const sent = `${answer.sent} (a test router whose GET / throws new Error("secret-word: a bug"))`;
    expect(answer.status, `${sent} → expected 500; ${answer.got}`).toBe(500);
    expectJson(answer);
    expect(answer.json, `${sent} → exactly {"detail": "Internal Server Error"}: no message, no stack`).toEqual({ detail: 'Internal Server Error' });
    expect(logged, `${sent} → the error should be logged with console.error, for whoever fixes the bug`).toHaveBeenCalled();
  });

  test('answers a rejected promise (an async route that throws) with the same 500', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const answer = await failWith(async () => {
      throw new Error('secret-word');
    });
    expectStatus(answer, 500, 'an async GET / that throws: Express 5 hands the rejection to the error handler');
    expect(answer.json, `${answer.sent} → {"detail": "Internal Server Error"}`).toEqual({ detail: 'Internal Server Error' });
  });

  test.each([
    ['an error with status 503 (not a client error)', () => Object.assign(new Error('secret-word'), { status: 503, expose: true })],
    ['an error with status 404.5 (not a whole number: res.status() would throw)', () => Object.assign(new Error('secret-word'), { status: 404.5, expose: true })],
    ['an error with status "404" (a string)', () => Object.assign(new Error('secret-word'), { status: '404', expose: true })],
    ['an error with status 500', () => Object.assign(new Error('secret-word'), { status: 500 })],
    ['an error with status 200', () => Object.assign(new Error('secret-word'), { status: 200, expose: true })],
    ['a thrown string', () => 'secret-word'],
  ])('treats %s as a bug: 500 in JSON, logged', async (label, make) => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const answer = await failWith(() => {
      throw make();
    });
    const sent = `${answer.sent} (a test router whose GET / throws ${label})`;
    expect(answer.status, `${sent} → expected 500; ${answer.got}`).toBe(500);
    expectJson(answer);
    expect(answer.json, `${sent} → {"detail": "Internal Server Error"}`).toEqual({ detail: 'Internal Server Error' });
    expect(logged, `${sent} → a bug is logged with console.error`).toHaveBeenCalled();
  });

  test.each([418, 499])("answers an error with status %i with that status, in its own words, not the error's message", async (status) => {
    const answer = await failWith(() => {
      throw Object.assign(new Error('secret-word'), { status, expose: true });
    });
    const sent = `${answer.sent} (a test router whose GET / throws an error with status ${status} and the message "secret-word")`;
    expect(answer.status, `${sent} → expected ${status}; ${answer.got}`).toBe(status);
    const detail = expectDetailText(answer);
    expect(detail, `${sent} → {"detail": "<your own words>"}, never the error's message`).not.toContain('secret-word');
  });
});

describe('TODO 2: the schemas of the body, the id and the paging', () => {
  test('NewUserSchema takes a name and an email, and drops other keys (the server picks ids)', () => {
    const other = { name: 'A', email: 'ada.lovelace+notes@math.example.org' };
    const extra = { ...ada, id: 7, isAdmin: true };
    for (const [input, want, why] of [
      [ada, ada, 'a valid body is taken as it is'],
      [other, other, 'a one-letter name is fine'],
      [extra, ada, 'id and isAdmin dropped, not refused'],
    ] as const) {
      const result = NewUserSchema.safeParse(input);
      expect(result.success, `NewUserSchema.safeParse(${show(input)}) → expected a success (${why}); issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
      expect(result.data, `NewUserSchema.safeParse(${show(input)}).data → ${why}`).toEqual(want);
    }
  });

  test.each([
    ['no name', { email: 'ada@example.com' }],
    ['an empty name', { name: '', email: 'ada@example.com' }],
    ['a name that is not a string', { name: 42, email: 'ada@example.com' }],
    ['no email', { name: 'Ada' }],
    ['the email "not-an-email"', { name: 'Ada', email: 'not-an-email' }],
    ['the email "ada@"', { name: 'Ada', email: 'ada@' }],
    ['the email "@example.com"', { name: 'Ada', email: '@example.com' }],
    ['the email "ada@@example.com"', { name: 'Ada', email: 'ada@@example.com' }],
    ['the email "ada lovelace@example.com"', { name: 'Ada', email: 'ada lovelace@example.com' }],
    ['a list instead of an object', [ada]],
    ['no body at all (undefined)', undefined],
  ])('NewUserSchema refuses %s', (_label, value) => {
    const taken = NewUserSchema.safeParse(ada);
    expect(taken.data, `NewUserSchema.safeParse(${show(ada)}).data → a valid body is taken as it is; issues: ${show(pathsAndCodes(taken.error?.issues))}`).toEqual(ada);
    expect(NewUserSchema.safeParse(value).success, `NewUserSchema.safeParse(${show(value)}) → expected a failure (name: at least one character; email: an address as z.email() checks it)`).toBe(false);
  });

  test('UserIdSchema turns digits into a number', () => {
    for (const [id, want, why] of [
      ['7', 7, 'digits'],
      ['9007199254740991', 9007199254740991, 'the largest exact integer'],
    ] as const) {
      const result = UserIdSchema.safeParse(id);
      expect(result.data, `UserIdSchema.safeParse(${show(id)}).data → ${want} (${why}); issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(want);
    }
  });

  test('UserIdSchema takes leading zeros: "007" is 7 ("digits only", and 0 is a digit)', () => {
    for (const [id, want] of [['007', 7], ['01', 1], ['0000000000000000000042', 42]] as const) {
      const result = UserIdSchema.safeParse(id);
      expect(result.data, `UserIdSchema.safeParse(${show(id)}).data → ${want}: an id is digits only, then a safe integer from 1, and ${show(id)} is all digits; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(want);
    }
    expect(UserIdSchema.safeParse('000').success, 'UserIdSchema.safeParse("000") → a failure: it is 0').toBe(false);
  });

  test.each(['abc', '', '0', '-1', '1.5', '7x', '1e3', '+1', '0x1', ' 1', '1 ', '9007199254740992', '99999999999999999999'])(
    'UserIdSchema refuses "%s"',
    (id) => {
      const taken = UserIdSchema.safeParse('7');
      expect(taken.data, `UserIdSchema.safeParse("7").data → a valid id is taken; issues: ${show(pathsAndCodes(taken.error?.issues))}`).toBe(7);
      expect(UserIdSchema.safeParse(id).success, `UserIdSchema.safeParse(${show(id)}) → expected a failure (digits only, then a safe integer from 1)`).toBe(false);
    },
  );

  test('PagingSchema gives numbers, with offset 0 and limit 10 for absent keys', () => {
    const cases: [Record<string, unknown>, { offset: number; limit: number }][] = [
      [{}, { offset: 0, limit: 10 }],
      [{ offset: '3', limit: '100' }, { offset: 3, limit: 100 }],
      [{ limit: '1' }, { offset: 0, limit: 1 }],
      [{ offset: '1000' }, { offset: 1000, limit: 10 }],
    ];
    for (const [query, want] of cases) {
      const result = PagingSchema.safeParse(query);
      expect(result.data, `PagingSchema.safeParse(${show(query)}).data → ${show(want)} (digits only, offset from 0, limit 1 to 100); issues: ${show(pathsAndCodes(result.error?.issues))}`).toEqual(want);
    }
  });

  test.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'abc' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ limit: '1e1' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ offset: '2.5' }, 'offset'],
    [{ offset: ' 3' }, 'offset'],
    [{ offset: '' }, 'offset'],
  ])('PagingSchema refuses %j with an issue at that key', (query, key) => {
    const result = PagingSchema.safeParse(query);
    expect(result.success, `PagingSchema.safeParse(${show(query)}) → expected a failure (digits only, offset from 0, limit 1 to 100, one value per key)`).toBe(false);
    expect(
      result.error?.issues.map((issue) => issue.path[0]),
      `PagingSchema.safeParse(${show(query)}) → an issue whose path starts with "${key}"`,
    ).toContain(key);
  });
});

describe('TODO 3: validationDetail', () => {
  test.each([
    [
      'a body with two bad fields',
      z.object({ name: z.string().min(1), address: z.object({ city: z.string() }) }),
      { name: '', address: { city: 7 } },
      ['body'],
    ],
    ['a bad id', z.string().regex(/^\d+$/), 'abc', ['path', 'id']],
    ['a list with a bad second item', z.object({ tags: z.array(z.string()) }), { tags: ['ok', 5] }, ['body']],
    ['a present null', z.object({ name: z.string() }), { name: null }, ['body']],
  ])('turns every zod issue of %s into {loc: prefix + path, msg: its message, type: its code}', (label, schema, value, prefix) => {
    const result = (schema as z.ZodType).safeParse(value);
    expect(result.success, `test setup: ${label} should fail to parse`).toBe(false);
    const issues = result.error!.issues;
    const call = `validationDetail(the ZodError of ${label} ${show(value)}, ${show(prefix)}, ${show(value)})`;
    const detail = validationDetail(result.error!, prefix, value);
    expect(detail, `${call} → one entry per issue (${issues.length}); got ${show(detail)}`).toHaveLength(issues.length);
    for (const issue of issues) {
      const want = { loc: [...prefix, ...issue.path], msg: issue.message, type: issue.code };
      expect(
        detail,
        `${call} → expected the entry ${show(want)} (loc is the prefix, then the issue's path as it is: a list index stays a number; msg is the issue's message; type its code, since every value here is present); got ${show(detail)}`,
      ).toContainEqual(want);
    }
  });

  test('keeps zod\'s code for an issue that is not invalid_type, even where the input has nothing: "missing" is for an absent required value', () => {
    // A refinement that points at an optional key the body left out: the rule failed, nothing required is absent.
    const schema = z
      .object({ password: z.string(), confirm: z.string().optional() })
      .refine((body) => body.confirm === body.password, { message: 'the two passwords differ', path: ['confirm'] });
    const value = { password: 'hunter22' };
    const result = schema.safeParse(value);
    expect(result.success, 'test setup: the refinement should fail').toBe(false);
    const call = `validationDetail(the ZodError of ${show(value)} against a schema whose refinement reports a "custom" issue at ["confirm"], an optional key, ["body"], ${show(value)})`;
    const detail = validationDetail(result.error!, ['body'], value);
    expect(
      detail.map(({ loc, type }) => ({ loc, type })),
      `${call} → type "custom", zod's code: "missing" only replaces invalid_type, for a value that is absent; got ${show(detail)}`,
    ).toEqual([{ loc: ['body', 'confirm'], type: 'custom' }]);
  });

  test.each([
    ['a body without email', { name: 'Ada' }, ['body', 'email'], 'the body has no key "email"'],
    [
      'a body whose address has no city',
      { name: 'Ada', email: 'ada@example.com', address: {} },
      ['body', 'address', 'city'],
      'follow the whole path: the body has an address, and the address has no key "city"',
    ],
    ['a body without address', { name: 'Ada', email: 'ada@example.com' }, ['body', 'address'], 'the body has no key "address"'],
    ['no body at all (undefined)', undefined, ['body'], 'nothing was sent, so the path [] leads to undefined'],
    [
      'a body with a key named "constructor" missing',
      { name: 'Ada', email: 'ada@example.com', address: { city: 'London' } },
      ['body', 'constructor'],
      'only its own keys count: the body has no "constructor" of its own, whatever Object.prototype says',
    ],
  ])('gives type "missing", as FastAPI does, to a value absent from the input: %s', (label, value, loc, why) => {
    const schema = z.object({
      name: z.string(),
      email: z.string(),
      address: z.object({ city: z.string() }),
      ...(label.includes('constructor') ? { constructor: z.string() } : {}),
    });
    const result = schema.safeParse(value);
    expect(result.success, `test setup: ${label} should fail to parse`).toBe(false);
    const call = `validationDetail(the ZodError of ${label} ${show(value)}, ["body"], ${show(value)})`;
    const detail = validationDetail(result.error!, ['body'], value);
    const entry = detail.find((item) => show(item.loc) === show(loc));
    expect(entry, `${call} → expected an entry at ${show(loc)}; got ${show(detail)}`).toBeDefined();
    expect(
      entry!.type,
      `${call} → the entry at ${show(loc)} should have type "missing": the input has nothing there (${why}); got ${show(detail)}`,
    ).toBe('missing');
  });
});

describe('TODO 4: POST /users and GET /users/:id, create and read one', () => {
  test('POST answers 201 with the new user, its id chosen by the server', async () => {
    const api = await start();
    const answer = await api.call('POST', '/users', ada);
    expectStatus(answer, 201);
    expectJson(answer);
    const user = answer.json as { id?: unknown };
    expect(Number.isInteger(user.id) && (user.id as number) > 0, `${answer.sent} → expected a positive integer id; ${answer.got}`).toBe(true);
    expect(answer.json, `${answer.sent} → expected the body back plus its id`).toEqual({ ...ada, id: user.id });
  });

  test('a new app\'s first user gets id 1, the next 2 (a counter that starts at 1)', async () => {
    const api = await start();
    const first = await api.call('POST', '/users', ada);
    const second = await api.call('POST', '/users', alan);
    expect((first.json as { id?: unknown } | undefined)?.id, `the first POST /users to a new createApp() → expected id 1; ${first.got}`).toBe(1);
    expect((second.json as { id?: unknown } | undefined)?.id, `the second POST /users → expected id 2; ${second.got}`).toBe(2);
  });

  test('a refused POST uses no id: after 422s, a new app\'s first user still gets 1, the next 2', async () => {
    const api = await start();
    const refused = [{ name: 'Ada' }, { name: '', email: 'ada@example.com' }, [ada]];
    for (const body of refused) expectStatus(await api.call('POST', '/users', body), 422);
    const first = await api.call('POST', '/users', ada);
    const tried = `${refused.map((body) => show(body)).join(', ')} (each refused with 422), then POST /users ${show(ada)}`;
    expect(
      (first.json as { id?: unknown } | undefined)?.id,
      `POST /users ${tried} → expected id 1: a refused POST creates no user, so it uses no id (count only once the body is valid); ${first.got}`,
    ).toBe(1);
    expectStatus(await api.call('POST', '/users', { name: 'Alan', email: 'alan@' }), 422);
    const second = await api.call('POST', '/users', alan);
    expect(
      (second.json as { id?: unknown } | undefined)?.id,
      `then POST /users {"name":"Alan","email":"alan@"} (refused) and POST /users ${show(alan)} → expected id 2, the next unused one; ${second.got}`,
    ).toBe(2);
  });

  test('POST sets Location to /users/<id>, and GET there returns the user', async () => {
    const api = await start();
    const answer = await api.call('POST', '/users', alan);
    expectStatus(answer, 201);
    const user = answer.json as { id: number };
    const location = answer.headers.get('location');
    expect(
      location,
      `${answer.sent} → expected the header "Location: /users/${user.id}" exactly, the path from the root (a relative "users/${user.id}" is read against the URL it came from: after POST /users/ it leads to /users/users/${user.id}); got ${location === null ? 'no Location header' : `Location: ${location}`}`,
    ).toBe(`/users/${user.id}`);
    const read = await api.call('GET', location!);
    expectStatus(read, 200);
    expectJson(read);
    expect(read.json, `${read.sent} → the user that was just created`).toEqual(user);
  });

  test('POST gives every user its own id, and GET /users/:id finds each', async () => {
    const api = await start();
    const users = [await create(api, ada), await create(api, alan), await create(api, grace)];
    expect(new Set(users.map((user) => user.id)).size, `POST Ada, Alan, Grace → three different ids; got ${show(users)}`).toBe(3);
    for (const user of users) {
      const read = await api.call('GET', `/users/${user.id}`);
      expectStatus(read, 200);
      expect(read.json, `${read.sent} → ${user.name}`).toEqual(user);
    }
  });

  test('POST ignores an id and unknown keys in the body', async () => {
    const api = await start();
    const first = await create(api, ada);
    const answer = await api.call('POST', '/users', { ...alan, id: first.id, isAdmin: true });
    expectStatus(answer, 201);
    const user = answer.json as { id: number };
    expect(user.id, `${answer.sent} → the server picks a new id; ${first.id} is taken by Ada`).not.toBe(first.id);
    expect(answer.json, `${answer.sent} → only id, name and email come back`).toEqual({ ...alan, id: user.id });
    expect((await api.call('GET', `/users/${user.id}`)).json, `GET /users/${user.id} → stored without isAdmin`).toEqual({ ...alan, id: user.id });
    expect((await api.call('GET', `/users/${first.id}`)).json, `GET /users/${first.id} → Ada is untouched`).toEqual(first);
  });

  test('gives every app made by createApp() its own users', async () => {
    const first = await start();
    const second = await start();
    const user = await create(first, ada);
    expect404(
      await second.call('GET', `/users/${user.id}`),
      'Ada was POSTed to another app: the store must be made inside usersRouter(), not at module level',
    );
    await create(second, alan);
    expect((await first.call('GET', `/users/${user.id}`)).json, `GET /users/${user.id} on the first app after a POST to the second → still Ada`).toEqual(user);
  });

  test.each([
    ['a missing name', { email: 'ada@example.com' }, ['body', 'name'], true],
    ['an empty name', { name: '', email: 'ada@example.com' }, ['body', 'name'], false],
    ['a name that is not a string', { name: 42, email: 'ada@example.com' }, ['body', 'name'], false],
    ['a null name', { name: null, email: 'ada@example.com' }, ['body', 'name'], false],
    ['a missing email', { name: 'Ada' }, ['body', 'email'], true],
    ['an email that is not an address', { name: 'Ada', email: 'not-an-email' }, ['body', 'email'], false],
    ['an email with nothing after the @', { name: 'Ada', email: 'ada@' }, ['body', 'email'], false],
    ['a body that is a list, not an object', [ada], ['body'], false],
  ])("POST refuses %s with 422 at the field's loc", async (_label, body, loc, absent) => {
    const api = await start();
    const answeredOnce = watchErrors();
    const answer = await api.call('POST', '/users', body);
    const entry = expect422At(answer, loc);
    answeredOnce(answer);
    if (absent) {
      expect(entry.type, `${answer.sent} → the entry at ${show(loc)} should have type "missing": the value is absent; ${answer.got}`).toBe('missing');
    } else {
      expect(entry.type, `${answer.sent} → the value at ${show(loc)} is present but wrong: its type is zod's issue code, not "missing"; ${answer.got}`).not.toBe(
        'missing',
      );
    }
  });

  test('POST refuses a body that is not JSON (text/plain) with 422, type "missing" at loc ["body"]', async () => {
    const api = await start();
    const answer = await api.send('POST', '/users', 'text/plain', 'name=Ada', 'with the text/plain body "name=Ada"');
    const entry = expect422At(answer, ['body'], 'express.json() leaves req.body undefined: there is no body to validate');
    expect(entry.type, `${answer.sent} → type "missing": no body arrived; ${answer.got}`).toBe('missing');
  });

  test('GET /users/:id reads an id written with leading zeros: /users/0<id> and /users/00<id> are that user', async () => {
    const api = await start();
    const user = await create(api, ada);
    for (const path of [`/users/0${user.id}`, `/users/00${user.id}`]) {
      const read = await api.call('GET', path);
      expectStatus(read, 200, `an id is digits only, and "0${user.id}" is digits: it is the number ${user.id}`);
      expect(read.json, `${read.sent} → the user with id ${user.id}`).toEqual(user);
    }
  });

  test('GET /users/:id answers 404 with a JSON detail for a user that does not exist', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('GET', `/users/${user.id + 1000}`));
  });

  test.each(badIds)('GET /users/:id refuses the id %s with 422 at loc ["path", "id"]', async (_label, make) => {
    const api = await start();
    const user = await create(api, ada);
    const answeredOnce = watchErrors();
    const answer = await api.call('GET', `/users/${make(user.id)}`);
    expect422At(answer, ['path', 'id'], 'an id is digits only, a safe integer from 1');
    answeredOnce(answer);
  });
});

describe('TODO 5: GET /users, the list, paged', () => {
  test('starts empty: 200 and []', async () => {
    const api = await start();
    const answer = await api.call('GET', '/users');
    expectStatus(answer, 200);
    expectJson(answer);
    expect(answer.json, `${answer.sent} on a new app`).toEqual([]);
  });

  test('lists the created users in id order', async () => {
    const api = await start();
    const created = [await create(api, ada), await create(api, alan), await create(api, grace)];
    expect(await list(api), 'GET /users after POSTing Ada, Alan, Grace').toEqual(created);
  });

  test('pages with ?offset= and ?limit=', async () => {
    const api = await start();
    const created = [];
    for (let n = 1; n <= 5; n++) created.push(await create(api, { name: `User ${n}`, email: `u${n}@example.com` }));
    const ids = (users: { id: number }[]) => users.map((user) => user.id);
    const all = ids(created);
    expect(ids(await list(api, '?offset=1&limit=2')), `GET /users?offset=1&limit=2 after creating ids ${show(all)} → the 2nd and 3rd users`).toEqual(
      all.slice(1, 3),
    );
    expect(ids(await list(api, '?limit=3')), 'GET /users?limit=3 → the first 3 users').toEqual(all.slice(0, 3));
    expect(ids(await list(api, '?offset=3')), 'GET /users?offset=3 → the 4th and 5th users').toEqual(all.slice(3));
    expect(ids(await list(api, '?offset=5')), 'GET /users?offset=5 with 5 users → []').toEqual([]);
    expect(ids(await list(api, '?offset=1000')), 'GET /users?offset=1000 with 5 users → [] (past the end is an empty page)').toEqual([]);
    expect(ids(await list(api, '?offset=0&limit=100')), 'GET /users?offset=0&limit=100 (the largest limit) → all 5').toEqual(all);
    expect(ids(await list(api, '?limit=1')), 'GET /users?limit=1 (the smallest limit) → the first user').toEqual(all.slice(0, 1));
  });

  test('answers at most 10 users when no limit is given', async () => {
    const api = await start();
    for (let n = 1; n <= 12; n++) await create(api, { name: `User ${n}`, email: `u${n}@example.com` });
    expect(await list(api), 'GET /users with 12 users and no ?limit= → the default limit, 10').toHaveLength(10);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['limit=1e1', 'limit'],
    ['offset=', 'offset'],
    ['offset=%203', 'offset'],
    ['offset=1&offset=2', 'offset'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
    ['offset=1.5&limit=5', 'offset'],
  ])('refuses ?%s with 422 at loc ["query", ...]', async (query, key) => {
    const api = await start();
    await create(api, ada);
    const answeredOnce = watchErrors();
    const answer = await api.call('GET', `/users?${query}`);
    expect422At(answer, ['query', key], 'bad paging is refused, never quietly fixed');
    answeredOnce(answer);
  });

  test('a refused POST stores nothing', async () => {
    const api = await start();
    for (const body of [{ name: 'Ada' }, { name: '', email: 'ada@example.com' }, { name: 'Ada', email: 'ada@' }, [ada]]) {
      expectStatus(await api.call('POST', '/users', body), 422);
    }
    await api.send('POST', '/users', 'text/plain', 'name=Ada', 'with a text/plain body');
    expect(await list(api), 'GET /users after refused POSTs → still []').toEqual([]);
  });
});

describe('TODO 6: PUT and DELETE /users/:id, replace and remove', () => {
  test('PUT replaces the whole user and answers 200 with it, keeping its id and place in the list', async () => {
    const api = await start();
    const first = await create(api, ada);
    const second = await create(api, alan);
    const answer = await api.call('PUT', `/users/${first.id}`, grace);
    expectStatus(answer, 200);
    expectJson(answer);
    expect(answer.json, `${answer.sent} → Grace, with id ${first.id}`).toEqual({ ...grace, id: first.id });
    expect((await api.call('GET', `/users/${first.id}`)).json, `GET /users/${first.id} after the PUT`).toEqual({ ...grace, id: first.id });
    expect(await list(api), 'GET /users after the PUT → same ids, same order').toEqual([{ ...grace, id: first.id }, second]);
  });

  test('PUT keeps the id from the path and drops unknown keys, whatever the body says', async () => {
    const api = await start();
    const first = await create(api, ada);
    const second = await create(api, alan);
    const answer = await api.call('PUT', `/users/${first.id}`, { ...grace, id: second.id, isAdmin: true });
    expectStatus(answer, 200);
    expect(answer.json, `${answer.sent} → id ${first.id}, name and email only`).toEqual({ ...grace, id: first.id });
    expect((await api.call('GET', `/users/${first.id}`)).json, `GET /users/${first.id} after that PUT → stored without isAdmin`).toEqual({
      ...grace,
      id: first.id,
    });
    expect((await api.call('GET', `/users/${second.id}`)).json, `GET /users/${second.id} → Alan is untouched`).toEqual(second);
  });

  test('PUT is not PATCH: a body without every field is refused with 422, and the user is unchanged', async () => {
    const api = await start();
    const user = await create(api, ada);
    const answer = await api.call('PUT', `/users/${user.id}`, { name: 'Ada King' });
    const entry = expect422At(answer, ['body', 'email']);
    expect(entry.type, `${answer.sent} → type "missing" at ["body", "email"]; ${answer.got}`).toBe('missing');
    expect((await api.call('GET', `/users/${user.id}`)).json, `GET /users/${user.id} after the refused PUT`).toEqual(user);
  });

  test('PUT answers 404 for a user that does not exist, and creates nothing', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('PUT', `/users/${user.id + 1000}`, grace));
    expect404(await api.call('GET', `/users/${user.id + 1000}`), 'PUT to a missing user must not create it');
    expect(await list(api), 'GET /users after the PUT to a missing user → only Ada').toEqual([user]);
  });

  test('PUT validates the body before looking for the user: an incomplete body to a missing user is 422, not 404', async () => {
    const api = await start();
    const user = await create(api, ada);
    const answer = await api.call('PUT', `/users/${user.id + 1000}`, { name: 'Ada King' });
    expect422At(answer, ['body', 'email'], 'validate the id and the body first, as FastAPI does before your function runs; only a valid request can be a 404');
  });

  test.each(badIds)('PUT refuses the id %s with 422 at loc ["path", "id"], and changes nothing', async (_label, make) => {
    const api = await start();
    const user = await create(api, ada);
    const answeredOnce = watchErrors();
    const answer = await api.call('PUT', `/users/${make(user.id)}`, grace);
    expect422At(answer, ['path', 'id'], 'an id is digits only, a safe integer from 1');
    answeredOnce(answer);
    expect(await list(api), 'GET /users after the refused PUT → Ada, unchanged').toEqual([user]);
  });

  test('DELETE answers 204 with an empty body, and the user is gone', async () => {
    const api = await start();
    const first = await create(api, ada);
    const second = await create(api, alan);
    const answer = await api.call('DELETE', `/users/${first.id}`);
    expectStatus(answer, 204);
    expect(answer.text, `${answer.sent} → a 204 has no body`).toBe('');
    expect404(await api.call('GET', `/users/${first.id}`));
    expect(await list(api), 'GET /users after the DELETE → only Alan').toEqual([second]);
  });

  test('DELETE answers 404 for a user that does not exist, or no longer does', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('DELETE', `/users/${user.id + 1000}`));
    expectStatus(await api.call('DELETE', `/users/${user.id}`), 204);
    expect404(await api.call('DELETE', `/users/${user.id}`));
  });

  test.each(badIds)('DELETE refuses the id %s with 422 at loc ["path", "id"], and removes nothing', async (_label, make) => {
    const api = await start();
    const user = await create(api, ada);
    const answeredOnce = watchErrors();
    const answer = await api.call('DELETE', `/users/${make(user.id)}`);
    expect422At(answer, ['path', 'id'], 'an id is digits only, a safe integer from 1');
    answeredOnce(answer);
    expect(await list(api), 'GET /users after the refused DELETE → Ada is still there').toEqual([user]);
  });

  test.each([
    ['the oldest', 0],
    ['the newest', 1],
  ])('never reuses an id: after deleting %s user, the next POST gets a new id', async (_label, which) => {
    const api = await start();
    const made = [await create(api, ada), await create(api, alan)];
    const gone = made[which]!;
    expectStatus(await api.call('DELETE', `/users/${gone.id}`), 204);
    const next = await create(api, grace);
    expect(
      made.map((user) => user.id),
      `POST Ada (id ${made[0]!.id}), POST Alan (id ${made[1]!.id}), DELETE id ${gone.id}, POST Grace → Grace's id ${next.id} must never have been used (keep a counter that only grows)`,
    ).not.toContain(next.id);
    expect(await list(api), 'GET /users → the one left, then Grace').toEqual([made[1 - which], next]);
  });
});
