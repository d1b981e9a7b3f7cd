/**
 * Lesson 05's example: a small API documented from the zod schemas that validate it, with
 * /openapi.json, Swagger UI at /docs and ReDoc at /redoc — all of it working with no internet.
 *
 *   npm run example -- 05        (or: npx tsx lessons/05-api-docs/example.ts)
 *
 * The trick shown here: one `route()` call both registers an operation in the OpenAPI registry
 * and mounts the Express handler that validates with the same schemas. Docs and code cannot
 * drift, because there is only one place to write either.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { serveExample } from '../../workbook/example-server.ts';

// First, before any schema exists: zod 4 copies methods onto a schema when it is built.
extendZodWithOpenApi(z);

const Problem = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .openapi('HTTPValidationError');
const Missing = z.object({ detail: z.string() }).openapi('NotFound');
const Numbers = z.object({ a: z.number().openapi({ example: 5 }), b: z.number().openapi({ example: 10 }) }).openapi('Numbers');
const Sum = z.object({ result: z.number().openapi({ example: 15 }) }).openapi('Sum');
const BookInput = z
  .object({
    title: z.string().min(1).openapi({ example: 'The Pragmatic Programmer' }),
    year: z.number().int().min(1450).max(2100).optional().openapi({ example: 1999 }),
  })
  .openapi('BookInput');
const Book = z.object({ id: z.number().int().positive(), title: z.string(), year: z.number().int().optional() }).openapi('Book');
// Digits only, then a number (lesson 03's rule): documented as {"type": "string", "pattern": "^\\d+$"}.
// z.coerce.number() would be documented as an integer but also take " 7", "0x10" and "1e3".
const BookId = z.object({ id: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().positive()).openapi({ example: '1' }) });

type Method = 'get' | 'post' | 'put' | 'delete';
type Detail = { loc: (string | number)[]; msg: string; type: string };

const registry = new OpenAPIRegistry();
const router = express.Router();
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** FastAPI's 422 entries from zod's issues: array indices stay numbers, an absent value is "missing". */
function detailOf(error: z.ZodError, where: string, input: unknown): Detail[] {
  return error.issues.map((issue) => {
    // JSON has no symbols: a symbol key is written as String(key), e.g. "Symbol(tag)".
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    let value = input;
    for (const key of path) value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    return { loc: [where, ...path], msg: issue.message, type: issue.code === 'invalid_type' && value === undefined ? 'missing' : issue.code };
  });
}

/**
 * Documents an operation and mounts its handler, validating with the very schemas documented.
 * P and B are the schemas' types: the handler gets their outputs (z.output), checked by tsc.
 */
function route<P extends z.ZodObject, B extends z.ZodType>(
  method: Method,
  path: string,
  doc: { summary: string; responses: RouteConfig['responses'] },
  parts: { params?: P; body?: B },
  handler: (input: { params: z.output<P>; body: z.output<B> }, res: express.Response) => void,
) {
  registry.registerPath({
    method,
    path, // OpenAPI spelling: /books/{id}
    summary: doc.summary,
    request: { params: parts.params, body: parts.body && { required: true, ...json(parts.body) } },
    responses: { ...doc.responses, 422: { description: 'Validation error', ...json(Problem) } },
  });
  router[method](path.replace(/\{(\w+)\}/g, ':$1'), (req, res) => {
    const detail: Detail[] = [];
    const parse = (schema: z.ZodType | undefined, value: unknown, where: string) => {
      if (!schema) return undefined;
      const result = schema.safeParse(value);
      if (!result.success) detail.push(...detailOf(result.error, where, value));
      return result.data;
    };
    const params = parse(parts.params, req.params, 'path');
    const body = parse(parts.body, req.body, 'body');
    if (detail.length > 0) return void res.status(422).json({ detail });
    // safeParse has just proved these are the schemas' outputs; tsc cannot follow that here.
    handler({ params, body } as { params: z.output<P>; body: z.output<B> }, res);
  });
}

const books = new Map<number, z.infer<typeof Book>>();
let nextId = 1;
const notFound = { description: 'No such book', ...json(Missing) };

route('post', '/process', { summary: 'Add a and b (the call the study note makes)', responses: { 200: { description: 'The sum', ...json(Sum) } } }, { body: Numbers },
  ({ body }, res) => void res.json({ result: body.a + body.b }));
route('get', '/books', { summary: 'List books', responses: { 200: { description: 'Every book', ...json(z.array(Book)) } } }, {},
  (_input, res) => void res.json([...books.values()]));
route('post', '/books', { summary: 'Add a book', responses: { 201: { description: 'The stored book', ...json(Book) } } }, { body: BookInput },
  ({ body }, res) => {
    const book = { id: nextId++, ...body };
    books.set(book.id, book);
    res.status(201).json(book);
  });
route('get', '/books/{id}', { summary: 'Read a book', responses: { 200: { description: 'The book', ...json(Book) }, 404: notFound } }, { params: BookId },
  ({ params }, res) => void (books.has(params.id) ? res.json(books.get(params.id)) : res.status(404).json({ detail: `Book ${params.id} not found` })));
route('put', '/books/{id}', { summary: 'Replace a book', responses: { 200: { description: 'The book now', ...json(Book) }, 404: notFound } }, { params: BookId, body: BookInput },
  ({ params, body }, res) => {
    if (!books.has(params.id)) return void res.status(404).json({ detail: `Book ${params.id} not found` });
    books.set(params.id, { id: params.id, ...body });
    res.json(books.get(params.id));
  });
route('delete', '/books/{id}', { summary: 'Remove a book', responses: { 204: { description: 'Removed' }, 404: notFound } }, { params: BookId },
  ({ params }, res) => void (books.delete(params.id) ? res.status(204).end() : res.status(404).json({ detail: `Book ${params.id} not found` })));

const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
  openapi: '3.1.0',
  info: { title: 'Lesson 05 example — books', version: '1.0.0' },
});

// ReDoc's page: our own HTML (nothing interpolated from outside, so nothing to escape here) and
// redoc's bundle from node_modules. The CSP keeps the browser from fetching the Redocly logo
// that ReDoc's sidebar always asks cdn.redoc.ly for.
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
const redocPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Books — ReDoc</title></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>`;

const app = express();
// Lesson 04's order: a body that is not JSON is a 415, then express.json() parses.
app.use((req, res, next) => (req.is('application/json') === false ? void res.status(415).json({ detail: 'Send the body as JSON' }) : next()));
app.use(express.json());
app.use(router);
app.get('/openapi.json', (_req, res) => void res.json(document));
const uiOptions = { swaggerOptions: { validatorUrl: null } };
app.use('/docs', swaggerUi.serveFiles(document, uiOptions), swaggerUi.setup(document, uiOptions));
app.get('/redoc', (_req, res) => {
  res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:");
  res.type('html').send(redocPage);
});
app.get('/redoc/redoc.standalone.js', (_req, res) => res.sendFile(redocBundle));
app.use((_req, res) => void res.status(404).json({ detail: 'Not Found' }));
// Lesson 04's error policy: our own words for a client's mistake, a logged 500 for ours. The status
// is the error's `status`, or its `statusCode` when it has no `status`, as in the exercise.
app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
  if (res.headersSent) return next(error);
  const status = (error as { status?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 499) {
    console.error(error);
    return void res.status(500).json({ detail: 'Internal Server Error' });
  }
  const type = (error as { type?: unknown }).type;
  res.status(status as number).json({ detail: type === 'entity.parse.failed' ? 'The body is not valid JSON' : (http.STATUS_CODES[status as number] ?? 'Bad Request') });
});

await serveExample(app, {
  tryThis: [
    'open {url}/docs      Swagger UI: try "POST /process" with "Try it out"',
    'open {url}/redoc     ReDoc: the same document, as a three-column reference',
    'curl {url}/openapi.json',
    `curl -X POST {url}/process -H 'content-type: application/json' -d '{"a": 5, "b": 10}'`,
    `curl -X POST {url}/books -H 'content-type: application/json' -d '{"title": ""}'   # 422, as documented`,
  ],
});
