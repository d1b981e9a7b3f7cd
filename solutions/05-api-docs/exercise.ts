/**
 * Lesson 05 — API docs: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import { createRequire } from 'node:module';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';

// zod 4 copies its methods onto every schema at the moment the schema is built. The `.openapi()`
// method only exists on schemas built AFTER this call, so it runs before the first z.object below.
// In a bigger app this line lives in a tiny setup module that every schema file imports first.
extendZodWithOpenApi(z);

// ---------------------------------------------------------------------------------------------
// Task 1: the schemas. Each one validates requests AND becomes a component of the document.
// `.openapi('Name')` makes it a named component ($ref), so the docs show "Todo" instead of
// repeating the same object under every operation.
// ---------------------------------------------------------------------------------------------

// FastAPI's own names for its 422 body, so the docs read the same as a FastAPI app's.
export const ErrorDetailSchema = z
  .object({
    loc: z.array(z.union([z.string(), z.number()])),
    msg: z.string(),
    type: z.string(),
  })
  .openapi('ValidationError');

export const HTTPValidationErrorSchema = z
  .object({ detail: z.array(ErrorDetailSchema) })
  .openapi('HTTPValidationError', { description: 'The request did not match its schema; one entry per problem.' });

export const NotFoundSchema = z
  .object({ detail: z.string() })
  .openapi('NotFound', { example: { detail: 'Todo 7 not found' } });

export const ProcessRequestSchema = z
  .object({
    a: z.number().openapi({ example: 5 }),
    b: z.number().openapi({ example: 10 }),
  })
  .openapi('ProcessRequest');

export const ProcessResponseSchema = z
  .object({ result: z.number().openapi({ example: 15 }) })
  .openapi('ProcessResponse');

export const TodoInputSchema = z
  .object({
    title: z.string().min(1).openapi({ example: 'Write the docs' }),
    // .default(false): optional in the request, so the document lists `done` as not required.
    done: z.boolean().default(false),
  })
  .openapi('TodoInput');

// A separate output schema, not TodoInputSchema.extend(...): in a response `done` is always
// there, and the document should say so (`required`), which the input's default would hide.
export const TodoSchema = z
  .object({
    id: z.number().int().positive().openapi({ example: 1 }),
    title: z.string().min(1),
    done: z.boolean(),
  })
  .openapi('Todo');

// Path parameters arrive as text; z.coerce turns "7" into 7 and still documents an integer.
export const TodoParamsSchema = z.object({
  id: z.coerce.number().int().positive().openapi({ description: 'The todo id', example: 1 }),
});

// A query parameter is a string too. An enum of the two spellings keeps it honest in the docs
// ("true" | "false") where z.coerce.boolean() would turn "false" into true, and z.stringbool()
// (right at run time) would be documented as any string.
export const TodoQuerySchema = z.object({
  done: z.enum(['true', 'false']).optional().openapi({ description: 'Only todos that are (not) done' }),
});

export type Todo = z.infer<typeof TodoSchema>;

/** What buildDocument returns: an OpenAPI 3.1 document as a plain object. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The options of redocHtml. */
export interface RedocPage {
  title: string;
  specUrl: string;
  scriptUrl: string;
}

// ---------------------------------------------------------------------------------------------
// Tasks 2 and 3: register every operation, then generate the document.
// ---------------------------------------------------------------------------------------------

// Declared once and reused: every operation that reads input can answer 422 with this shape.
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const invalid = { description: 'Validation error', ...json(HTTPValidationErrorSchema) };
const notFound = { description: 'No todo with this id', ...json(NotFoundSchema) };

function buildRegistry(): OpenAPIRegistry {
  // A fresh registry per call keeps buildDocument pure. A module-level registry would grow on
  // every call (a leak: each registerPath is appended again); zod-to-openapi merges the
  // duplicates silently, so nothing in the document would show it.
  const registry = new OpenAPIRegistry();
  // Zod schemas used in paths are registered automatically through their `.openapi('Name')`;
  // registering them explicitly as well makes every component appear even if no path used it.
  registry.register('HTTPValidationError', HTTPValidationErrorSchema);

  registry.registerPath({
    method: 'post',
    path: '/process',
    summary: 'Add two numbers',
    description: 'The study note\'s example: `{"a": 5, "b": 10}` answers `{"result": 15}`.',
    tags: ['process'],
    request: { body: { required: true, ...json(ProcessRequestSchema) } },
    responses: {
      200: { description: 'The sum', ...json(ProcessResponseSchema) },
      422: invalid,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/todos',
    summary: 'List todos',
    tags: ['todos'],
    request: { query: TodoQuerySchema },
    responses: {
      200: { description: 'Every todo, oldest first', ...json(z.array(TodoSchema)) },
      422: invalid,
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/todos',
    summary: 'Create a todo',
    tags: ['todos'],
    request: { body: { required: true, ...json(TodoInputSchema) } },
    responses: {
      201: { description: 'The new todo, with its id', ...json(TodoSchema) },
      422: invalid,
    },
  });

  // OpenAPI writes path parameters as {id}; Express writes :id. Same route, two spellings.
  registry.registerPath({
    method: 'get',
    path: '/todos/{id}',
    summary: 'Read one todo',
    tags: ['todos'],
    request: { params: TodoParamsSchema },
    responses: { 200: { description: 'The todo', ...json(TodoSchema) }, 404: notFound, 422: invalid },
  });

  registry.registerPath({
    method: 'put',
    path: '/todos/{id}',
    summary: 'Replace a todo',
    tags: ['todos'],
    request: { params: TodoParamsSchema, body: { required: true, ...json(TodoInputSchema) } },
    responses: { 200: { description: 'The todo as stored now', ...json(TodoSchema) }, 404: notFound, 422: invalid },
  });

  registry.registerPath({
    method: 'delete',
    path: '/todos/{id}',
    summary: 'Delete a todo',
    tags: ['todos'],
    request: { params: TodoParamsSchema },
    // No `content`: a 204 has no body, and the document says exactly that.
    responses: { 204: { description: 'Deleted' }, 404: notFound, 422: invalid },
  });

  return registry;
}

export function buildDocument(): OpenApiDocument {
  // V31 writes JSON Schema 2020-12 (the dialect of OpenAPI 3.1), so a 2020-12 validator can check
  // a real response against it — one that tolerates OpenAPI's extra keywords (`example`) and is
  // given the document to resolve $refs in (the tests use ajv with strict: false).
  return new OpenApiGeneratorV31(buildRegistry().definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Lesson 05 — Todo API',
      version: '1.0.0',
      description: 'Documented from the same zod schemas that validate its requests.',
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Task 4: the ReDoc page, with nothing from a CDN and every interpolated value escaped.
// ---------------------------------------------------------------------------------------------

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

// Only this server: default-src 'self' covers scripts and fetch (the document) too. ReDoc needs
// data: images, inline styles (it injects its CSS at run time) and a blob: worker for search.
const REDOC_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:",
].join('; ');

// Where npm put redoc's bundle, asked from Node's resolver rather than guessed as a relative path
// ("../../node_modules/..." breaks as soon as the file moves or npm hoists differently).
const require = createRequire(import.meta.url);
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');

// ---------------------------------------------------------------------------------------------
// Task 5: the app — the API, validated with the very schemas documented above, plus the docs.
// ---------------------------------------------------------------------------------------------

type Where = 'body' | 'path' | 'query';

/** zod issues → FastAPI's detail entries, `loc` starting with where the value came from. */
function detailOf(error: z.ZodError, where: Where): z.infer<typeof ErrorDetailSchema>[] {
  return error.issues.map((issue) => ({
    loc: [where, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    msg: issue.message,
    type: issue.code,
  }));
}

/** Parses every part it is given; answers the data, or every problem of every part at once. */
function check<T extends Partial<Record<Where, z.ZodType>>>(
  schemas: T,
  values: Record<Where, unknown>,
): { ok: true; data: { [K in keyof T]: T[K] extends z.ZodType ? z.infer<T[K]> : never } } | { ok: false; detail: z.infer<typeof ErrorDetailSchema>[] } {
  const data: Record<string, unknown> = {};
  const detail: z.infer<typeof ErrorDetailSchema>[] = [];
  for (const where of Object.keys(schemas) as Where[]) {
    const result = schemas[where]!.safeParse(values[where]);
    if (result.success) data[where] = result.data;
    else detail.push(...detailOf(result.error, where));
  }
  return detail.length > 0 ? { ok: false, detail } : { ok: true, data: data as never };
}

export function createApp(): express.Express {
  const app = express();
  app.use(express.json());

  // Generated once per app: the same object feeds /openapi.json, Swagger UI and (by URL) ReDoc.
  const document = buildDocument();

  // State lives inside the factory, so every app a test creates starts empty.
  const todos = new Map<number, Todo>();
  let nextId = 1;

  const values = (req: express.Request) => ({ body: req.body, path: req.params, query: req.query });
  const missing = (res: express.Response, id: number) => res.status(404).json({ detail: `Todo ${id} not found` });

  app.post('/process', (req, res) => {
    const input = check({ body: ProcessRequestSchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    const { a, b } = input.data.body;
    res.json({ result: a + b });
  });

  app.get('/todos', (req, res) => {
    const input = check({ query: TodoQuerySchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    const { done } = input.data.query;
    const all = [...todos.values()];
    res.json(done === undefined ? all : all.filter((todo) => todo.done === (done === 'true')));
  });

  app.post('/todos', (req, res) => {
    const input = check({ body: TodoInputSchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    const todo: Todo = { id: nextId++, ...input.data.body };
    todos.set(todo.id, todo);
    res.status(201).location(`/todos/${todo.id}`).json(todo);
  });

  app.get('/todos/:id', (req, res) => {
    const input = check({ path: TodoParamsSchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    const todo = todos.get(input.data.path.id);
    if (!todo) return void missing(res, input.data.path.id);
    res.json(todo);
  });

  app.put('/todos/:id', (req, res) => {
    // Both parts checked before answering: a bad id AND a bad body give one 422 with both.
    const input = check({ path: TodoParamsSchema, body: TodoInputSchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    const { id } = input.data.path;
    if (!todos.has(id)) return void missing(res, id);
    const todo: Todo = { id, ...input.data.body };
    todos.set(id, todo);
    res.json(todo);
  });

  app.delete('/todos/:id', (req, res) => {
    const input = check({ path: TodoParamsSchema }, values(req));
    if (!input.ok) return void res.status(422).json({ detail: input.detail });
    if (!todos.delete(input.data.path.id)) return void missing(res, input.data.path.id);
    res.status(204).end();
  });

  // The machine-readable document: what both pages read, and what client generators consume.
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  // Swagger UI's files come from swagger-ui-dist in node_modules, served by this app.
  // serveFiles (not `serve`) binds the files to THIS document: `serve` + `setup` share one
  // global init script, so a second Swagger UI anywhere in the process would replace the first.
  // validatorUrl: null switches off the validator badge, which would send the document's URL to
  // validator.swagger.io. It only matters when Swagger UI loads the document by URL; here it is
  // passed inline (the badge renders nothing), so the option is harmless to set, not required.
  const swaggerOptions = { swaggerOptions: { validatorUrl: null }, customSiteTitle: 'Todo API — Swagger UI' };
  app.use('/docs', swaggerUi.serveFiles(document, swaggerOptions), swaggerUi.setup(document, swaggerOptions));

  // ReDoc: our own page, and the bundle from node_modules — redoc-express would load both
  // Redoc (unpkg.com) and its fonts (Google) from the internet.
  app.get('/redoc', (_req, res) => {
    res.set('Content-Security-Policy', REDOC_CSP);
    res.type('html').send(
      redocHtml({ title: 'Todo API — ReDoc', specUrl: '/openapi.json', scriptUrl: '/redoc/redoc.standalone.js' }),
    );
  });
  app.get('/redoc/redoc.standalone.js', (_req, res) => {
    res.sendFile(redocBundle);
  });

  // Anything else: a JSON 404, like FastAPI's {"detail": "Not Found"}.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });

  // Malformed JSON: express.json would answer 400, a status no operation documents. FastAPI answers
  // 422 json_invalid; so do we, in the documented HTTPValidationError shape.
  // Other body-parser refusals (413 too large, 415 unknown charset) keep their status and are not
  // in the document; anything else is a 500 without a stack trace in the body.
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if ((error as { type?: unknown }).type === 'entity.parse.failed') {
      return void res.status(422).json({ detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
    }
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json({ detail: (error as Error).message });
    }
    res.status(500).json({ detail: 'Internal Server Error' });
  });

  return app;
}
