import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import type { Browser } from 'playwright-core';
import swaggerUi from 'swagger-ui-express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import {
  ProcessRequestSchema,
  ProcessResponseSchema,
  TodoInputSchema,
  TodoParamsSchema,
  TodoQuerySchema,
  TodoSchema,
  buildDocument,
  createApp,
  redocHtml,
  registerOperation,
  todoApi,
} from '#exercise/05-api-docs';
import { parseJson, serve, type Running } from './support/http.ts';
import { browserMode, guardedContext, HOW_TO_ENABLE, launchChromium, pageBudget, warmUp } from './support/05-browser.ts';
import { inline, operationOf, requestSchema, responseSchema, validatorFor, type Operation } from './support/05-openapi.ts';

const show = (value: unknown) => (value === undefined ? '(no body)' : JSON.stringify(value));
const LESSON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'lessons', '05-api-docs');

/** The six operations of the given API: method, OpenAPI path, the status of success. */
const OPERATIONS = [
  { method: 'post', path: '/process', success: 200, body: true, pathParams: [], queryParams: [] },
  { method: 'get', path: '/todos', success: 200, body: false, pathParams: [], queryParams: ['done'] },
  { method: 'post', path: '/todos', success: 201, body: true, pathParams: [], queryParams: [] },
  { method: 'get', path: '/todos/{id}', success: 200, body: false, pathParams: ['id'], queryParams: [] },
  { method: 'put', path: '/todos/{id}', success: 200, body: true, pathParams: ['id'], queryParams: [] },
  { method: 'delete', path: '/todos/{id}', success: 204, body: false, pathParams: ['id'], queryParams: [] },
] as const;

const label = (op: { method: string; path: string }) => `${op.method.toUpperCase()} ${op.path}`;

/** The suite's own generator, for the TODOs that come before buildDocument. */
function generate(registry: OpenAPIRegistry): unknown {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 'test', version: '0' } });
}

/** A registry holding the given API's six operations, as todoApi registers them (with your registerOperation). */
function apiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  todoApi(registry);
  return registry;
}

/** A document with one GET /probe/{id} operation reading `request`: how zod-to-openapi shows a schema. */
function probe(request: { params?: z.ZodObject; query?: z.ZodObject; body?: z.ZodType }): { document: unknown; operation: Operation | undefined } {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'post',
    path: '/probe/{id}',
    request: {
      params: request.params ?? z.object({ id: z.string() }),
      query: request.query,
      body: request.body && { content: { 'application/json': { schema: request.body } } },
    },
    responses: { 200: { description: 'ok' } },
  });
  const document = generate(registry);
  return { document, operation: operationOf(document, 'post', '/probe/{id}') };
}

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

const mode = browserMode();
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1';

if (mode === 'skip') {
  console.warn(`[05-api-docs] Skipping the browser tests: ${HOW_TO_ENABLE}`);
}

// ---------------------------------------------------------------------------------------------

describe('TODO 1: schemas that document well', () => {
  test.each([
    ['ProcessRequestSchema', ProcessRequestSchema],
    ['ProcessResponseSchema', ProcessResponseSchema],
    ['TodoInputSchema', TodoInputSchema],
    ['TodoSchema', TodoSchema],
  ] as const)('%s is a named component of the document', (name, schema) => {
    const { operation } = probe({ body: schema as z.ZodType });
    const used = requestSchema(operation);
    expect(
      typeof used?.$ref === 'string' && used.$ref.startsWith('#/components/schemas/'),
      `${name}, used in a document, should appear as a $ref to #/components/schemas/<its name>: give it one with ` +
        `.openapi('SomeName'). The document inlined it as ${show(used)}`,
    ).toBe(true);
  });

  test('TodoParamsSchema turns an id written in digits into a number', () => {
    for (const [text, id] of [['7', 7], ['42', 42], ['9007199254740991', 9007199254740991]] as const) {
      const result = TodoParamsSchema.safeParse({ id: text });
      expect(
        result.data,
        `TodoParamsSchema.safeParse({"id": "${text}"}) → expected {"id": ${id}}: a path value arrives as text, the handler wants a number`,
      ).toEqual({ id });
    }
  });

  test('TodoParamsSchema refuses anything but digits, and 0, and ids past 2^53', () => {
    expect(TodoParamsSchema.safeParse({ id: '7' }).success, 'first of all, TodoParamsSchema should accept {"id": "7"}').toBe(true);
    const loose =
      ' — it was accepted though it is not digits only. z.coerce.number() takes it (Number() reads it as a number), and so does a regex ' +
      'without ^ and $ (/\\d+/ finds digits anywhere in the text): check that the whole text is digits, /^\\d+$/, before making a number';
    const cases: [string, string][] = [
      [' 7', loose], ['7 ', loose], ['+7', loose], ['0x10', loose], ['1e3', loose], ['7.0', loose], ['', loose],
      ['1.5', ''], ['-1', ''], ['abc', ''], ['0', ' — ids start at 1'], ['00', ' — ids start at 1'],
      ['99999999999999999999', ' — past Number.MAX_SAFE_INTEGER a number is no longer exact: z.int() refuses it'],
    ];
    for (const [text, why] of cases) {
      expect(TodoParamsSchema.safeParse({ id: text }).success, `TodoParamsSchema.safeParse({"id": ${show(text)}}) → expected a failure${why}`).toBe(false);
    }
  });

  test('the id is documented as what the server accepts: an integer of at least 1, or a string of digits', () => {
    const { document, operation } = probe({ params: TodoParamsSchema as z.ZodObject });
    const parameter = (operation?.parameters ?? []).find((entry) => entry.name === 'id' && entry.in === 'path');
    expect(parameter?.schema, 'TodoParamsSchema as the params of an operation should document a path parameter "id"').toBeDefined();
    const schema = inline(document, parameter?.schema) as { type?: unknown };
    const check = validatorFor(document, parameter?.schema);
    const two = 'document it as {"type": "integer", "minimum": 1} (.openapi({ type: \'integer\', minimum: 1 })) or as ' +
      '{"type": "string", "pattern": "^\\\\d+$"} (what .regex(/^\\d+$/) gives)';
    if (schema.type === 'integer') {
      const how = `TodoParamsSchema's id is documented as ${show(schema)}: ${two}`;
      for (const id of [1, 7, 42]) expect(check(id), `${how}; as documented it should accept ${id}, as the server does`).toEqual([]);
      for (const id of [0, -1]) {
        expect(
          check(id).length,
          `${how}. As documented it admits ${id}, which the server refuses (422): an integer id needs "minimum": 1 beside "type": "integer"`,
        ).toBeGreaterThan(0);
      }
      return;
    }
    const how = `TodoParamsSchema's id is documented as ${show(schema)}: ${two}`;
    expect(schema.type, how).toBe('string');
    for (const text of ['7', '42']) expect(check(text), `${how}; it should accept ${show(text)}`).toEqual([]);
    for (const text of ['abc', '7.5', '-1', ' 7', '0x10', '']) {
      expect(
        check(text).length,
        `${how}; as documented it should refuse ${show(text)}, as the server does (a pattern without ^ and $ matches digits anywhere in the text)`,
      ).toBeGreaterThan(0);
    }
  });

  test('TodoQuerySchema takes no "done", "true" or "false", and refuses any other text', () => {
    for (const query of [{}, { done: 'true' }, { done: 'false' }]) {
      expect(
        TodoQuerySchema.safeParse(query).data,
        `TodoQuerySchema.safeParse(${show(query)}) → expected ${show(query)}` +
          ('done' in query ? ' (the text is kept: the handler compares it with "true")' : ' ("done" is optional)'),
      ).toEqual(query);
    }
    for (const done of ['maybe', 'TRUE', 'yes', '1', '']) {
      expect(TodoQuerySchema.safeParse({ done }).success, `TodoQuerySchema.safeParse({"done": ${show(done)}}) → expected a failure`).toBe(false);
    }
  });

  test('"done" is documented as optional and as exactly "true" or "false"', () => {
    const { document, operation } = probe({ query: TodoQuerySchema as z.ZodObject });
    const parameter = (operation?.parameters ?? []).find((entry) => entry.name === 'done' && entry.in === 'query');
    expect(parameter?.schema, 'TodoQuerySchema as the query of an operation should document a query parameter "done"').toBeDefined();
    expect(parameter?.required ?? false, 'the query parameter "done" should be documented as optional (.optional())').toBe(false);
    const check = validatorFor(document, parameter?.schema);
    const documented = show(inline(document, parameter?.schema));
    for (const value of ['true', 'false']) {
      expect(
        check(value),
        `the documented schema of ?done= should accept ${show(value)}, as the server does; it is ${documented}` +
          ' (zod-to-openapi 9 documents z.literal([\'true\', \'false\']) by its first value only: z.enum documents both)',
      ).toEqual([]);
    }
    expect(
      check('maybe').length,
      `the documented schema of ?done= should refuse "maybe", as the server does (422); it is ${documented}. ` +
        'A bare {"type": "string"} (what z.string() or z.stringbool() gives) hides which values work: z.enum([\'true\', \'false\']) does not',
    ).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 2: every operation described in the registry', () => {
  test.each(OPERATIONS.map((op) => [label(op), op] as const))('%s: its summary, its input and its responses, 422 included', (_label, op) => {
    const document = generate(apiRegistry());
    const operation = operationOf(document, op.method, op.path);
    const paths = Object.keys((document as { paths?: object }).paths ?? {});
    expect(operation, `paths["${op.path}"].${op.method} should exist (keep the path as given: {id}, not :id); the paths are ${show(paths)}`).toBeDefined();
    const found = operation as Operation;

    expect(typeof found.summary === 'string' && found.summary.trim().length > 0, `${label(op)} needs its summary`).toBe(true);

    if (op.body) {
      expect(requestSchema(found), `${label(op)} needs a requestBody with an application/json schema; it has ${show(found.requestBody)}`).toBeDefined();
      expect(
        found.requestBody?.required,
        `the requestBody of ${label(op)} should say "required": true — the server answers 422 when the body is missing, ` +
          'and OpenAPI reads a requestBody without it as optional',
      ).toBe(true);
    } else {
      expect(found.requestBody, `${label(op)} reads no body, so it should document none`).toBeUndefined();
    }
    const parameters = found.parameters ?? [];
    for (const name of op.pathParams) {
      const parameter = parameters.find((entry) => entry.name === name && entry.in === 'path');
      expect(parameter, `${label(op)} needs the path parameter "${name}"; it has ${show(parameters)}`).toBeDefined();
      expect(parameter?.required, `the path parameter "${name}" of ${label(op)} must be required`).toBe(true);
    }
    for (const name of op.queryParams) {
      const parameter = parameters.find((entry) => entry.name === name && entry.in === 'query');
      expect(parameter, `${label(op)} needs the query parameter "${name}"; it has ${show(parameters)}`).toBeDefined();
    }

    const statuses = Object.keys(found.responses ?? {});
    expect(statuses, `${label(op)} should document its success status ${op.success}`).toContain(String(op.success));
    if (op.success === 204) {
      expect(found.responses?.['204']?.content, `${label(op)}: a 204 has no body, so its response should have no content`).toBeUndefined();
    } else {
      expect(responseSchema(found, op.success), `${label(op)} ${op.success} needs an application/json schema; it is ${show(found.responses?.[String(op.success)])}`).toBeDefined();
    }
    expect(statuses, `${label(op)} reads input, so it should document the 422 answer`).toContain('422');
    expect(responseSchema(found, 422), `the 422 of ${label(op)} needs an application/json schema`).toBeDefined();
    if (op.pathParams.length > 0) {
      expect(statuses, `${label(op)} can miss: the 404 it was given should be documented`).toContain('404');
      expect(responseSchema(found, 404), `the 404 of ${label(op)} needs an application/json schema`).toBeDefined();
    }
  });

  test('any operation: the path as given, every response given, and no 422 when it reads no input', () => {
    const registry = new OpenAPIRegistry();
    const Health = z.object({ ok: z.boolean() });
    const Shelf = z.object({ shelf: z.string(), book: z.string() });
    registerOperation(registry, { method: 'get', path: '/health', summary: 'Is it up?', responses: { 200: { description: 'Up', schema: Health }, 503: { description: 'Down', schema: Health } } });
    registerOperation(registry, { method: 'delete', path: '/shelves/{shelf}/books/{book}', summary: 'Take a book out', params: Shelf, responses: { 204: { description: 'Gone' } } });
    const document = generate(registry);

    const health = operationOf(document, 'get', '/health');
    expect(health?.summary, 'registerOperation(registry, {method: "get", path: "/health", summary: "Is it up?", ...}): the summary').toBe('Is it up?');
    expect(Object.keys(health?.responses ?? {}).sort(), 'GET /health (reads no input) answers 200 or 503: no 422 can happen there').toEqual(['200', '503']);
    const up = validatorFor(document, responseSchema(health, 503));
    expect(up({ ok: false }), 'the 503 of GET /health should be documented with the schema it was given').toEqual([]);
    expect(up({ ok: 'no' }).length, 'the 503 of GET /health should be documented with the schema it was given').toBeGreaterThan(0);

    const take = operationOf(document, 'delete', '/shelves/{shelf}/books/{book}');
    expect(take, 'registerOperation with path "/shelves/{shelf}/books/{book}" should document exactly that path').toBeDefined();
    const names = (take?.parameters ?? []).filter((entry) => entry.in === 'path').map((entry) => entry.name).sort();
    expect(names, 'DELETE /shelves/{shelf}/books/{book}: its path parameters').toEqual(['book', 'shelf']);
    expect(Object.keys(take?.responses ?? {}).sort(), 'DELETE /shelves/{shelf}/books/{book} reads params: 204 and 422').toEqual(['204', '422']);
    expect(take?.responses?.['204']?.content, 'a response given without a schema (204) should have no content').toBeUndefined();
  });

  test('the given API writes a symbol key of a zod path into loc as String(key), e.g. "Symbol(tag)"', async () => {
    // JSON has no symbols, so a request never makes one; a refinement can put one in an issue's
    // path. Here TodoInputSchema (used by POST /todos) is made to report one.
    const tag = Symbol('tag');
    const issue = { code: 'custom', path: ['tags', tag, 0], message: 'bad tag', input: 'x' };
    const parse = vi.spyOn(TodoInputSchema, 'safeParse').mockReturnValue({ success: false, error: new z.ZodError([issue as never]) } as never);
    try {
      const app = express();
      app.use(todoApi(new OpenAPIRegistry()));
      const running = await serve(app);
      try {
        const answer = await call(running.url, 'post', '/todos', { title: 'x' });
        expect(answer.status, 'POST /todos while TodoInputSchema reports an issue at ["tags", Symbol(tag), 0] → expected 422').toBe(422);
        expect(
          locsOf(answer.json),
          'the loc of an issue at ["tags", Symbol(tag), 0]: the given detailOf writes a symbol key as String(key) (restore the given code if you changed it)',
        ).toEqual([['body', 'tags', 'Symbol(tag)', 0]]);
      } finally {
        await running.close();
      }
    } finally {
      parse.mockRestore();
    }
  });

  // Docs that accept anything cannot lie, but they say nothing either: each status must be
  // documented with the schema given for it.
  test.each([
    ['post', '/process', 200, { result: 15 }, [{ result: '15' }, {}, { answer: 15 }]],
    ['post', '/todos', 201, { id: 1, title: 'Milk', done: false }, [{ title: 'Milk', done: false }, { id: 1, title: 'Milk', done: 'no' }, { id: '1', title: 'Milk', done: false }, { id: 1.5, title: 'Milk', done: false }, { id: 0, title: 'Milk', done: false }]],
    ['get', '/todos', 200, [{ id: 1, title: 'Milk', done: true }], [[{}], { id: 1 }, [{ id: 1, title: 'Milk' }]]],
    ['post', '/process', 422, { detail: [{ loc: ['body', 'a'], msg: 'bad', type: 'missing' }, { loc: ['body', 'tags', 0], msg: 'bad', type: 'invalid_type' }] }, [{}, { detail: 'bad' }, { detail: [{ msg: 'bad' }] }, { detail: [{ loc: 'body', msg: 'bad', type: 'x' }] }]],
    ['get', '/todos/{id}', 404, { detail: 'Todo 7 not found' }, [{}, { detail: 7 }]],
  ] as const)('the schema documented for %s %s %i tells right from wrong', (method, url, status, right, wrongs) => {
    const document = generate(apiRegistry());
    const schema = responseSchema(operationOf(document, method, url), status);
    expect(schema, `${method.toUpperCase()} ${url} should declare an application/json schema for ${status}`).toBeDefined();
    const check = validatorFor(document, schema);
    expect(check(right), `the documented ${status} schema of ${method.toUpperCase()} ${url} should accept ${show(right)}`).toEqual([]);
    for (const wrong of wrongs) {
      expect(check(wrong).length, `the documented ${status} schema of ${method.toUpperCase()} ${url} should reject ${show(wrong)}`).toBeGreaterThan(0);
    }
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
    ifStatus: { 404: 'an id is digits only; 1.5 is not an id, so it is a 422, not a missing todo' } },
  { name: 'an id of 0', method: 'get', template: '/todos/{id}', url: '/todos/0', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos/0: the detail should point at path.id').toContainEqual(['path', 'id']),
    ifStatus: { 404: 'ids start at 1; 0 is not an id, so it is a 422, not a missing todo' } },
  { name: 'an id in hexadecimal', method: 'get', template: '/todos/{id}', url: '/todos/0x1', status: 422,
    check: (json) => expect(locsOf(json), 'GET /todos/0x1: the detail should point at path.id').toContainEqual(['path', 'id']),
    ifStatus: { 404: '"0x1" is not digits only, yet it was taken as the id 1 (Number("0x1") is 1, and so is z.coerce.number() of it; /\\d+/ without ^ and $ lets it through): accept text that is digits from start to end, /^\\d+$/, so this is a 422' } },
  { name: 'a replacement', method: 'put', template: '/todos/{id}', url: '/todos/{seed}', body: { title: 'Renamed', done: true }, status: 200,
    check: (json) => expect(json, 'PUT /todos/{seed} {"title": "Renamed", "done": true}').toMatchObject({ title: 'Renamed', done: true }) },
  { name: 'a replacement with a bad body', method: 'put', template: '/todos/{id}', url: '/todos/{seed}', body: { done: 'yes' }, status: 422 },
  { name: 'a replacement of a missing todo', method: 'put', template: '/todos/{id}', url: '/todos/{missing}', body: { title: 'x' }, status: 404 },
  { name: 'a deletion', method: 'delete', template: '/todos/{id}', url: '/todos/{seed}', status: 204 },
  { name: 'a deletion of a missing todo', method: 'delete', template: '/todos/{id}', url: '/todos/{missing}', status: 404 },
  { name: 'a deletion with a negative id', method: 'delete', template: '/todos/{id}', url: '/todos/-3', status: 422 },
];

// ---------------------------------------------------------------------------------------------

describe('TODO 3: the document', () => {
  test('is a valid OpenAPI 3.1 document, as a real validator library sees it', async () => {
    const document = buildDocument(apiRegistry());
    expect((document as { openapi?: string }).openapi, 'the "openapi" field of buildDocument(registry)').toMatch(/^3\.1\.\d+$/);
    const result = await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? [], '@seriousme/openapi-schema-validator should find no errors in buildDocument(registry)').toEqual([]);
    expect(result.valid, 'the validator\'s verdict on buildDocument(registry)').toBe(true);
  });

  test('has an info with a title and a version', () => {
    const info = (buildDocument(apiRegistry()) as { info?: { title?: unknown; version?: unknown } }).info;
    expect(typeof info?.title === 'string' && info.title.trim() !== '', `buildDocument(registry).info.title should be a non-empty string; info is ${show(info)}`).toBe(true);
    expect(typeof info?.version === 'string' && info.version.trim() !== '', `buildDocument(registry).info.version should be a non-empty string; info is ${show(info)}`).toBe(true);
  });

  test('describes the registry it is given, and nothing else, every time', () => {
    const registry = new OpenAPIRegistry();
    registerOperation(registry, { method: 'get', path: '/health', summary: 'Is it up?', responses: { 200: { description: 'Up' } } });
    const first = buildDocument(registry);
    const paths = Object.keys((first as { paths?: object }).paths ?? {});
    expect(paths, 'buildDocument(a registry holding only GET /health): its paths').toEqual(['/health']);
    expect(buildDocument(registry), 'buildDocument(registry) called twice should give equal documents').toEqual(first);
    expect(Object.keys((buildDocument(apiRegistry()) as { paths?: object }).paths ?? {}).sort(), 'buildDocument(the API\'s registry): its paths').toEqual(['/process', '/todos', '/todos/{id}']);
  });

  describe('one source of truth: the documented request body is the schema that validates it', () => {
    const appUrl = useRunningApp();

    const processSamples = [{ a: 5, b: 10 }, { a: -1.5, b: 2 }, { a: '5', b: 10 }, { a: 5 }, {}, { a: 5, b: null }, [], { a: 1, b: 2, c: 3 }];
    const todoSamples = [{ title: 'Buy milk' }, { title: 'Buy milk', done: true }, { title: '' }, { title: 5 }, {}, { title: 'x', done: 'yes' }, [], { title: 'x', owner: 'me' }];

    test.each([
      ['post', '/process', '/process', processSamples],
      ['post', '/todos', '/todos', todoSamples],
      ['put', '/todos/{id}', '/todos/1', todoSamples],
    ] as const)('%s %s: the documented schema and the server agree on every sample', async (method, template, url, samples) => {
      const base = appUrl();
      const document = buildDocument(apiRegistry());
      const documented = requestSchema(operationOf(document, method, template));
      expect(documented, `${method.toUpperCase()} ${template} should document an application/json request body`).toBeDefined();
      const docCheck = validatorFor(document, documented);
      for (const sample of samples) {
        if (method === 'put') await call(base, 'post', '/todos', { title: 'Seed' });
        const docOk = docCheck(sample).length === 0;
        const answer = await call(base, method, url, sample);
        const serverOk = answer.status >= 200 && answer.status < 300;
        expect(
          docOk,
          `${method.toUpperCase()} ${url} ${show(sample)} answered ${answer.status}, but the documented request schema ${docOk ? 'accepts' : 'refuses'} it: ` +
            `document the body with the very schema the route validates with (op.body)`,
        ).toBe(serverOk);
      }
    });
  });

  describe('contract: real answers match the schemas the document declares for them', () => {
    const appUrl = useRunningApp();

    test.each(CONTRACT.map((testCase) => [`${testCase.method.toUpperCase()} ${testCase.url} (${testCase.name}) → ${testCase.status}`, testCase] as const))('%s, as documented', async (_label, testCase) => {
      const base = appUrl();
      const document = buildDocument(apiRegistry());
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

/** A page (redirects followed) and every script it loads from its own server, as text. */
async function docsTexts(pageUrl: string): Promise<string[]> {
  const response = await fetch(pageUrl);
  const html = await response.text();
  expect(response.status, `GET ${new URL(pageUrl).pathname} should answer 200`).toBe(200);
  const origin = new URL(response.url).origin;
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)]
    .flatMap((tag) => attributeValues(tag[0], 'src'))
    .map((src) => new URL(src, response.url))
    .filter((url) => url.origin === origin);
  return [html, ...(await Promise.all(scripts.map(async (url) => (await fetch(url)).text())))];
}

// ---------------------------------------------------------------------------------------------

describe('TODO 4: /openapi.json and Swagger UI at /docs', () => {
  const appUrl = useRunningApp();

  test('GET /openapi.json serves the document buildDocument() builds, as JSON', async () => {
    const answer = await call(appUrl(), 'get', '/openapi.json');
    expect(answer.status, 'GET /openapi.json should answer 200 with the document').toBe(200);
    expect(answer.json, 'GET /openapi.json compared with buildDocument(the API\'s registry)').toEqual(JSON.parse(JSON.stringify(buildDocument(apiRegistry()))));
    expect(answer.contentType, 'the content-type of GET /openapi.json: a JSON document (res.json(...)), not text/html').toMatch(/^application\/([\w.+-]+\+)?json/);
  });

  test('GET /docs leads to Swagger UI, whose scripts and styles all come from this server', async () => {
    const response = await fetch(`${appUrl()}/docs`);
    const html = await response.text();
    expect(response.status, 'GET /docs (redirects followed) should end in a 200 page').toBe(200);
    expect(response.headers.get('content-type'), 'GET /docs should be HTML').toMatch(/^text\/html/);
    expect(new URL(response.url).pathname, 'GET /docs should end at /docs/ (swagger-ui-express redirects there)').toBe('/docs/');
    expect(html, 'GET /docs/ should be Swagger UI\'s page').toMatch(/swagger-ui/i);
    const fetched = await checkAssets(response.url, html);
    expect(fetched.some((asset) => asset.endsWith('.js')), `/docs/ should load Swagger UI's scripts; it loads ${show(fetched)}`).toBe(true);
    expect(fetched.some((asset) => asset.endsWith('.css')), `/docs/ should load Swagger UI's CSS; it loads ${show(fetched)}`).toBe(true);
  });

  test('keeps showing its own document when another Swagger UI is set up later in the same process', async () => {
    const base = appUrl(); // createApp() has run: its Swagger UI is set up
    // Another part of the same process (a second app, an admin API...) then sets up a Swagger UI of
    // its own, for a document with a path no other document has.
    const marker = '/someone-elses-api/wb05-marker';
    const theirs = {
      openapi: '3.1.0',
      info: { title: "Someone else's API", version: '1.0.0' },
      paths: { [marker]: { get: { summary: 'Not yours', responses: { '200': { description: 'OK' } } } } },
    };
    const other = express();
    other.use('/docs', swaggerUi.serveFiles(theirs), swaggerUi.setup(theirs));
    const running = await serve(other);
    try {
      const mine = await docsTexts(`${base}/docs/`);
      const them = await docsTexts(`${running.url}/docs/`);
      expect(them.some((text) => text.includes(marker)), 'the other app\'s Swagger UI should show its own document (a check of the test itself)').toBe(true);
      const leaked = mine.filter((text) => text.includes(marker)).length;
      expect(
        leaked,
        `after another Swagger UI was set up in the same process, GET /docs/ of createApp()'s app shows THAT app's document (its path ${marker}). ` +
          'swaggerUi.serve (and serveWithOptions) share one init script per process, and every swaggerUi.setup() replaces it: ' +
          'serve the files with swaggerUi.serveFiles(document, options), which ties them to this document',
      ).toBe(0);
      expect(
        mine.some((text) => text.includes('/todos/{id}') || text.includes('openapi.json')),
        "GET /docs/ (the page and its scripts) should carry this app's document (its path /todos/{id}) or the URL it loads it from (/openapi.json)",
      ).toBe(true);
    } finally {
      await running.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('TODO 5: redocHtml, the ReDoc page, escaped and self-contained', () => {
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
    expect(attributeValues(html, 'onerror'), `redocHtml({specUrl: ${show(specUrl)}}) let an onerror attribute out of spec-url`).toEqual([]);
  });

  test.each([
    ['title', (html: string) => [/<title>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? ''].map(decodeHtml)],
    ['specUrl', (html: string) => attributeValues(html, 'spec-url')],
    ['scriptUrl', (html: string) => [...html.matchAll(/<script\b[^>]*>/gi)].flatMap((tag) => attributeValues(tag[0], 'src'))],
  ] as const)('escapes each of & < > " \' in %s, and the value reads back the same', (field, readBack) => {
    const entities: [string, string, string][] = [
      ['&', '&amp;', 'it starts an entity'],
      ['<', '&lt;', 'it starts a tag'],
      ['>', '&gt;', 'it ends a tag'],
      ['"', '&quot;', 'it ends a double-quoted attribute'],
      ["'", '&#39;', 'it ends a single-quoted attribute, wherever the page puts one'],
    ];
    for (const [char, entity, why] of entities) {
      const value = `/wb05${char}x`;
      const html = redocHtml({ ...page, [field]: value });
      expect(
        html,
        `redocHtml({${field}: ${show(value)}}) put ${char} into the page as it is: every value goes in with all five characters escaped, ` +
          `${char} as ${entity} (${why})`,
      ).not.toContain(value);
      expect(readBack(html), `redocHtml({${field}: ${show(value)}}): the ${field} read back from the page`).toEqual([value]);
    }
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

/** The sources a Content-Security-Policy allows for images (img-src, or default-src without it). */
function imageSources(policy: string): string[] | undefined {
  const directives = new Map(
    policy.split(';').map((part) => part.trim().split(/\s+/)).filter((words) => words[0]).map((words) => [words[0]!.toLowerCase(), words.slice(1)]),
  );
  return directives.get('img-src') ?? directives.get('default-src');
}

/** What ReDoc needs from the page's Content-Security-Policy, as the README gives it. */
const REDOC_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:";

/** One thing a page's Content-Security-Policy refused, from Chromium's csp-violation report. */
interface Refusal {
  /** The directive that refused it: "img-src", "worker-src"... */
  directive: string;
  /** What was refused: a URL, or "data", "blob", "inline", "eval" for what has none. */
  blocked: string;
}

/** Whether a refused thing came from another server (what the policy is there to stop), not the test server on 127.0.0.1. */
const fromAnotherServer = (blocked: string) => /^https?:/i.test(blocked) && new URL(blocked).hostname !== '127.0.0.1';

/** A refusal of ReDoc's own, and what it breaks. */
function describeRefusal({ directive, blocked }: Refusal): string {
  const what = /^https?:/i.test(blocked) ? new URL(blocked).pathname : show(blocked);
  if (blocked === 'blob') return `${directive} refused a blob: worker (ReDoc's search runs in one: without it, search finds nothing; allow worker-src 'self' blob:)`;
  if (blocked === 'data') return `${directive} refused a data: image (ReDoc draws icons so; allow img-src 'self' data:)`;
  if (blocked === 'inline' && directive.startsWith('style-src')) return `${directive} refused inline styles (ReDoc injects its CSS so; allow style-src 'self' 'unsafe-inline')`;
  if (blocked === 'inline' && directive.startsWith('script-src')) return `${directive} refused an inline script (load ReDoc with <redoc spec-url> and one <script src>, which the policy allows)`;
  return `${directive} refused ${what}`;
}

describe('TODO 6: ReDoc at /redoc, offline, and both pages in a real browser', () => {
  describe('without a browser', () => {
    const appUrl = useRunningApp();

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
      expect(spec.json, `${specUrls[0]} should be the document`).toEqual(JSON.parse(JSON.stringify(buildDocument(apiRegistry()))));
    });

    test('GET /redoc comes with a Content-Security-Policy that keeps images to this server', async () => {
      const response = await fetch(`${appUrl()}/redoc`);
      const html = await response.text();
      const inMeta = [...html.matchAll(/<meta\b[^>]*>/gi)]
        .filter((tag) => attributeValues(tag[0], 'http-equiv').some((value) => value.toLowerCase() === 'content-security-policy'))
        .flatMap((tag) => attributeValues(tag[0], 'content'));
      const policies = [response.headers.get('content-security-policy'), ...inMeta].filter((policy): policy is string => !!policy);
      const why = 'ReDoc\'s sidebar always loads a Redocly logo from cdn.redoc.ly; only a Content-Security-Policy on the page ' +
        '(a response header, e.g. "default-src \'self\'; img-src \'self\' data:; ...") stops the browser from asking';
      expect(policies, `GET /redoc sent no Content-Security-Policy. ${why}`).not.toEqual([]);
      const allowed = policies.map(imageSources);
      const strict = allowed.some((sources) => sources !== undefined && sources.every((source) => ["'self'", "'none'", 'data:', 'blob:'].includes(source.toLowerCase())));
      expect(strict, `the Content-Security-Policy of GET /redoc (${show(policies)}) still lets images come from elsewhere. ${why}`).toBe(true);
    });
  });

  describe.skipIf(mode === 'skip')(`in headless Chromium, with every outside request blocked${mode === 'skip' ? ` (skipped: ${HOW_TO_ENABLE})` : ''}`, () => {
    if (mode === 'fail') {
      test('Chromium is installed (CI must run the browser tests)', () => {
        expect.fail(`CI is set but ${HOW_TO_ENABLE}`);
      });
      return;
    }

    let browser: Browser | undefined;
    /** How long the warm-up page took here (ms): the machine's pace, which the limits follow. */
    let warmUpMs: number | undefined;
    // Launched once for the file: starting Chromium is the slow part. The app is started in each
    // test instead, so that a broken createApp fails the tests themselves, one by one; when it
    // cannot even be made (a stub's), no visit reaches the browser, and the run does not wait for
    // one. The warm-up page (the suite's own) takes the first page's extra cost out of the first test.
    beforeAll(async () => {
      try {
        createApp();
      } catch {
        return;
      }
      browser = await launchChromium();
      warmUpMs = await warmUp(browser);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });
    /** vitest's own limit for a browser test: only a backstop, above the largest budget; the visit's limits fire first, with a message. */
    const BROWSER_TEST_MS = 75_000;

    /** The summary the document gives each operation, keyed by "METHOD /path". */
    function summaries(): Map<string, string> {
      const document = buildDocument(apiRegistry());
      return new Map(OPERATIONS.map((op) => [label(op), operationOf(document, op.method, op.path)?.summary?.trim() ?? '']));
    }

    /**
     * Serves a new app, opens `url` in a guarded context and waits for its 'load' event (the page,
     * its scripts and styles), then runs `look` with the time left for the page's own scripts to
     * render; returns what it saw and what left. Limits follow the warm-up's pace (pageBudget).
     */
    async function visit<T>(url: string, look: (page: import('playwright-core').Page, renderMs: number) => Promise<T>, shot: string) {
      const budget = pageBudget(warmUpMs);
      const started = performance.now();
      const left = () => Math.max(1, budget.totalMs - (performance.now() - started));
      const pace = warmUpMs === undefined ? '' : ` (a blank page took ${Math.round(warmUpMs)} ms in this browser just before)`;
      const running = await serve(createApp());
      const guarded = await guardedContext(browser!, running.url);
      try {
        guarded.context.setDefaultTimeout(budget.totalMs);
        const page = await guarded.context.newPage();
        // What the page itself complained about (a script error, a CSP refusal): said when a check fails.
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
        });
        let response: Awaited<ReturnType<typeof page.goto>>;
        try {
          response = await page.goto(running.url + url, { waitUntil: 'load', timeout: left() });
        } catch (error) {
          return expect.fail(
            `GET ${url} in the browser did not finish loading (the page with its scripts and styles) within ${budget.totalMs / 1000} s${pace}: ` +
              `${error instanceof Error ? error.message.split('\n')[0] : String(error)}${reported(problems)}`,
          );
        }
        expect(response?.status(), `GET ${url} in the browser`).toBe(200);
        const seen = await look(page, Math.min(left(), budget.renderMs));
        if (SHOTS) await page.screenshot({ path: path.join(LESSON_DIR, shot), timeout: left() });
        return { seen, attempted: [...guarded.attempted], refused: [...guarded.refusedByPolicy], problems: [...problems] };
      } finally {
        await guarded.close();
        await running.close();
      }
    }

    /** The page's own errors, as a sentence to append to a failure message ('' when there were none). */
    const reported = (problems: string[]) =>
      problems.length === 0 ? '' : `. The page reported: ${problems.slice(0, 10).join(' | ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`;

    /**
     * A page is visited once for all the tests that read it: a visit costs seconds (Chromium parses
     * Swagger UI's or ReDoc's bundle of a megabyte and more), the tests ask different questions of
     * the same page. A test run alone (-t) makes the visit itself.
     */
    function once<T>(make: () => Promise<T>): () => Promise<T> {
      let made: Promise<T> | undefined;
      return () => (made ??= make());
    }

    type RunningSwaggerUi = { ui?: { getConfigs?: () => { validatorUrl?: unknown } } };
    const swaggerUiVisit = once(() =>
      visit('/docs/', async (page, renderMs) => {
        // By 'load', Swagger UI has rendered a document given inline (its init runs on window.onload);
        // one loaded by URL needs a fetch more. Waits for as many operation blocks as there should
        // be; on a timeout the checks say what is missing.
        await page.locator('.opblock').nth(OPERATIONS.length - 1).waitFor({ timeout: renderMs }).catch(() => undefined);
        const blocks = await page.$$eval('.opblock', (found) =>
          found.map((block) => ({
            method: block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase() ?? '',
            path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
            summary: block.querySelector('.opblock-summary-description')?.textContent?.trim() ?? '',
          })),
        );
        await page
          .waitForFunction(() => typeof (globalThis as unknown as RunningSwaggerUi).ui?.getConfigs === 'function', undefined, { timeout: renderMs })
          .catch(() => undefined);
        const settings = await page.evaluate(() => {
          const ui = (globalThis as unknown as RunningSwaggerUi).ui;
          if (typeof ui?.getConfigs !== 'function') return { running: false, validatorUrl: undefined };
          return { running: true, validatorUrl: ui.getConfigs().validatorUrl };
        });
        return { blocks, ...settings };
      }, 'docs.png'),
    );

    test('Swagger UI at /docs/ renders every operation with its summary, asking nothing of another server', async () => {
      const {
        seen: { blocks: seen },
        attempted,
        problems,
      } = await swaggerUiVisit();
      const summaryOf = summaries();
      for (const op of OPERATIONS) {
        const block = seen.find((entry) => entry.method === op.method && entry.path === op.path);
        expect(block, `Swagger UI should show ${label(op)}; it shows ${show(seen.map((entry) => `${entry.method} ${entry.path}`))}${reported(problems)}`).toBeDefined();
        expect(block?.summary, `the summary Swagger UI shows for ${label(op)}`).toBe(summaryOf.get(label(op)));
      }
      expect(attempted, '/docs/ tried to reach another server (blocked); every asset must come from this one').toEqual([]);
    }, BROWSER_TEST_MS);

    test('Swagger UI at /docs/ runs with its validator badge off (validatorUrl: null)', async () => {
      // The badge would send the document's URL to validator.swagger.io, but Swagger UI itself skips
      // it on a page at localhost or 127.0.0.1, where this test runs: there is no request to catch.
      // So the test asks the running Swagger UI (swagger-ui-express keeps it as window.ui) for the
      // setting it obeys elsewhere.
      const { seen, problems } = await swaggerUiVisit();
      expect(seen.running, `/docs/ has no running Swagger UI (window.ui, which swagger-ui-express's init script sets)${reported(problems)}`).toBe(true);
      // Swagger UI's documented ways to say "no validator": null, or the word "none".
      const off = seen.validatorUrl === null || seen.validatorUrl === 'none';
      expect(
        off,
        `Swagger UI at /docs/ runs with validatorUrl ${seen.validatorUrl === undefined ? 'unset (so https://validator.swagger.io/validator)' : show(seen.validatorUrl)}: ` +
          'on any address but localhost, a document loaded by URL would be sent to that validator on every visit. ' +
          'Give swaggerUi.serveFiles(document, options) and swaggerUi.setup(document, options) the same options, with swaggerOptions: { validatorUrl: null }',
      ).toBe(true);
    }, BROWSER_TEST_MS);

    const redocVisit = once(() =>
      visit('/redoc', async (page, renderMs) => {
        // ReDoc fetches the document after 'load' and renders it (about half a second later, measured).
        // It shows each operation's method and path in the right-hand panel (.http-verb + the path).
        await page.locator('.http-verb').nth(OPERATIONS.length - 1).waitFor({ timeout: renderMs }).catch(() => undefined);
        return {
          endpoints: await page.$$eval('.http-verb', (verbs) =>
            verbs.map((verb) => `${verb.textContent?.trim().toLowerCase()} ${verb.nextElementSibling?.textContent?.trim() ?? ''}`)),
          headings: await page.$$eval('h2', (headings) => headings.map((heading) => heading.textContent?.trim() ?? '')),
          rendered: await page.locator('.http-verb').count(),
          // Chromium files a csp-violation report for every refusal; a buffered ReportingObserver
          // reads the ones made before it was created, so the page is visited as it is.
          refusals: await page.evaluate(
            () =>
              new Promise<Refusal[] | undefined>((resolve) => {
                type Report = { body?: { effectiveDirective?: string; blockedURL?: string } };
                type Observer = { observe(): void; takeRecords(): Report[]; disconnect(): void };
                const ReportingObserver = (globalThis as unknown as { ReportingObserver?: new (callback: (reports: Report[]) => void, options: object) => Observer })
                  .ReportingObserver;
                if (!ReportingObserver) return resolve(undefined);
                const reports: Report[] = [];
                const observer = new ReportingObserver((delivered) => void reports.push(...delivered), { types: ['csp-violation'], buffered: true });
                observer.observe();
                // The buffered reports come in a task of their own; takeRecords() gathers any still queued.
                setTimeout(() => {
                  reports.push(...observer.takeRecords());
                  observer.disconnect();
                  resolve(reports.map((report) => ({ directive: report.body?.effectiveDirective ?? '', blocked: report.body?.blockedURL ?? '' })));
                }, 100);
              }),
          ),
        };
      }, 'redoc.png'),
    );

    test('ReDoc at /redoc renders every operation with its summary, asking nothing of another server', async () => {
      const { seen, attempted, refused, problems } = await redocVisit();
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
    }, BROWSER_TEST_MS);

    test("ReDoc at /redoc works under its Content-Security-Policy: nothing of the page's own is refused", async () => {
      // The policy must refuse other servers (the Redocly logo) and nothing ReDoc itself needs: its
      // search runs in a blob: worker, its icons are data: images, its CSS is injected inline.
      const {
        seen: { rendered, refusals },
        problems,
      } = await redocVisit();
      if (refusals === undefined) throw new Error('this Chromium has no ReportingObserver, which the test reads the refusals from');
      const own = refusals.filter((refusal) => !fromAnotherServer(refusal.blocked));
      expect(
        own.map(describeRefusal),
        `the Content-Security-Policy of /redoc refused what ReDoc itself needs (listed below), so part of the page is broken; the policy ReDoc needs is ${REDOC_POLICY}`,
      ).toEqual([]);
      expect(rendered, `ReDoc at /redoc should render the ${OPERATIONS.length} operations, or no refusal could show${reported(problems)}`).toBeGreaterThanOrEqual(OPERATIONS.length);
    }, BROWSER_TEST_MS);
  });
});
