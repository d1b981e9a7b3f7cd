/**
 * Lesson 03 — endpoints, the example: an in-memory items resource, built the way the exercise
 * asks you to build users. Run it with `npm run example -- 03` and try the curl lines it prints.
 *
 *   GET    /items?offset=&limit=   a page of items
 *   GET    /items/:id              one item (404 when there is none, 422 for an id like "abc")
 *   POST   /items   {name, price}  201 + Location: /items/<id>
 *   DELETE /items/:id              204
 *   anything else                  404 {"detail": "Not Found"}
 *
 * PUT is left for the exercise.
 */
import http from 'node:http';
import express from 'express';
import { z } from 'zod';
import { serveExample } from '../../workbook/example-server.ts';

const NewItem = z.object({ name: z.string().min(1), price: z.number().positive() });
type Item = { id: number } & z.infer<typeof NewItem>;

// Query and path values are always strings: read digits, then turn them into a number.
const wholeNumber = z.string().regex(/^\d+$/).transform(Number);
const ItemId = wholeNumber.pipe(z.int().positive());
const Paging = z.object({
  offset: wholeNumber.pipe(z.int().min(0)).default(0),
  limit: wholeNumber.pipe(z.int().min(1).max(50)).default(20),
});

/**
 * FastAPI's 422 body: every issue, with where it came from at the front of loc, and type
 * "missing" when the value is absent from the input (zod says invalid_type).
 */
function detail(error: z.ZodError, prefix: (string | number)[], input: unknown) {
  return error.issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    let value = input;
    for (const key of path) {
      const own = typeof value === 'object' && value !== null && Object.hasOwn(value, key);
      value = own ? (value as Record<string | number, unknown>)[key] : undefined;
    }
    const missing = issue.code === 'invalid_type' && value === undefined;
    return { loc: [...prefix, ...path], msg: issue.message, type: missing ? 'missing' : issue.code };
  });
}

/** The items endpoints; like FastAPI's APIRouter, it knows nothing of its /items prefix. */
function itemsRouter(): express.Router {
  const items = new Map<number, Item>();
  let lastId = 0;
  const router = express.Router();

  router.get('/', (req, res) => {
    const query = req.query; // a getter that re-parses the URL: read it once
    const paging = Paging.safeParse(query);
    // `return void res...` sends the answer and leaves the handler in one line.
    if (!paging.success) return void res.status(422).json({ detail: detail(paging.error, ['query'], query) });
    const { offset, limit } = paging.data;
    res.json([...items.values()].slice(offset, offset + limit));
  });

  router.get('/:id', (req, res) => {
    const id = ItemId.safeParse(req.params.id);
    if (!id.success) return void res.status(422).json({ detail: detail(id.error, ['path', 'id'], req.params.id) });
    const item = items.get(id.data);
    if (!item) return void res.status(404).json({ detail: `Item ${id.data} not found` });
    res.json(item);
  });

  router.post('/', (req, res) => {
    const body = NewItem.safeParse(req.body);
    if (!body.success) return void res.status(422).json({ detail: detail(body.error, ['body'], req.body) });
    const item: Item = { ...body.data, id: ++lastId };
    items.set(item.id, item);
    res.status(201).location(`${req.baseUrl}/${item.id}`).json(item);
  });

  router.delete('/:id', (req, res) => {
    const id = ItemId.safeParse(req.params.id);
    if (!id.success) return void res.status(422).json({ detail: detail(id.error, ['path', 'id'], req.params.id) });
    if (!items.delete(id.data)) return void res.status(404).json({ detail: `Item ${id.data} not found` });
    res.status(204).end();
  });

  return router;
}

/** The app factory: everything but listening, so a test could serve it on port 0. */
function createApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.use('/items', itemsRouter());
  app.get('/', (_req, res) => {
    res.json({ message: 'Try /items', endpoints: ['GET /items', 'GET /items/:id', 'POST /items', 'DELETE /items/:id'] });
  });
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });
  // A client error (a whole-number 4xx status, as express.json() raises for malformed JSON) gets
  // its status and our own words, never error.message, which can quote the body back. The rest
  // is a bug: logged here, a bare 500 for the client.
  const onError: express.ErrorRequestHandler = (error, _req, res, _next) => {
    const status: unknown = error?.status;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
      return void res.status(status).json({ detail: http.STATUS_CODES[status] ?? 'Bad Request' });
    }
    console.error(error);
    res.status(500).json({ detail: 'Internal Server Error' });
  };
  app.use(onError);
  return app;
}

await serveExample(createApp(), {
  tryThis: [
    `curl -i -X POST {url}/items -H 'content-type: application/json' -d '{"name": "Notebook", "price": 4.5}'`,
    `curl -i {url}/items/1`,
    `curl -i '{url}/items?offset=0&limit=5'`,
    `curl -i '{url}/items?limit=500'          # 422 at loc ["query", "limit"]`,
    `curl -i {url}/items/abc                  # 422 at loc ["path", "id"]`,
    `curl -i -X DELETE {url}/items/1          # 204, then 404 the second time`,
    `curl -i {url}/nowhere                    # a JSON 404`,
  ],
});
