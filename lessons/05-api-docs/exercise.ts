/**
 * Lesson 05 — API docs. Welcome! FastAPI hands you /docs and /redoc for free; here you build
 * both from zod schemas, and make them work on a machine with no internet at all.
 *
 * Do the TODOs in order and run `npm test -- 05` (or keep `npm start` open: it reruns on save).
 * The tests are grouped by TODO, so TODO 1's go green before TODO 2 is written.
 * `npm run example -- 05` shows a finished documented API; the README beside this file explains
 * every idea used here, and `npm run hint -- 05` helps when you are stuck.
 *
 * The API itself is given (the parts marked "Given"): lesson 03's todos, shortened.
 *   POST   /process       {"a": 5, "b": 10} → 200 {"result": 15}          (the call the study note makes)
 *   GET    /todos         ?done=true|false (optional) → 200 [Todo, ...]
 *   POST   /todos         TodoInput → 201 Todo
 *   GET    /todos/{id}    → 200 Todo, or 404 {"detail": "..."}
 *   PUT    /todos/{id}    TodoInput → 200 Todo, or 404
 *   DELETE /todos/{id}    → 204 (no body), or 404
 * Input that fails validation answers 422 {"detail": [{loc, msg, type}, ...]}, where loc starts
 * with where the bad value was: ["body", "a"], ["path", "id"], ["query", "done"].
 * Your part: describe it (TODOs 1–3) and serve the description and its two pages (TODOs 4–6).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';

// Given. zod 4 copies its methods onto every schema at the moment the schema is built, so
// `.openapi()` exists only on schemas built AFTER this call (see "Pitfalls" in the README).
extendZodWithOpenApi(z);

// ---------------------------------------------------------------------------------------------
// The schemas. Each one validates requests AND becomes part of the document.
// ---------------------------------------------------------------------------------------------

// Given: the error bodies, already named. `.openapi('Name')` makes a schema a component of the
// document: it appears once under components.schemas, and as a $ref wherever it is used.
export const ErrorDetailSchema = z
  .object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })
  .openapi('ValidationError');
export const HTTPValidationErrorSchema = z.object({ detail: z.array(ErrorDetailSchema) }).openapi('HTTPValidationError');
export const NotFoundSchema = z.object({ detail: z.string() }).openapi('NotFound');

// TODO 1: name the four schemas below as components (any names), then rewrite the two parameter
// schemas as their comments say. Examples (`.openapi({ example: 5 })`) are welcome, not required.

/** POST /process's body: `a` and `b`, both numbers. Name it. */
export const ProcessRequestSchema = z.object({ a: z.number(), b: z.number() });

/** POST /process's answer: `{ result: number }`. Name it. */
export const ProcessResponseSchema = z.object({ result: z.number() });

/** What POST and PUT /todos take: `title` (not empty) and `done` (false when left out). Name it. */
export const TodoInputSchema = z.object({ title: z.string().min(1), done: z.boolean().default(false) });

/** A stored todo, as answered: `id`, `title` and `done`, all three always there. Name it. */
export const TodoSchema = z.object({ id: z.int().positive(), title: z.string(), done: z.boolean() });

/**
 * The path parameters of /todos/{id}. A path value arrives as text ("7"), so this stub refuses
 * every id. Accept digits only, as lesson 03 does, and give the handler a number: a safe integer
 * ≥ 1. So "7" → 7, while " 7", "+7", "0x10", "1e3", "7.0", "0", "-1" and "99999999999999999999"
 * are refused (z.coerce.number() would take the first four).
 * The document must tell the truth about it, in one of two ways:
 * - `{"type": "string", "pattern": "^\\d+$"}`, what zod-to-openapi writes for `.regex(/^\d+$/)`;
 * - or `{"type": "integer", "minimum": 1}`, from `.openapi({ type: 'integer', minimum: 1 })`.
 *   Without `minimum: 1` the document offers 0 and -1 as ids, which the server refuses.
 * The suite checks the documented schema with a validator: both must take 7 ("7"); the string must
 * refuse "abc", " 7", "0x10", "7.5", "-1" and "", the integer 0 and -1.
 */
export const TodoParamsSchema = z.object({ id: z.number() });

/**
 * The query of GET /todos: `done`, optional, exactly "true" or "false", and documented as
 * admitting nothing else. This stub takes any text, and the document says so.
 */
export const TodoQuerySchema = z.object({ done: z.string().optional() });

/** A stored todo, as a type. */
export type Todo = z.infer<typeof TodoSchema>;

/** What buildDocument returns: an OpenAPI 3.1 document as a plain object. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

// ---------------------------------------------------------------------------------------------
// The description.
// ---------------------------------------------------------------------------------------------

/** One operation of the API, in this lesson's small format (todoApi below has all six). */
export interface Operation<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI's spelling, `/todos/{id}`; the Express route `/todos/:id` is made from it. */
  path: string;
  summary: string;
  /** The path parameters, the query and the JSON body the operation reads, if any. */
  params?: P;
  query?: Q;
  body?: B;
  /** Every answer except 422: its description, and the schema of its JSON body (none for a 204). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/**
 * Describes one operation in the registry, as FastAPI's decorator does for a Python function:
 * - its method, its path exactly as given (`{id}`) and its summary;
 * - its params and query, and its body as `application/json`, marked required;
 * - each of its responses: the description, and an `application/json` body of the given schema,
 *   or no content at all when there is no schema (a 204);
 * - and a 422 answer with an HTTPValidationErrorSchema body when the operation reads any input
 *   (params, query or body). FastAPI adds that one by itself; here you do. An operation that
 *   reads nothing cannot fail validation, so it gets no 422.
 * @param registry where the operation is recorded
 * @param op the operation, e.g. `{ method: 'get', path: '/todos/{id}', params, responses: {...} }`
 */
export function registerOperation(registry: OpenAPIRegistry, op: Operation): void {
  // TODO 2: one registry.registerPath({ method, path, summary, request, responses }).
  throw new Error('registerOperation is not written yet');
}

/**
 * The OpenAPI 3.1 document of every operation in the registry.
 * @returns a fresh document: `openapi: "3.1.0"`, and an `info` with a title and a version
 */
export function buildDocument(registry: OpenAPIRegistry): OpenApiDocument {
  // TODO 3: OpenApiGeneratorV31 turns the registry's definitions into the document.
  throw new Error('buildDocument is not written yet');
}

/** The options of redocHtml. */
export interface RedocPage {
  /** The page's <title>. */
  title: string;
  /** Where ReDoc fetches the document, e.g. "/openapi.json". */
  specUrl: string;
  /** Where the page loads ReDoc's script from, e.g. "/redoc/redoc.standalone.js". */
  scriptUrl: string;
}

/**
 * The HTML of the ReDoc page: no CDN, no Google Fonts, and every value put into it escaped
 * (`&`, `<`, `>`, `"` and `'`), so a title like `</title><script>` stays text.
 * @param page the title, the document's URL and the script's URL
 * @returns a whole HTML page with `<redoc spec-url="...">` and one `<script src="...">`
 */
export function redocHtml(page: RedocPage): string {
  // TODO 5: write the page, escaping what you put into it.
  throw new Error('redocHtml is not written yet');
}

// ---------------------------------------------------------------------------------------------
// Given: the API. Lesson 03's todos with lesson 04's error policy. No need to change it.
// ---------------------------------------------------------------------------------------------

type Where = 'path' | 'query' | 'body';
type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** zod's issues → FastAPI's 422 entries; `loc` starts with where the value was. */
function detailOf(error: z.ZodError, where: Where, input: unknown): ErrorDetail[] {
  return error.issues.map((issue) => {
    // JSON has no symbols: a symbol key is written as String(key), e.g. "Symbol(tag)" for
    // Symbol('tag'). Array indices stay numbers.
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    // zod says invalid_type for an absent value; FastAPI says "missing".
    const absent = issue.code === 'invalid_type' && valueAt(input, path) === undefined;
    return { loc: [where, ...path], msg: issue.message, type: absent ? 'missing' : issue.code };
  });
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * The API's router. Each `route()` call documents an operation (your registerOperation) and
 * mounts its handler, which gets the values parsed by the very schemas the document shows: a
 * route cannot exist undocumented, and the docs cannot drift from the validation.
 */
export function todoApi(registry: OpenAPIRegistry): express.Router {
  const router = express.Router();
  // Lesson 04's order: a body that is not JSON is a 415 before parsing; then express.json().
  router.use((req, res, next) => {
    if (req.is('application/json') === false) return void res.status(415).json({ detail: 'Send the body as JSON' });
    next();
  });
  router.use(express.json());

  // P, Q and B are the schemas given for params, query and body; the handler gets their outputs
  // (z.output), so `body.title` is a string in the handlers below, checked by tsc.
  function route<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType>(
    op: Operation<P, Q, B>,
    handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, res: express.Response) => void,
  ): void {
    registerOperation(registry, op);
    router[op.method](op.path.replace(/\{(\w+)\}/g, ':$1'), (req, res) => {
      const detail: ErrorDetail[] = [];
      const parse = (schema: z.ZodType | undefined, value: unknown, where: Where): unknown => {
        if (!schema) return undefined;
        const result = schema.safeParse(value);
        if (!result.success) detail.push(...detailOf(result.error, where, value));
        return result.data;
      };
      const params = parse(op.params, req.params, 'path');
      const query = parse(op.query, req.query, 'query');
      const body = parse(op.body, req.body, 'body');
      if (detail.length > 0) return void res.status(422).json({ detail });
      // safeParse has just proved these are the schemas' outputs; tsc cannot follow that here.
      handler({ params, query, body } as { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, res);
    });
  }

  const todos = new Map<number, Todo>();
  let nextId = 1; // never reused: a deleted todo's id stays gone
  const notFound = { description: 'No todo with this id', schema: NotFoundSchema };
  const missing = (res: express.Response, id: number) => void res.status(404).json({ detail: `Todo ${id} not found` });

  route(
    { method: 'post', path: '/process', summary: 'Add two numbers', body: ProcessRequestSchema,
      responses: { 200: { description: 'The sum', schema: ProcessResponseSchema } } },
    ({ body }, res) => void res.json({ result: body.a + body.b }),
  );
  route(
    { method: 'get', path: '/todos', summary: 'List todos', query: TodoQuerySchema,
      responses: { 200: { description: 'Every todo, oldest first', schema: z.array(TodoSchema) } } },
    ({ query }, res) => {
      const all = [...todos.values()];
      res.json(query.done === undefined ? all : all.filter((todo) => todo.done === (query.done === 'true')));
    },
  );
  route(
    { method: 'post', path: '/todos', summary: 'Create a todo', body: TodoInputSchema,
      responses: { 201: { description: 'The new todo, with its id', schema: TodoSchema } } },
    ({ body }, res) => {
      const todo: Todo = { id: nextId++, ...body };
      todos.set(todo.id, todo);
      res.status(201).json(todo);
    },
  );
  route(
    { method: 'get', path: '/todos/{id}', summary: 'Read one todo', params: TodoParamsSchema,
      responses: { 200: { description: 'The todo', schema: TodoSchema }, 404: notFound } },
    ({ params }, res) => {
      const todo = todos.get(params.id);
      if (todo) res.json(todo);
      else missing(res, params.id);
    },
  );
  route(
    { method: 'put', path: '/todos/{id}', summary: 'Replace a todo', params: TodoParamsSchema, body: TodoInputSchema,
      responses: { 200: { description: 'The todo as stored now', schema: TodoSchema }, 404: notFound } },
    ({ params, body }, res) => {
      if (!todos.has(params.id)) return missing(res, params.id);
      const todo: Todo = { id: params.id, ...body };
      todos.set(todo.id, todo);
      res.json(todo);
    },
  );
  route(
    { method: 'delete', path: '/todos/{id}', summary: 'Delete a todo', params: TodoParamsSchema,
      responses: { 204: { description: 'Deleted' }, 404: notFound } },
    ({ params }, res) => {
      if (todos.delete(params.id)) res.status(204).end();
      else missing(res, params.id);
    },
  );
  return router;
}

/**
 * Given: lesson 04's error policy. Our words only, never the client's body or a parser's message.
 * The status is the error's `status`, or its `statusCode` when it has no `status` (http-errors,
 * behind express.json(), sets both to the same number; lesson 04 speaks of `status`). Only a whole
 * number from 400 to 499 is answered as it is; anything else is our bug: a logged 500.
 */
export const handleErrors: express.ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = (error as { status?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  // Only a whole 4xx number: res.status() throws for 404.5, and anything else is our own bug.
  if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 499) {
    console.error(error);
    return void res.status(500).json({ detail: 'Internal Server Error' });
  }
  const type = (error as { type?: unknown }).type;
  const detail =
    type === 'entity.parse.failed' ? 'The body is not valid JSON'
    : type === 'entity.too.large' ? 'The body is larger than this server accepts'
    : (http.STATUS_CODES[status as number] ?? 'Bad Request');
  res.status(status as number).json({ detail });
};

/**
 * The app: the API above, plus
 *   GET /openapi.json        the document, as JSON                                      (TODO 4)
 *   /docs  (and /docs/)      Swagger UI, its files from node_modules (swagger-ui-dist)   (TODO 4)
 *   GET /redoc               redocHtml(...), and the script it names: the file           (TODO 6)
 *                            `redoc/bundles/redoc.standalone.js`, served by this app
 * Neither page may make the browser contact any other server.
 * @returns a new Express app with its own empty list of todos
 */
export function createApp(): express.Express {
  const app = express();
  const registry = new OpenAPIRegistry();
  app.use(todoApi(registry)); // Given: registers all six operations as it mounts them
  const document = buildDocument(registry);

  // TODO 4: GET /openapi.json answers `document`; Swagger UI at /docs shows it.
  // TODO 6: GET /redoc answers the ReDoc page; the app also serves the script that page loads.

  // Given, and last: a JSON 404 like FastAPI's, then the error policy.
  app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' }));
  app.use(handleErrors);
  return app;
}

// Imported for the TODOs; this line keeps the imports in use until then. You may delete it.
void [createRequire, OpenApiGeneratorV31, swaggerUi, {} as RouteConfig];
