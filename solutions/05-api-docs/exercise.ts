/**
 * Lesson 05 — API docs: the annotated solution.
 * The parts marked "Given" are the same as in the exercise; the comments on the TODOs say why
 * each piece is written the way it is.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';

// Given. zod 4 copies its methods onto every schema at the moment the schema is built, so
// `.openapi()` exists only on schemas built AFTER this call. In a bigger app this line lives in a
// tiny setup module that every schema file imports first.
extendZodWithOpenApi(z);

// ---------------------------------------------------------------------------------------------
// The schemas. Each one validates requests AND becomes part of the document.
// ---------------------------------------------------------------------------------------------

// Given: the error bodies, named after FastAPI's own components so the docs read the same.
export const ErrorDetailSchema = z
  .object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })
  .openapi('ValidationError');
export const HTTPValidationErrorSchema = z.object({ detail: z.array(ErrorDetailSchema) }).openapi('HTTPValidationError');
export const NotFoundSchema = z.object({ detail: z.string() }).openapi('NotFound');

// TODO 1. `.openapi('Name')` turns a schema into a component: the document shows "Todo" once
// under components.schemas and a $ref wherever it is used, instead of the same object inlined
// under every operation. The examples are optional: Swagger UI's "Try it out" starts from them.
export const ProcessRequestSchema = z
  .object({ a: z.number().openapi({ example: 5 }), b: z.number().openapi({ example: 10 }) })
  .openapi('ProcessRequest');

export const ProcessResponseSchema = z.object({ result: z.number().openapi({ example: 15 }) }).openapi('ProcessResponse');

// The default makes `done` optional in the request, and the document says exactly that.
export const TodoInputSchema = z
  .object({ title: z.string().min(1).openapi({ example: 'Write the docs' }), done: z.boolean().default(false) })
  .openapi('TodoInput');

// A separate output schema: in an answer `done` is always there, and the document says so
// (`required`), which the input's default would hide.
export const TodoSchema = z.object({ id: z.int().positive(), title: z.string(), done: z.boolean() }).openapi('Todo');

// Digits only, then a number: the same rule as lesson 03. z.coerce.number() would be shorter
// and documented as an integer, but it accepts " 7", "+7", "0x10" (16) and "1e3" (1000) too.
// The regex is what zod-to-openapi documents ({"type": "string", "pattern": "^\\d+$"}): true
// to what the server accepts. z.int() after it refuses 0 and numbers past 2^53 ("99999999999999999999").
export const TodoParamsSchema = z.object({
  id: z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.int().positive())
    .openapi({ description: 'The todo id, in digits', example: '1' }),
});

// A query value is text too. An enum of the two spellings is documented as exactly those two,
// where z.coerce.boolean() would turn "false" into true and z.stringbool() (right at run time)
// would be documented as any string.
export const TodoQuerySchema = z.object({
  done: z.enum(['true', 'false']).optional().openapi({ description: 'Only todos that are (not) done' }),
});

/** A stored todo, as a type. */
export type Todo = z.infer<typeof TodoSchema>;

/** What buildDocument returns: an OpenAPI 3.1 document as a plain object. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

// ---------------------------------------------------------------------------------------------
// TODO 2: one operation described in the registry.
// ---------------------------------------------------------------------------------------------

/** One operation of the API, in this lesson's small format. */
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

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

export function registerOperation(registry: OpenAPIRegistry, op: Operation): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, { description, schema }] of Object.entries(op.responses)) {
    // No schema, no `content`: a 204 has no body, and the document says exactly that.
    responses[status] = schema ? { description, content: json(schema) } : { description };
  }
  // FastAPI adds this answer by itself; zod-to-openapi documents only what it is told. Without it
  // the docs would hide the most common error of every operation that reads input.
  if (op.params || op.query || op.body) {
    responses[422] = { description: 'Validation error', content: json(HTTPValidationErrorSchema) };
  }
  registry.registerPath({
    method: op.method,
    path: op.path,
    summary: op.summary,
    request: {
      params: op.params,
      query: op.query,
      // Without `required: true`, OpenAPI reads a request body as optional.
      body: op.body && { required: true, content: json(op.body) },
    },
    responses,
  });
}

// ---------------------------------------------------------------------------------------------
// TODO 3: the document.
// ---------------------------------------------------------------------------------------------

export function buildDocument(registry: OpenAPIRegistry): OpenApiDocument {
  // V31 writes JSON Schema 2020-12 (the dialect of OpenAPI 3.1), so a 2020-12 validator can check
  // a real answer against it; the suite's contract tests do exactly that.
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Lesson 05 — Todo API',
      version: '1.0.0',
      description: 'Documented from the same zod schemas that validate its requests.',
    },
  });
}

// ---------------------------------------------------------------------------------------------
// TODO 5: the ReDoc page, with nothing from a CDN and every interpolated value escaped.
// ---------------------------------------------------------------------------------------------

/** The options of redocHtml. */
export interface RedocPage {
  /** The page's <title>. */
  title: string;
  /** Where ReDoc fetches the document, e.g. "/openapi.json". */
  specUrl: string;
  /** Where the page loads ReDoc's script from, e.g. "/redoc/redoc.standalone.js". */
  scriptUrl: string;
}

/** Escapes text for HTML content and for double- or single-quoted attribute values. */
function escapeHtml(text: string): string {
  // `&` first, or the `&` of every entity made afterwards would be escaped again.
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function redocHtml({ title, specUrl, scriptUrl }: RedocPage): string {
  // No <link> to Google Fonts (redoc-express adds one): the theme asks for fonts the machine
  // already has, so the page looks right offline and tells no third party who opened it.
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="${escapeHtml(specUrl)}"
         theme='{"typography":{"fontFamily":"system-ui, sans-serif","headings":{"fontFamily":"system-ui, sans-serif"},"code":{"fontFamily":"ui-monospace, monospace"}}}'></redoc>
  <script src="${escapeHtml(scriptUrl)}"></script>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Given: the API. Lesson 03's todos, shortened, with lesson 04's error policy.
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
 * The API's router. Each `route()` call documents an operation (registerOperation) and mounts its
 * handler, which gets the values parsed by the very schemas the document shows: a route cannot
 * exist undocumented, and the docs cannot drift from the validation.
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
  // (z.output), so `body.title` is a string in the handler below, checked by tsc.
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

// ---------------------------------------------------------------------------------------------
// TODOs 4 and 6: the app serves the document and both pages.
// ---------------------------------------------------------------------------------------------

// Only this server: default-src 'self' covers scripts and fetch (the document) too. ReDoc needs
// data: images, inline styles (it injects its CSS at run time) and a blob: worker for search.
// The header is what stops the Redocly logo ReDoc's sidebar always asks cdn.redoc.ly for.
const REDOC_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:",
].join('; ');

// Where npm put redoc's bundle, asked from Node's resolver rather than guessed as a relative path
// ("../../node_modules/..." breaks as soon as the file moves or npm hoists differently).
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

export function createApp(): express.Express {
  const app = express();
  const registry = new OpenAPIRegistry();
  app.use(todoApi(registry));
  const document = buildDocument(registry);

  // TODO 4. The machine-readable document: what both pages read, and what client generators use.
  app.get('/openapi.json', (_req, res) => void res.json(document));

  // Swagger UI's files come from swagger-ui-dist in node_modules, served by this app.
  // serveFiles (not `serve`) binds the files to THIS document: `serve` + `setup` share one
  // global init script, so a second Swagger UI anywhere in the process would replace the first.
  // validatorUrl: null switches off the validator badge, which would send the document's URL to
  // validator.swagger.io when the document is loaded by URL (here it is inline: harmless to set).
  const swaggerOptions = { swaggerOptions: { validatorUrl: null }, customSiteTitle: 'Todo API — Swagger UI' };
  app.use('/docs', swaggerUi.serveFiles(document, swaggerOptions), swaggerUi.setup(document, swaggerOptions));

  // TODO 6. ReDoc: our own page, and the bundle from node_modules — redoc-express would load
  // Redoc from unpkg.com and its fonts from Google.
  app.get('/redoc', (_req, res) => {
    res.set('Content-Security-Policy', REDOC_CSP);
    res.type('html').send(redocHtml({ title: 'Todo API — ReDoc', specUrl: '/openapi.json', scriptUrl: '/redoc/redoc.standalone.js' }));
  });
  app.get('/redoc/redoc.standalone.js', (_req, res) => void res.sendFile(redocBundle));

  // Given, and last: a JSON 404 like FastAPI's, then the error policy.
  app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' }));
  app.use(handleErrors);
  return app;
}
