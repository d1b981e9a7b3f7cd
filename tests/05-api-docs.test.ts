import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { z } from 'zod';
import {
  ProcessRequestSchema,
  TodoInputSchema,
  buildDocument,
  createApp,
  redocHtml,
} from '#exercise/05-api-docs';
import { parseJson, serve, type Running } from './support/http.ts';
import { browserMode, guardedContext, HOW_TO_ENABLE, launchChromium } from './support/05-browser.ts';
import { inline, operationOf, requestSchema, responseSchema, validatorFor, type Operation } from './support/05-openapi.ts';

const show = (value: unknown) => (value === undefined ? '(no body)' : JSON.stringify(value));
const LESSON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'lessons', '05-api-docs');

/** The operations the exercise asks for: method, OpenAPI path, the status of success. */
const OPERATIONS = [
  { method: 'post', path: '/process', success: 200, body: true, pathParams: [], queryParams: [] },
  { method: 'get', path: '/todos', success: 200, body: false, pathParams: [], queryParams: ['done'] },
  { method: 'post', path: '/todos', success: 201, body: true, pathParams: [], queryParams: [] },
  { method: 'get', path: '/todos/{id}', success: 200, body: false, pathParams: ['id'], queryParams: [] },
  { method: 'put', path: '/todos/{id}', success: 200, body: true, pathParams: ['id'], queryParams: [] },
  { method: 'delete', path: '/todos/{id}', success: 204, body: false, pathParams: ['id'], queryParams: [] },
] as const;

const label = (op: { method: string; path: string }) => `${op.method.toUpperCase()} ${op.path}`;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** One real HTTP call; a body is sent as JSON. */
async function call(base: string, method: string, url: string, body?: unknown): Promise<Answer> {
  const response = await fetch(base + url, {
    method: method.toUpperCase(),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = parseJson(text);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

/** Decodes the HTML character references an escaper may produce. */
function decodeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return named[entity.toLowerCase()] ?? '';
  });
}

/** The value of every `name="..."` (or '...') attribute in the HTML, decoded. */
function attributeValues(html: string, name: string): string[] {
  const pattern = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'gi');
  return [...html.matchAll(pattern)].map((match) => decodeHtml(match[1] ?? match[2] ?? ''));
}

// ---------------------------------------------------------------------------------------------

describe('buildDocument: the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document, as a real validator library sees it', async () => {
    const document = buildDocument();
    expect((document as { openapi?: string }).openapi, 'the document\'s "openapi" field').toMatch(/^3\.1\.\d+$/);
    const result = await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? [], '@seriousme/openapi-schema-validator should find no errors in buildDocument()').toEqual([]);
    expect(result.valid, 'the validator\'s verdict on buildDocument()').toBe(true);
  });

  test.each(OPERATIONS)('documents $method $path with a summary, its input and its responses, 422 included', (op) => {
    const document = buildDocument();
    const operation = operationOf(document, op.method, op.path);
    expect(operation, `paths["${op.path}"].${op.method} should exist (OpenAPI paths use {id}, not :id)`).toBeDefined();
    const found = operation as Operation;

    expect(typeof found.summary === 'string' && found.summary.trim().length > 0, `${label(op)} needs a summary`).toBe(true);

    if (op.body) {
      expect(requestSchema(found), `${label(op)} needs a requestBody with an application/json schema`).toBeDefined();
      expect(
        found.requestBody?.required,
        `the requestBody of ${label(op)} should say "required": true — the server answers 422 when the body is missing, ` +
          'and OpenAPI reads a requestBody without it as optional (registerPath: body: { required: true, content: ... })',
      ).toBe(true);
    }
    const parameters = found.parameters ?? [];
    for (const name of op.pathParams) {
      const parameter = parameters.find((entry) => entry.name === name && entry.in === 'path');
      expect(parameter, `${label(op)} needs the path parameter "${name}"; it has ${show(parameters)}`).toBeDefined();
      expect(parameter?.required, `the path parameter "${name}" of ${label(op)} must be required`).toBe(true);
      expect(['integer', 'number'], `the "${name}" parameter of ${label(op)} should be documented as an integer`).toContain(
        parameter?.schema?.type,
      );
    }
    for (const name of op.queryParams) {
      const parameter = parameters.find((entry) => entry.name === name && entry.in === 'query');
      expect(parameter, `${label(op)} needs the query parameter "${name}"; it has ${show(parameters)}`).toBeDefined();
    }

    const statuses = Object.keys(found.responses ?? {});
    expect(statuses, `${label(op)} should document its success status ${op.success}`).toContain(String(op.success));
    if (op.success !== 204) {
      expect(responseSchema(found, op.success), `${label(op)} ${op.success} needs an application/json schema`).toBeDefined();
    }
    expect(statuses, `${label(op)} takes input, so it should document the 422 answer`).toContain('422');
    expect(responseSchema(found, 422), `the 422 of ${label(op)} needs an application/json schema`).toBeDefined();
    if (op.pathParams.length > 0) expect(statuses, `${label(op)} can miss: document 404`).toContain('404');
  });

  test('documents the "done" query parameter as exactly "true" or "false", the values the server accepts', () => {
    const document = buildDocument();
    const parameter = (operationOf(document, 'get', '/todos')?.parameters ?? []).find((entry) => entry.name === 'done' && entry.in === 'query');
    expect(parameter?.schema, 'GET /todos should document the query parameter "done" with a schema').toBeDefined();
    const check = validatorFor(document, parameter?.schema);
    for (const value of ['true', 'false']) {
      // A schema of type boolean documents ?done=true too (a client sends the boolean as that text).
      const accepted = check(value).length === 0 || check(value === 'true').length === 0;
      expect(accepted, `the documented schema of ?done= should accept ${show(value)}; it is ${show(inline(document, parameter?.schema))}`).toBe(true);
    }
    expect(
      check('maybe').length,
      `the documented schema of ?done= should reject "maybe", as the server does (422); it is ${show(inline(document, parameter?.schema))}. ` +
        'A bare {"type": "string"} (what z.stringbool() gives) hides which values work: use z.enum([\'true\', \'false\'])',
    ).toBeGreaterThan(0);
  });

  // Docs that accept anything cannot lie, but they say nothing either: the declared schemas must
  // tell a right answer from a wrong one.
  test.each([
    ['post', '/process', 200, { result: 15 }, [{ result: '15' }, {}, { answer: 15 }]],
    ['post', '/todos', 201, { id: 1, title: 'Milk', done: false }, [{ title: 'Milk', done: false }, { id: 1, title: 'Milk', done: 'no' }, { id: '1', title: 'Milk', done: false }, { id: 1.5, title: 'Milk', done: false }, { id: 0, title: 'Milk', done: false }]],
    ['get', '/todos', 200, [{ id: 1, title: 'Milk', done: true }], [[{}], { id: 1 }, [{ id: 1, title: 'Milk' }]]],
    ['post', '/process', 422, { detail: [{ loc: ['body', 'a'], msg: 'bad', type: 'invalid_type' }, { loc: ['body', 'tags', 0], msg: 'bad', type: 'invalid_type' }] }, [{}, { detail: 'bad' }, { detail: [{ msg: 'bad' }] }, { detail: [{ loc: 'body', msg: 'bad', type: 'x' }] }]],
    ['get', '/todos/{id}', 404, { detail: 'Todo 7 not found' }, [{}, { detail: 7 }]],
  ] as const)('the schema for %s %s %i tells right from wrong', (method, url, status, right, wrongs) => {
    const document = buildDocument();
    const schema = responseSchema(operationOf(document, method, url), status);
    expect(schema, `${method.toUpperCase()} ${url} should declare an application/json schema for ${status}`).toBeDefined();
    const check = validatorFor(document, schema);
    expect(check(right), `the documented ${status} schema of ${method.toUpperCase()} ${url} should accept ${show(right)}`).toEqual([]);
    for (const wrong of wrongs) {
      expect(check(wrong).length, `the documented ${status} schema of ${method.toUpperCase()} ${url} should reject ${show(wrong)}`).toBeGreaterThan(0);
    }
  });
});

/** A fresh app on a free port for each test of the enclosing describe; call the result for its URL. */
function useRunningApp(): () => string {
  let running: Running | undefined;
  beforeEach(async () => {
    running = await serve(createApp());
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return () => running!.url;
}

describe('one source of truth: the documented request body is the schema that validates it', () => {
  const appUrl = useRunningApp();

  const processSamples = [{ a: 5, b: 10 }, { a: -1.5, b: 2 }, { a: '5', b: 10 }, { a: 5 }, {}, { a: 5, b: null }, [], { a: 1, b: 2, c: 3 }];
  const todoSamples = [{ title: 'Buy milk' }, { title: 'Buy milk', done: true }, { title: '' }, { title: 5 }, {}, { title: 'x', done: 'yes' }, [], { title: 'x', owner: 'me' }];
  // null: either answer is right (z.object drops unknown keys, z.strictObject refuses them), as
  // long as the zod schema, the document and the server give the same one.
  const expectedOk = {
    process: [true, true, false, false, false, false, false, null],
    todos: [true, true, false, false, false, false, false, null],
  };

  test.each([
    ['post', '/process', '/process', processSamples, expectedOk.process, () => ProcessRequestSchema as z.ZodType],
    ['post', '/todos', '/todos', todoSamples, expectedOk.todos, () => TodoInputSchema as z.ZodType],
    ['put', '/todos/{id}', '/todos/1', todoSamples, expectedOk.todos, () => TodoInputSchema as z.ZodType],
  ] as const)('%s %s: the zod schema, the documented schema and the server agree on every sample', async (method, template, url, samples, oks, schemaOf) => {
    const base = appUrl();
    const document = buildDocument();
    const documented = requestSchema(operationOf(document, method, template));
    expect(documented, `${method.toUpperCase()} ${template} should document an application/json request body`).toBeDefined();
    const docCheck = validatorFor(document, documented);
    for (const [index, sample] of samples.entries()) {
      if (method === 'put') await call(base, 'post', '/todos', { title: 'Seed' });
      const zodOk = schemaOf().safeParse(sample).success;
      const expected = oks[index] ?? zodOk;
      const docOk = docCheck(sample).length === 0;
      const answer = await call(base, method, url, sample);
      const serverOk = answer.status >= 200 && answer.status < 300;
      const sent = `${method.toUpperCase()} ${url} ${show(sample)}`;
      expect(zodOk, `the exported zod schema on ${show(sample)}: should ${expected ? 'accept' : 'reject'}`).toBe(expected);
      expect(docOk, `the documented request schema on ${show(sample)}: should ${expected ? 'accept' : 'reject'}, as the zod schema does`).toBe(expected);
      expect(serverOk, `${sent} answered ${answer.status}: the server should ${expected ? 'accept it' : 'answer 422'}`).toBe(expected);
      if (!expected) expect(answer.status, `${sent} is valid JSON but the wrong shape`).toBe(422);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('the API stores, reads, replaces and filters todos', () => {
  const running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });
  const start = async () => {
    const server = await serve(createApp());
    running.push(server);
    return server.url;
  };
  const idsOf = (json: unknown) => (Array.isArray(json) ? json.map((todo: { id?: unknown }) => todo?.id) : json);

  test('a fresh app lists nothing; POSTs get ids 1 and 2; PUT is kept; ?done= filters; GET /todos/{id} gives back what was stored', async () => {
    const base = await start();
    const empty = await call(base, 'get', '/todos');
    expect(empty.status, 'GET /todos on a fresh app').toBe(200);
    expect(empty.json, 'GET /todos on a fresh app should be an empty list').toEqual([]);

    const milk = await call(base, 'post', '/todos', { title: 'Milk' });
    expect(milk.status, 'POST /todos {"title": "Milk"} on a fresh app').toBe(201);
    expect(milk.json, 'POST /todos {"title": "Milk"} on a fresh app → the first todo, id 1').toMatchObject({ id: 1, title: 'Milk', done: false });
    const bread = await call(base, 'post', '/todos', { title: 'Bread', done: false });
    expect(bread.status, 'POST /todos {"title": "Bread", "done": false} (the second)').toBe(201);
    expect(bread.json, 'POST /todos {"title": "Bread", "done": false} (the second) → id 2').toMatchObject({ id: 2, title: 'Bread', done: false });

    const both = await call(base, 'get', '/todos');
    expect(idsOf(both.json), 'GET /todos after two POSTs should list the ids of both todos').toEqual(expect.arrayContaining([1, 2]));
    expect(both.json, 'GET /todos after two POSTs should list exactly the two todos').toHaveLength(2);

    const put = await call(base, 'put', '/todos/1', { title: 'Milk', done: true });
    expect(put.status, 'PUT /todos/1 {"title": "Milk", "done": true}').toBe(200);
    expect(put.json, 'PUT /todos/1 {"title": "Milk", "done": true} → the todo as stored now').toMatchObject({ id: 1, title: 'Milk', done: true });
    const one = await call(base, 'get', '/todos/1');
    expect(one.json, 'GET /todos/1 after PUT /todos/1 {"title": "Milk", "done": true}: the PUT should have been stored').toMatchObject({ id: 1, title: 'Milk', done: true });

    const done = await call(base, 'get', '/todos?done=true');
    expect(done.status, 'GET /todos?done=true').toBe(200);
    expect(idsOf(done.json), 'GET /todos?done=true after PUT /todos/1 {"done": true}: the ids listed should be only [1]').toEqual([1]);
    expect(done.json, 'GET /todos?done=true after PUT /todos/1 {"done": true} → only todo 1').toMatchObject([{ id: 1, title: 'Milk', done: true }]);
    const open = await call(base, 'get', '/todos?done=false');
    expect(open.status, 'GET /todos?done=false').toBe(200);
    expect(
      idsOf(open.json),
      'GET /todos?done=false after PUT /todos/1 {"done": true}: the ids listed should be only [2]. If you got 1, "false" was read as true: ' +
        'Boolean("false") is true, and so is z.coerce.boolean() of it; accept the text "true"/"false" (z.enum) and compare with it',
    ).toEqual([2]);
    expect(open.json, 'GET /todos?done=false after PUT /todos/1 {"done": true} → only todo 2').toMatchObject([{ id: 2, title: 'Bread', done: false }]);

    const two = await call(base, 'get', '/todos/2');
    expect(two.status, 'GET /todos/2').toBe(200);
    expect(two.json, 'GET /todos/2 should give back what POST /todos {"title": "Bread", "done": false} stored').toMatchObject({ id: 2, title: 'Bread', done: false });
    expect(two.json, 'GET /todos/2 should answer the same todo that POST /todos answered when it was created').toEqual(bread.json);
  });

  test('every createApp() has its own store', async () => {
    const first = await start();
    const created = await call(first, 'post', '/todos', { title: 'Only in the first app' });
    expect(created.status, 'POST /todos {"title": "Only in the first app"} on the first app').toBe(201);
    const second = await start();
    const listed = await call(second, 'get', '/todos');
    expect(listed.status, 'GET /todos on a second app').toBe(200);
    expect(listed.json, 'GET /todos on a second createApp() should be [] (keep the todos inside createApp, not at module level)').toEqual([]);
  });

  test('PUT replaces the whole todo: a "done" left out is false again, as in POST', async () => {
    const base = await start();
    await call(base, 'post', '/todos', { title: 'Milk', done: true });
    const put = await call(base, 'put', '/todos/1', { title: 'Oat milk' });
    expect(put.status, 'PUT /todos/1 {"title": "Oat milk"} (todo 1 was {"title": "Milk", "done": true})').toBe(200);
    expect(
      put.json,
      'PUT /todos/1 {"title": "Oat milk"} after POST /todos {"title": "Milk", "done": true} → done is false: PUT takes a whole TodoInput ' +
        '(parsed, so its default applies) and replaces the todo; it does not merge into the old one',
    ).toMatchObject({ id: 1, title: 'Oat milk', done: false });
    const read = await call(base, 'get', '/todos/1');
    expect(read.json, 'GET /todos/1 after that PUT').toMatchObject({ id: 1, title: 'Oat milk', done: false });
  });

  test('DELETE removes the todo, and a later POST never takes an id that is in use', async () => {
    const base = await start();
    await call(base, 'post', '/todos', { title: 'Milk' });
    await call(base, 'post', '/todos', { title: 'Bread' });
    const deleted = await call(base, 'delete', '/todos/1');
    expect(deleted.status, 'DELETE /todos/1 (todos 1 and 2 exist)').toBe(204);
    const gone = await call(base, 'get', '/todos/1');
    expect(gone.status, 'GET /todos/1 after DELETE /todos/1 answered 204: it should really be gone').toBe(404);
    const left = await call(base, 'get', '/todos');
    expect(idsOf(left.json), 'GET /todos after DELETE /todos/1 should list only [2]').toEqual([2]);

    const eggs = await call(base, 'post', '/todos', { title: 'Eggs' });
    expect(eggs.status, 'POST /todos {"title": "Eggs"} after DELETE /todos/1').toBe(201);
    const eggsId = (eggs.json as { id?: unknown })?.id;
    expect(
      eggsId,
      'POST /todos {"title": "Eggs"} while todo 2 exists (1 was deleted) got id 2 again: count ids with a counter, not with the number of todos stored',
    ).not.toBe(2);
    const bread = await call(base, 'get', '/todos/2');
    expect(bread.json, 'GET /todos/2 after todo "Eggs" was created: Bread should still be there').toMatchObject({ id: 2, title: 'Bread' });
    const all = await call(base, 'get', '/todos');
    expect(idsOf(all.json), 'GET /todos: Bread and Eggs, with different ids').toEqual(expect.arrayContaining([2, eggsId]));
    expect(all.json, 'GET /todos after POST, POST, DELETE, POST should list two todos').toHaveLength(2);
  });

  test('the server picks the id: an "id" (or any other key) in the body does not end up in the stored todo', async () => {
    const base = await start();
    const sent = { title: 'Mine', id: 99, owner: 'me' };
    const answer = await call(base, 'post', '/todos', sent);
    // A z.strictObject refuses unknown keys (422), a z.object drops them: both are right.
    expect([201, 422], `POST /todos ${show(sent)} on a fresh app → 201 (unknown keys dropped) or 422 (refused)`).toContain(answer.status);
    if (answer.status !== 201) return;
    expect(
      answer.json,
      `POST /todos ${show(sent)} on a fresh app → id 1, chosen by the server. Build the todo from the parsed body (result.data), not from req.body`,
    ).toMatchObject({ id: 1, title: 'Mine', done: false });
    expect(Object.keys(answer.json as object), `POST /todos ${show(sent)}: "owner" is not part of a Todo and should not be stored`).not.toContain('owner');
    const missing = await call(base, 'get', '/todos/99');
    expect(missing.status, `GET /todos/99 after POST /todos ${show(sent)}: no todo 99 should exist`).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------

interface ContractCase {
  name: string;
  method: string;
  /** The OpenAPI path whose operation documents this call. */
  template: string;
  /** The URL to call; {seed} is a todo created first, {missing} an id nobody has. */
  url: string;
  body?: unknown;
  status: number;
  check?: (json: unknown) => void;
  /** Said when the answer has this other status: the likely cause. */
  ifStatus?: Record<number, string>;
}

const locsOf = (json: unknown) => ((json as { detail?: { loc?: unknown }[] })?.detail ?? []).map((entry) => entry.loc);

const CONTRACT: ContractCase[] = [
  { name: 'the note\'s call', method: 'post', template: '/process', url: '/process', body: { a: 5, b: 10 }, status: 200,
    check: (json) => expect(json, 'POST /process {"a": 5, "b": 10}').toEqual({ result: 15 }) },
  { name: 'a string for a', method: 'post', template: '/process', url: '/process', body: { a: '5', b: 10 }, status: 422,
    check: (json) => expect(locsOf(json), 'POST /process {"a": "5", "b": 10}: the detail should point at body.a').toContainEqual(['body', 'a']) },
  { name: 'an empty body object', method: 'post', template: '/process', url: '/process', body: {}, status: 422,
    check: (json) => expect(locsOf(json), 'POST /process {}: both fields are missing').toEqual(expect.arrayContaining([['body', 'a'], ['body', 'b']])) },
  { name: 'the list', method: 'get', template: '/todos', url: '/todos', status: 200 },
  { name: 'the list, filtered', method: 'get', template: '/todos', url: '/todos?done=false', status: 200 },
  { name: 'a filter that is not true/false', method: 'get', template: '/todos', url: '/todos?done=maybe', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos?done=maybe: the detail should point at query.done').toContainEqual(['query', 'done']),
    ifStatus: { 200: 'accept only "true"/"false" (z.enum), not z.coerce.boolean(), which turns any non-empty text into true' } },
  { name: 'a new todo', method: 'post', template: '/todos', url: '/todos', body: { title: 'Write docs' }, status: 201,
    check: (json) => expect(json, 'POST /todos {"title": "Write docs"}: done defaults to false').toMatchObject({ title: 'Write docs', done: false }) },
  { name: 'an empty title', method: 'post', template: '/todos', url: '/todos', body: { title: '' }, status: 422,
    check: (json) => expect(locsOf(json), 'POST /todos {"title": ""}').toContainEqual(['body', 'title']) },
  { name: 'an existing todo', method: 'get', template: '/todos/{id}', url: '/todos/{seed}', status: 200 },
  { name: 'a missing todo', method: 'get', template: '/todos/{id}', url: '/todos/{missing}', status: 404 },
  { name: 'an id that is not a number', method: 'get', template: '/todos/{id}', url: '/todos/abc', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos/abc: the detail should point at path.id').toContainEqual(['path', 'id']) },
  { name: 'an id that is not whole', method: 'get', template: '/todos/{id}', url: '/todos/1.5', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos/1.5: the detail should point at path.id').toContainEqual(['path', 'id']),
    ifStatus: { 404: 'the id should be a positive integer (.int()); 1.5 is not one, so it is a 422, not a missing todo' } },
  { name: 'an id of 0', method: 'get', template: '/todos/{id}', url: '/todos/0', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos/0: the detail should point at path.id').toContainEqual(['path', 'id']),
    ifStatus: { 404: 'the id should be a positive integer (.positive()); 0 is not one, so it is a 422, not a missing todo' } },
  { name: 'a replacement', method: 'put', template: '/todos/{id}', url: '/todos/{seed}', body: { title: 'Renamed', done: true }, status: 200,
    check: (json) => expect(json, 'PUT /todos/{seed} {"title": "Renamed", "done": true}').toMatchObject({ title: 'Renamed', done: true }) },
  { name: 'a replacement with a bad body', method: 'put', template: '/todos/{id}', url: '/todos/{seed}', body: { done: 'yes' }, status: 422 },
  { name: 'a replacement of a missing todo', method: 'put', template: '/todos/{id}', url: '/todos/{missing}', body: { title: 'x' }, status: 404 },
  { name: 'a deletion', method: 'delete', template: '/todos/{id}', url: '/todos/{seed}', status: 204 },
  { name: 'a deletion of a missing todo', method: 'delete', template: '/todos/{id}', url: '/todos/{missing}', status: 404 },
  { name: 'a deletion with a negative id', method: 'delete', template: '/todos/{id}', url: '/todos/-3', status: 422 },
];

describe('contract: real answers match the schemas the document declares for them', () => {
  let running: Running | undefined;
  let document: unknown;
  let documentType = '';
  beforeEach(async () => {
    running = await serve(createApp());
    const answer = await call(running.url, 'get', '/openapi.json');
    expect(answer.status, 'GET /openapi.json should answer 200 with the document').toBe(200);
    document = answer.json;
    documentType = answer.contentType;
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  test('GET /openapi.json serves what buildDocument() builds, as JSON', () => {
    expect(document, 'GET /openapi.json compared with buildDocument()').toEqual(JSON.parse(JSON.stringify(buildDocument())));
    expect(documentType, 'the content-type of GET /openapi.json: a JSON document (res.json(...)), not text/html').toMatch(/^application\/([\w.+-]+\+)?json/);
  });

  test.each(CONTRACT)('$method $url ($name) → $status, as documented', async (testCase) => {
    const base = running!.url;
    let url = testCase.url;
    if (url.includes('{seed}') || url.includes('{missing}')) {
      const seeded = await call(base, 'post', '/todos', { title: 'Seed' });
      expect(seeded.status, 'POST /todos {"title": "Seed"} (to have a todo to work on) should answer 201').toBe(201);
      const id = (seeded.json as { id: number }).id;
      url = url.replace('{seed}', String(id)).replace('{missing}', String(id + 1000));
    }
    const sent = `${testCase.method.toUpperCase()} ${url}${testCase.body === undefined ? '' : ` ${show(testCase.body)}`}`;
    const answer = await call(base, testCase.method, url, testCase.body);
    const cause = testCase.ifStatus?.[answer.status];
    expect(answer.status, `${sent} → expected ${testCase.status}; the body was ${answer.text}${cause ? `. ${cause}` : ''}`).toBe(testCase.status);

    const operation = operationOf(document, testCase.method, testCase.template);
    expect(operation, `the document should have ${testCase.method.toUpperCase()} ${testCase.template}`).toBeDefined();
    const declared = operation?.responses?.[String(answer.status)];
    expect(declared, `${sent} answered ${answer.status}, a status the document does not declare for ${testCase.method.toUpperCase()} ${testCase.template}`).toBeDefined();

    if (answer.status === 204) {
      expect(answer.text, `${sent} → 204 has no body`).toBe('');
      expect(declared?.content, `the documented 204 of ${testCase.template} should have no content either`).toBeUndefined();
      return;
    }
    expect(answer.contentType, `${sent} should answer JSON`).toMatch(/^application\/json/);
    const schema = responseSchema(operation, answer.status);
    expect(schema, `the document should give the ${answer.status} of ${testCase.method.toUpperCase()} ${testCase.template} an application/json schema`).toBeDefined();
    const errors = validatorFor(document, schema)(answer.json);
    expect(errors, `${sent} answered ${answer.text}, which does not match the documented ${answer.status} schema ${show(inline(document, schema))}`).toEqual([]);
    testCase.check?.(answer.json);
  });
});

// ---------------------------------------------------------------------------------------------

describe('redocHtml: the ReDoc page, escaped and self-contained', () => {
  const page = { title: 'Todo API', specUrl: '/openapi.json', scriptUrl: '/redoc/redoc.standalone.js' };

  test('puts the title in <title>, escaped so it cannot close the tag', () => {
    const title = `Q&A </title><script>alert("x")</script> 'quoted'`;
    const html = redocHtml({ ...page, title });
    const match = /<title>([\s\S]*?)<\/title>/i.exec(html);
    expect(html, `redocHtml with title ${show(title)} must not contain the raw <script> tag`).not.toContain('<script>alert');
    expect(match && decodeHtml(match[1]!), `the <title> of redocHtml({title: ${show(title)}}) read back`).toBe(title);
  });

  test('puts specUrl in <redoc spec-url="...">, escaped so it cannot leave the attribute', () => {
    const specUrl = `/openapi.json?v="><img src=x onerror=alert(1)>&x='1'`;
    const html = redocHtml({ ...page, specUrl });
    expect(html, 'the page needs a <redoc> element').toMatch(/<redoc[\s>]/i);
    expect(attributeValues(html, 'spec-url'), `spec-url read back for specUrl ${show(specUrl)}`).toEqual([specUrl]);
  });

  test('loads the script from scriptUrl, and nothing from any other origin (no CDN, no Google Fonts)', () => {
    const scriptUrl = '/assets/redoc.js?v=2.5.4&x="y"';
    const html = redocHtml({ ...page, scriptUrl });
    const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((tag) => attributeValues(tag[0], 'src'));
    expect(scripts.flat(), `the <script src> of redocHtml({scriptUrl: ${show(scriptUrl)}})`).toEqual([scriptUrl]);
    const references = [...attributeValues(html, 'src'), ...attributeValues(html, 'href')];
    for (const reference of references) {
      expect(reference, 'every src/href of the page should be a path on this server').not.toMatch(/^(https?:)?\/\//i);
    }
    expect(html, 'no Google Fonts').not.toMatch(/fonts\.(googleapis|gstatic)\.com/i);
    expect(html, 'no CDN').not.toMatch(/unpkg\.com|jsdelivr|cdn\.redoc\.ly/i);
  });
});

// ---------------------------------------------------------------------------------------------

/** Every src/href of a page, resolved, checked to be on the server, fetched; CSS url()s too. */
async function checkAssets(pageUrl: string, html: string): Promise<string[]> {
  const origin = new URL(pageUrl).origin;
  const references = [...attributeValues(html, 'src'), ...attributeValues(html, 'href')].filter(
    (reference) => reference !== '' && !reference.startsWith('#') && !reference.startsWith('data:'),
  );
  const fetched: string[] = [];
  for (const reference of references) {
    const url = new URL(reference, pageUrl);
    expect(url.origin, `${pageUrl} references ${reference}, which is not on the server itself`).toBe(origin);
    const response = await fetch(url);
    const body = await response.text();
    expect(response.status, `${pageUrl} references ${url.pathname}, which should answer 200`).toBe(200);
    expect(body.length, `${url.pathname} should not be empty`).toBeGreaterThan(0);
    fetched.push(url.pathname);
    if ((response.headers.get('content-type') ?? '').startsWith('text/css')) {
      for (const [, raw] of body.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
        if (raw!.startsWith('data:') || raw!.startsWith('#')) continue;
        const asset = new URL(raw!, url);
        expect(asset.origin, `${url.pathname} (CSS) loads ${raw}, which is not on the server itself`).toBe(origin);
        expect((await fetch(asset)).status, `${url.pathname} (CSS) loads ${asset.pathname}, which should answer 200`).toBe(200);
      }
    }
  }
  return fetched;
}

describe('/docs and /redoc serve their pages and every asset from the server itself', () => {
  const appUrl = useRunningApp();

  test('GET /docs leads to Swagger UI, whose scripts and styles all come from this server', async () => {
    const response = await fetch(`${appUrl()}/docs`);
    const html = await response.text();
    expect(response.status, 'GET /docs (redirects followed) should end in a 200 page').toBe(200);
    expect(response.headers.get('content-type'), 'GET /docs should be HTML').toMatch(/^text\/html/);
    expect(new URL(response.url).pathname, 'GET /docs should end at /docs/ (swagger-ui-express redirects there)').toBe('/docs/');
    const fetched = await checkAssets(response.url, html);
    expect(fetched.some((asset) => asset.endsWith('.js')), `/docs/ should load Swagger UI's scripts; it loads ${show(fetched)}`).toBe(true);
    expect(fetched.some((asset) => asset.endsWith('.css')), `/docs/ should load Swagger UI's CSS; it loads ${show(fetched)}`).toBe(true);
  });

  test('GET /redoc is a ReDoc page that loads redoc\'s own bundle from this server and reads /openapi.json', async () => {
    const base = appUrl();
    const response = await fetch(`${base}/redoc`);
    const html = await response.text();
    expect(response.status, 'GET /redoc').toBe(200);
    expect(response.headers.get('content-type'), 'GET /redoc should be HTML').toMatch(/^text\/html/);
    expect(html, 'GET /redoc must not load Google Fonts').not.toMatch(/fonts\.(googleapis|gstatic)\.com/i);
    const fetched = await checkAssets(response.url, html);

    const bundle = readFileSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].flatMap((tag) => attributeValues(tag[0], 'src'));
    const bodies = await Promise.all(scripts.map(async (src) => (await fetch(new URL(src, response.url))).text()));
    expect(bodies.some((body) => body === bundle), `one script of /redoc should be redoc's bundles/redoc.standalone.js, served as is; /redoc loads ${show(fetched)}`).toBe(true);

    const specUrls = attributeValues(html, 'spec-url');
    expect(specUrls, 'the <redoc spec-url="..."> of /redoc').toHaveLength(1);
    const spec = await call(base, 'get', new URL(specUrls[0]!, response.url).pathname);
    expect(spec.status, `the spec-url ${specUrls[0]} should answer 200`).toBe(200);
    expect(spec.json, `${specUrls[0]} should be the document`).toEqual(JSON.parse(JSON.stringify(buildDocument())));
  });
});

// ---------------------------------------------------------------------------------------------

const mode = browserMode();
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1';

if (mode === 'skip') {
  console.warn(`[05-api-docs] Skipping the browser tests: ${HOW_TO_ENABLE}`);
}

describe.skipIf(mode === 'skip')(`in headless Chromium, with every outside request blocked${mode === 'skip' ? ` (skipped: ${HOW_TO_ENABLE})` : ''}`, () => {
  if (mode === 'fail') {
    test('Chromium is installed (CI must run the browser tests)', () => {
      expect.fail(`CI is set but ${HOW_TO_ENABLE}`);
    });
    return;
  }

  let browser: Browser | undefined;
  // Launched once for the file: starting Chromium is the slow part. The app is started in each
  // test instead, so that a broken createApp fails the tests themselves, one by one.
  beforeAll(async () => {
    browser = await launchChromium();
  }, 45_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The summary the document gives each operation, keyed by "METHOD /path". */
  function summaries(): Map<string, string> {
    const document = buildDocument();
    return new Map(OPERATIONS.map((op) => [label(op), operationOf(document, op.method, op.path)?.summary?.trim() ?? '']));
  }

  /** Serves a new app, opens `url` in a guarded context, runs `look`; returns what it saw and what left. */
  async function visit<T>(url: string, look: (page: import('playwright-core').Page) => Promise<T>, shot: string) {
    const running = await serve(createApp());
    const guarded = await guardedContext(browser!, running.url);
    try {
      const page = await guarded.context.newPage();
      // What the page itself complained about (a script error, a CSP refusal): said when a check fails.
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      const response = await page.goto(running.url + url, { waitUntil: 'domcontentloaded' });
      expect(response?.status(), `GET ${url} in the browser`).toBe(200);
      const seen = await look(page);
      if (SHOTS) await page.screenshot({ path: path.join(LESSON_DIR, shot) });
      return { seen, attempted: [...guarded.attempted], refused: [...guarded.refusedByPolicy], problems: [...problems] };
    } finally {
      await guarded.close();
      await running.close();
    }
  }

  /** The page's own errors, as a sentence to append to a failure message ('' when there were none). */
  const reported = (problems: string[]) =>
    problems.length === 0 ? '' : `. The page reported: ${problems.slice(0, 10).join(' | ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`;

  test('Swagger UI at /docs/ renders every operation with its summary, asking nothing of another server', async () => {
    const { seen, attempted, problems } = await visit('/docs/', async (page) => {
      // Waits for as many operation blocks as there should be; on a timeout the checks below say what is missing.
      await page.locator('.opblock').nth(OPERATIONS.length - 1).waitFor({ timeout: 10_000 }).catch(() => undefined);
      return page.$$eval('.opblock', (blocks) =>
        blocks.map((block) => ({
          method: block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase() ?? '',
          path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
          summary: block.querySelector('.opblock-summary-description')?.textContent?.trim() ?? '',
        })),
      );
    }, 'docs.png');
    const summaryOf = summaries();
    for (const op of OPERATIONS) {
      const block = seen.find((entry) => entry.method === op.method && entry.path === op.path);
      expect(block, `Swagger UI should show ${label(op)}; it shows ${show(seen.map((entry) => `${entry.method} ${entry.path}`))}${reported(problems)}`).toBeDefined();
      expect(block?.summary, `the summary Swagger UI shows for ${label(op)}`).toBe(summaryOf.get(label(op)));
    }
    expect(attempted, '/docs/ tried to reach another server (blocked); every asset must come from this one').toEqual([]);
  });

  test('ReDoc at /redoc renders every operation with its summary, asking nothing of another server', async () => {
    const { seen, attempted, refused, problems } = await visit('/redoc', async (page) => {
      // ReDoc shows each operation's method and path in the right-hand panel (.http-verb + the path).
      await page.locator('.http-verb').nth(OPERATIONS.length - 1).waitFor({ timeout: 10_000 }).catch(() => undefined);
      return {
        endpoints: await page.$$eval('.http-verb', (verbs) =>
          verbs.map((verb) => `${verb.textContent?.trim().toLowerCase()} ${verb.nextElementSibling?.textContent?.trim() ?? ''}`)),
        headings: await page.$$eval('h2', (headings) => headings.map((heading) => heading.textContent?.trim() ?? '')),
      };
    }, 'redoc.png');
    const summaryOf = summaries();
    for (const op of OPERATIONS) {
      expect(seen.endpoints, `ReDoc should show ${label(op)}; it shows ${show(seen.endpoints)}${reported(problems)}`).toContain(`${op.method} ${op.path}`);
      expect(seen.headings, `ReDoc should head ${label(op)} with its summary${reported(problems)}`).toContain(summaryOf.get(label(op)));
    }
    expect(
      attempted,
      '/redoc tried to reach another server (blocked here). ReDoc\'s sidebar loads a logo from cdn.redoc.ly: ' +
        'a Content-Security-Policy on the page (img-src \'self\' data:) stops the browser from asking',
    ).toEqual([]);
    if (refused.length > 0) console.info(`[05-api-docs] /redoc: the page's CSP kept the browser from loading ${refused.join(', ')}`);
  });
});
