import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createApp, validationDetail } from '#exercise/03-endpoints';
import { parseJson, serve, type Running } from './support/http.ts';

const show = (value: unknown) => JSON.stringify(value);

/** Every server a test starts; afterEach closes them all, even when the test failed. */
const running: Running[] = [];

afterEach(async () => {
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
}

/** Makes an app with the learner's createApp() and serves it on 127.0.0.1, port 0. */
async function start(): Promise<Api> {
  const server = await serve(createApp());
  running.push(server);
  return {
    url: server.url,
    async call(method, path, body) {
      const response = await fetch(server.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      const json = parseJson(text);
      const sent = `${method} ${path}${body === undefined ? '' : ` ${show(body)}`}`;
      const got = `got ${response.status} ${text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty body)'}`;
      return { sent, status: response.status, headers: response.headers, text, json, got };
    },
  };
}

/** Checks the status, with a message saying what was sent, what was expected and what came back. */
function expectStatus(answer: Answer, status: number): void {
  expect(answer.status, `${answer.sent} → expected ${status}; ${answer.got}`).toBe(status);
}

/** Checks the answer is JSON (by content type and by body). */
function expectJson(answer: Answer): void {
  expect(answer.headers.get('content-type') ?? '', `${answer.sent} → expected a JSON content type`).toMatch(
    /^application\/json/,
  );
  expect(answer.json, `${answer.sent} → expected a JSON body; ${answer.got}`).toBeDefined();
}

/** The loc of every entry of a 422 answer's detail list (checking the shape on the way). */
function locsOf(answer: Answer): unknown[] {
  const detail = (answer.json as { detail?: unknown } | undefined)?.detail;
  expect(Array.isArray(detail) && detail.length > 0, `${answer.sent} → expected {"detail": [...]} with at least one entry; ${answer.got}`).toBe(true);
  for (const entry of detail as { loc?: unknown; msg?: unknown; type?: unknown }[]) {
    expect(Array.isArray(entry.loc), `${answer.sent} → each detail entry needs a loc list; got ${show(entry)}`).toBe(true);
    expect(typeof entry.msg === 'string' && entry.msg.length > 0, `${answer.sent} → each detail entry needs a msg; got ${show(entry)}`).toBe(true);
    expect(typeof entry.type === 'string' && entry.type.length > 0, `${answer.sent} → each detail entry needs a type; got ${show(entry)}`).toBe(true);
  }
  return (detail as { loc: unknown }[]).map((entry) => entry.loc);
}

/** A 422 whose detail points at `loc`. */
function expect422At(answer: Answer, loc: (string | number)[]): void {
  expectStatus(answer, 422);
  expectJson(answer);
  expect(locsOf(answer), `${answer.sent} → expected a detail entry at loc ${show(loc)}; ${answer.got}`).toContainEqual(loc);
}

/** A 404 with a JSON body carrying a `detail` string, as FastAPI answers. */
function expect404(answer: Answer): void {
  expectStatus(answer, 404);
  expectJson(answer);
  const detail = (answer.json as { detail?: unknown }).detail;
  expect(typeof detail === 'string' && detail.length > 0, `${answer.sent} → expected {"detail": "..."}; ${answer.got}`).toBe(true);
}

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const alan = { name: 'Alan Turing', email: 'alan@example.com' };
const grace = { name: 'Grace Hopper', email: 'grace@example.com' };

/** POSTs a user, checks the 201, and returns it. */
async function create(api: Api, body: object): Promise<{ id: number; name: string; email: string }> {
  const answer = await api.call('POST', '/users', body);
  expectStatus(answer, 201);
  const user = answer.json as { id: number; name: string; email: string };
  expect(Number.isInteger(user?.id) && user.id > 0, `${answer.sent} → expected a positive integer id; ${answer.got}`).toBe(true);
  return user;
}

/** GET /users with a query string, expecting 200 and a list; returns the list. */
async function list(api: Api, query = ''): Promise<{ id: number }[]> {
  const answer = await api.call('GET', `/users${query}`);
  expectStatus(answer, 200);
  expect(Array.isArray(answer.json), `${answer.sent} → expected a JSON array; ${answer.got}`).toBe(true);
  return answer.json as { id: number }[];
}

describe('the app', () => {
  test.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['GET', '/users/1/friends'],
    ['POST', '/user'],
  ])('answers %s %s, a route it does not have, with a JSON 404', async (method, path) => {
    const api = await start();
    expect404(await api.call(method, path));
  });

  test('gives every app made by createApp() its own users', async () => {
    const first = await start();
    const second = await start();
    const user = await create(first, ada);
    expect(
      await list(second),
      'POST /users to the first app, then GET /users on the second → [] (the store must be made inside usersRouter(), not at module level)',
    ).toEqual([]);
    expect404(await second.call('GET', `/users/${user.id}`));
    const other = await create(second, alan);
    expect(await list(second), 'POST /users (Alan) to the second app, then GET /users there → only Alan').toEqual([other]);
    expect(await list(first), 'GET /users on the first app → only Ada').toEqual([user]);
  });

  test('answers malformed JSON with a JSON 400 {"detail": "..."}, not an HTML page or a stack trace', async () => {
    const api = await start();
    const sent = 'POST /users with content-type application/json and the body \'{"name": "Ada",\'';
    const response = await fetch(`${api.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "Ada",',
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    const got = `got ${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`;
    expect(response.status, `${sent} → expected 400 (express.json() could not parse it); ${got}`).toBe(400);
    expect(response.headers.get('content-type') ?? '', `${sent} → expected a JSON answer from your error handler; ${got}`).toMatch(
      /^application\/json/,
    );
    const detail = (parseJson(text) as { detail?: unknown } | undefined)?.detail;
    expect(typeof detail === 'string' && detail.length > 0, `${sent} → expected {"detail": "..."}; ${got}`).toBe(true);
    expect(text, `${sent} → the answer must not carry a stack trace; ${got}`).not.toMatch(/node_modules|\n\s+at |\\n\s+at /);
  });

  test('answers another client error of express.json() with its own status in JSON: an unsupported charset is 415, not 400 or 500', async () => {
    const api = await start();
    const sent = 'POST /users with content-type "application/json; charset=latin1" and a valid body';
    const response = await fetch(`${api.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: JSON.stringify(ada),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    const got = `got ${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`;
    expect(
      response.status,
      `${sent} → expected 415: express.json() refuses the charset with an error whose status is 415 and expose is true; answer such an error with its own status (500 says the server has a bug, 400 says the JSON was malformed); ${got}`,
    ).toBe(415);
    expect(response.headers.get('content-type') ?? '', `${sent} → expected a JSON answer from your error handler; ${got}`).toMatch(
      /^application\/json/,
    );
    const detail = (parseJson(text) as { detail?: unknown } | undefined)?.detail;
    expect(typeof detail === 'string' && detail.length > 0, `${sent} → expected {"detail": "..."}; ${got}`).toBe(true);
    expect(await list(api), `GET /users after the refused POST → still []`).toEqual([]);
  });
});

describe('validationDetail', () => {
  test.each([
    [
      'a body with two bad fields',
      z.object({ name: z.string().min(1), address: z.object({ city: z.string() }) }),
      { name: '', address: { city: 7 } },
      ['body'],
    ],
    ['a bad id', z.string().regex(/^\d+$/), 'abc', ['path', 'id']],
    ['a list with a bad second item', z.object({ tags: z.array(z.string()) }), { tags: ['ok', 5] }, ['body']],
  ])('turns every zod issue of %s into {loc: prefix + path, msg: its message, type: its code}', (label, schema, value, prefix) => {
    const result = (schema as z.ZodType).safeParse(value);
    expect(result.success, `test setup: ${label} should fail to parse`).toBe(false);
    const issues = result.error!.issues;
    const call = `validationDetail(the ZodError of ${label} ${show(value)}, ${show(prefix)})`;
    const detail = validationDetail(result.error!, prefix);
    expect(detail, `${call} → one entry per issue (${issues.length}); got ${show(detail)}`).toHaveLength(issues.length);
    for (const issue of issues) {
      const want = { loc: [...prefix, ...issue.path], msg: issue.message, type: issue.code };
      expect(
        detail,
        `${call} → expected the entry ${show(want)} (loc is the prefix, then the issue's path as it is: a list index stays a number; msg is the issue's message, type its code); got ${show(detail)}`,
      ).toContainEqual(want);
    }
  });
});

describe('GET /users — the list', () => {
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
    expect(
      ids(await list(api, '?offset=1&limit=2')),
      `GET /users?offset=1&limit=2 after creating ids ${show(all)} → the 2nd and 3rd users (other ids? the store must be made inside usersRouter(), not at module level)`,
    ).toEqual(all.slice(1, 3));
    expect(ids(await list(api, '?limit=3')), 'GET /users?limit=3 → the first 3 users').toEqual(all.slice(0, 3));
    expect(ids(await list(api, '?offset=3')), 'GET /users?offset=3 → the 4th and 5th users').toEqual(all.slice(3));
    expect(ids(await list(api, '?offset=5')), 'GET /users?offset=5 with 5 users → []').toEqual([]);
    expect(ids(await list(api, '?offset=1000')), 'GET /users?offset=1000 with 5 users → [] (offset has no upper bound; past the end is an empty page)').toEqual([]);
    expect(ids(await list(api, '?offset=0&limit=100')), 'GET /users?offset=0&limit=100 (the largest limit) → all 5').toEqual(all);
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
    expect422At(await api.call('GET', `/users?${query}`), ['query', key]);
  });
});

describe('POST /users — create', () => {
  test('answers 201 with the new user, its id chosen by the server', async () => {
    const api = await start();
    const answer = await api.call('POST', '/users', ada);
    expectStatus(answer, 201);
    expectJson(answer);
    const user = answer.json as { id?: unknown };
    expect(Number.isInteger(user.id) && (user.id as number) > 0, `${answer.sent} → expected a positive integer id; ${answer.got}`).toBe(true);
    expect(answer.json, `${answer.sent} → expected the body back plus its id`).toEqual({ ...ada, id: user.id });
  });

  test('sets Location to /users/<id>, and GET there returns the user', async () => {
    const api = await start();
    const answer = await api.call('POST', '/users', alan);
    expectStatus(answer, 201);
    const user = answer.json as { id: number };
    const location = answer.headers.get('location');
    expect(location, `${answer.sent} → expected a Location header`).toBeTruthy();
    const target = new URL(location!, api.url);
    expect(target.pathname, `${answer.sent} → Location ${show(location)} should lead to /users/${user.id}`).toBe(`/users/${user.id}`);
    const read = await api.call('GET', target.pathname);
    expectStatus(read, 200);
    expect(read.json, `${read.sent} → the user that was just created`).toEqual(user);
  });

  test('ignores an id and unknown keys in the body', async () => {
    const api = await start();
    const first = await create(api, ada);
    const sent = { ...alan, id: first.id, isAdmin: true };
    const answer = await api.call('POST', '/users', sent);
    expectStatus(answer, 201);
    const user = answer.json as { id: number };
    expect(user.id, `${answer.sent} → the server picks a new id; ${first.id} is taken by Ada`).not.toBe(first.id);
    expect(answer.json, `${answer.sent} → only id, name and email come back`).toEqual({ ...alan, id: user.id });
    expect((await api.call('GET', `/users/${first.id}`)).json, `GET /users/${first.id} → Ada is untouched`).toEqual(first);
  });

  test('never reuses an id, even after a delete', async () => {
    const api = await start();
    const a = await create(api, ada);
    const b = await create(api, alan);
    expectStatus(await api.call('DELETE', `/users/${a.id}`), 204);
    const c = await create(api, grace);
    expect([a.id, b.id], `POST Ada, POST Alan, DELETE Ada, POST Grace → Grace's id ${c.id} must be new`).not.toContain(c.id);
    expect(await list(api), 'GET /users → Alan, then Grace').toEqual([b, c]);
  });

  test.each([
    ['a missing name', { email: 'ada@example.com' }, ['body', 'name']],
    ['an empty name', { name: '', email: 'ada@example.com' }, ['body', 'name']],
    ['a name that is not a string', { name: 42, email: 'ada@example.com' }, ['body', 'name']],
    ['a missing email', { name: 'Ada' }, ['body', 'email']],
    ['an email that is not an address', { name: 'Ada', email: 'not-an-email' }, ['body', 'email']],
    ['a body that is a list, not an object', [ada], ['body']],
  ])('refuses %s with 422 at the field\'s loc, and stores nothing', async (_label, body, loc) => {
    const api = await start();
    expect422At(await api.call('POST', '/users', body), loc);
    expect(await list(api), `GET /users after a refused POST → still []`).toEqual([]);
  });

  test('refuses a body that is not JSON (text/plain) with 422 at loc ["body", ...], and stores nothing', async () => {
    const api = await start();
    const response = await fetch(`${api.url}/users`, { method: 'POST', body: 'name=Ada', signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    const sent = 'POST /users with the text/plain body "name=Ada"';
    expect(response.status, `${sent} → expected 422 (express.json() leaves req.body undefined); got ${response.status} ${text}`).toBe(422);
    const detail = (parseJson(text) as { detail?: unknown } | undefined)?.detail;
    expect(Array.isArray(detail) && detail.length > 0, `${sent} → expected {"detail": [...]}; got ${text}`).toBe(true);
    for (const entry of detail as { loc?: unknown }[]) {
      expect(Array.isArray(entry.loc) && entry.loc[0] === 'body', `${sent} → every loc should start with "body"; got ${show(entry)}`).toBe(true);
    }
    expect(await list(api), `GET /users after a refused POST → still []`).toEqual([]);
  });

  test('puts zod\'s issue code in each entry\'s type: a missing email is "invalid_type"', async () => {
    const api = await start();
    const answer = await api.call('POST', '/users', { name: 'Ada' });
    expect422At(answer, ['body', 'email']);
    const entry = ((answer.json as { detail: { loc: unknown; type?: unknown }[] }).detail).find(
      (item) => show(item.loc) === show(['body', 'email']),
    );
    expect(entry?.type, `${answer.sent} → the entry at ["body","email"] should have type "invalid_type" (the issue's code); ${answer.got}`).toBe(
      'invalid_type',
    );
  });
});

describe('GET /users/:id — read one', () => {
  test('answers 200 with the user', async () => {
    const api = await start();
    await create(api, ada);
    const user = await create(api, alan);
    const answer = await api.call('GET', `/users/${user.id}`);
    expectStatus(answer, 200);
    expectJson(answer);
    expect(answer.json, `${answer.sent} → Alan`).toEqual(user);
  });

  test('answers 404 with a JSON detail for a user that does not exist', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('GET', `/users/${user.id + 1000}`));
  });

  test.each(['abc', '0', '-1', '1.5', '7x', '1e3', '99999999999999999999'])(
    'refuses the id "%s" with 422 at loc ["path", "id"]',
    async (id) => {
      const api = await start();
      await create(api, ada);
      expect422At(await api.call('GET', `/users/${id}`), ['path', 'id']);
    },
  );
});

describe('PUT /users/:id — replace', () => {
  test('replaces the whole user and answers 200 with it, keeping its id and place in the list', async () => {
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

  test('keeps the id from the path, whatever the body says', async () => {
    const api = await start();
    const first = await create(api, ada);
    const second = await create(api, alan);
    const answer = await api.call('PUT', `/users/${first.id}`, { ...grace, id: second.id });
    expectStatus(answer, 200);
    expect(answer.json, `${answer.sent} → the id stays ${first.id}`).toEqual({ ...grace, id: first.id });
    expect((await api.call('GET', `/users/${second.id}`)).json, `GET /users/${second.id} → Alan is untouched`).toEqual(second);
  });

  test('is not PATCH: a body without every field is refused with 422, and the user is unchanged', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect422At(await api.call('PUT', `/users/${user.id}`, { name: 'Ada King' }), ['body', 'email']);
    expect((await api.call('GET', `/users/${user.id}`)).json, `GET /users/${user.id} after the refused PUT`).toEqual(user);
  });

  test('answers 404 for a user that does not exist, and creates nothing', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('PUT', `/users/${user.id + 1000}`, grace));
    expect(await list(api), 'GET /users after the PUT to a missing user → only Ada').toEqual([user]);
  });

  test('validates the body before looking for the user: an incomplete body to a missing user is 422, not 404', async () => {
    const api = await start();
    const user = await create(api, ada);
    const answer = await api.call('PUT', `/users/${user.id + 1000}`, { name: 'Ada King' });
    expect(
      answer.status,
      `${answer.sent} → expected 422 (validate the id and the body first, as FastAPI does before your function runs; only a valid request can be a 404); ${answer.got}`,
    ).toBe(422);
    expect422At(answer, ['body', 'email']);
    expect(await list(api), 'GET /users after the refused PUT → only Ada').toEqual([user]);
  });

  test('refuses a bad id with 422 at loc ["path", "id"]', async () => {
    const api = await start();
    await create(api, ada);
    expect422At(await api.call('PUT', '/users/abc', grace), ['path', 'id']);
  });
});

describe('DELETE /users/:id — remove', () => {
  test('answers 204 with an empty body, and the user is gone', async () => {
    const api = await start();
    const first = await create(api, ada);
    const second = await create(api, alan);
    const answer = await api.call('DELETE', `/users/${first.id}`);
    expectStatus(answer, 204);
    expect(answer.text, `${answer.sent} → a 204 has no body`).toBe('');
    expect404(await api.call('GET', `/users/${first.id}`));
    expect(await list(api), 'GET /users after the DELETE → only Alan').toEqual([second]);
  });

  test('answers 404 for a user that does not exist, or no longer does', async () => {
    const api = await start();
    const user = await create(api, ada);
    expect404(await api.call('DELETE', `/users/${user.id + 1000}`));
    expectStatus(await api.call('DELETE', `/users/${user.id}`), 204);
    expect404(await api.call('DELETE', `/users/${user.id}`));
  });

  test('refuses a bad id with 422 at loc ["path", "id"]', async () => {
    const api = await start();
    await create(api, ada);
    expect422At(await api.call('DELETE', '/users/abc'), ['path', 'id']);
  });
});
