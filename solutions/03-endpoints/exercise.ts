/**
 * Lesson 03 — endpoints: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import http from 'node:http';
import express from 'express';
import { z } from 'zod';

export function createApp(router: express.Router = usersRouter()): express.Express {
  // The factory builds and returns the app but never listens: the caller picks the port (a test
  // uses port 0, the example uses PORT). That is FastAPI's `app = FastAPI()` vs `uvicorn.run`.
  // The router is a parameter with a default: the app gets its parts from outside, so a test can
  // mount its own (FastAPI's dependency overrides play the same role).
  const app = express();
  // Without a body parser req.body is undefined; express.json() only parses application/json.
  app.use(express.json());
  // app.include_router(router, prefix="/users") in FastAPI.
  app.use('/users', router);

  // Runs only when no route above answered. No path at all, because Express 5 refuses a bare '*'.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });

  // Four arguments mark an error handler; it must come after everything it catches.
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = clientStatus(error);
    if (status !== undefined) {
      // Our own words, never error.message: for malformed JSON that message quotes the body back
      // (`Unexpected token 's', "{"name": secret}" is not valid JSON`). Node's name for the
      // status will do here; lesson 04 gives each body error a sentence of its own.
      res.status(status).json({ detail: http.STATUS_CODES[status] ?? 'Client Error' });
      return;
    }
    // Anything else is a bug: the details go to the log, the client gets no stack trace (Express's
    // default answer would be an HTML page with one).
    console.error(error);
    res.status(500).json({ detail: 'Internal Server Error' });
  });

  return app;
}

/**
 * The 4xx status a client error carries (express.json() raises 400, 413, 415), or undefined.
 * Only a whole number from 400 to 499: a 5xx is still our bug, and res.status() throws for 404.5
 * or "404" — an error handler that throws ends in Express's own HTML page.
 */
function clientStatus(error: unknown): number | undefined {
  // A thrown string arrives here as it is, so no property is taken for granted. (null never
  // arrives: Express reads next(null) as "no error".)
  const status = (error as { status?: unknown } | null | undefined)?.status;
  // Number.isInteger is false for anything that is not a number, "404" included.
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500 ? (status as number) : undefined;
}

// z.object drops unknown keys, so a client that sends `id` or `isAdmin` in the body cannot set
// them: the server decides the id. pydantic ignores extra fields the same way.
export const NewUserSchema = z.object({
  // .min(1): "" is a string, but not a name.
  name: z.string().min(1),
  // z.email() is zod 4's string format (z.string().email() still works but is deprecated).
  email: z.email(),
});

export type NewUser = z.infer<typeof NewUserSchema>;

export type User = { id: number } & NewUser;

// Everything in a URL is text, so a path or query schema starts from a string. A strict pattern
// and then Number(): "12" passes; "abc", "1.5", "", "+1" and "1e3" do not. That is stricter than
// FastAPI's `int`, on purpose (FastAPI reads " 7 ", "+1" and "1_0" as numbers). z.coerce.number()
// would be laxer still: Number("") is 0, Number(" 7 ") is 7, Number("0x10") is 16.
const digits = z.string().regex(/^\d+$/, 'must be a whole number written in digits').transform(Number);

// z.int() also refuses numbers past Number.MAX_SAFE_INTEGER, where ids would silently collide.
export const UserIdSchema = digits.pipe(z.int().positive());

// .default() gives the value when the key is absent from req.query (undefined), and its type is
// the output type, so the defaults are numbers, not strings.
export const PagingSchema = z.object({
  offset: digits.pipe(z.int().min(0)).default(0),
  // An upper bound keeps one request from asking for the whole table.
  limit: digits.pipe(z.int().min(1).max(100)).default(10),
});

export type Paging = z.infer<typeof PagingSchema>;

export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export function validationDetail(error: z.ZodError, prefix: (string | number)[], input: unknown): ErrorDetail[] {
  return error.issues.map((issue) => {
    // JSON cannot hold symbols, hence String(); a list index stays a number, as in FastAPI.
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    // zod reports an absent value as invalid_type; FastAPI (pydantic v2) calls it "missing".
    // Looking the value up in the input tells "absent" from "present but wrong" (a null is
    // present) without reading zod's wording, which changes between versions.
    const missing = issue.code === 'invalid_type' && valueAt(input, path) === undefined;
    // The prefix says where the value came from ("path", "query", "body"), as FastAPI's loc
    // does; zod's own path says where inside it.
    return { loc: [...prefix, ...path], msg: issue.message, type: missing ? 'missing' : issue.code };
  });
}

/** The value at `path` inside `input`, or undefined when the path leads nowhere. */
function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    // Object.hasOwn: an absent key named "constructor" must not be found on Object.prototype.
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Sends FastAPI's validation answer: 422 with every problem found, never only the first. */
function unprocessable(res: express.Response, detail: ErrorDetail[]): void {
  res.status(422).json({ detail });
}

export function usersRouter(): express.Router {
  // The store lives in this closure, not at module level: every call makes a fresh one, so two
  // apps (two tests) never see each other's users. A module-level Map would leak between tests.
  const users = new Map<number, User>();
  // A counter, not `users.size + 1`: after a delete, size + 1 can hand out an id still in use.
  let lastId = 0;

  const router = express.Router();

  /** Parses the :id parameter, or answers 422 and returns undefined. */
  const idOf = (req: express.Request, res: express.Response): number | undefined => {
    const parsed = UserIdSchema.safeParse(req.params.id);
    if (parsed.success) return parsed.data;
    unprocessable(res, validationDetail(parsed.error, ['path', 'id'], req.params.id));
    return undefined;
  };

  const notFound = (res: express.Response, id: number) => {
    // FastAPI's HTTPException(status_code=404, detail=...) answers exactly this shape.
    res.status(404).json({ detail: `User ${id} not found` });
  };

  // Paths here are relative to where the router is mounted: '/' is /users, '/:id' is /users/:id.
  router.get('/', (req, res) => {
    // req.query is a getter in Express 5 that re-parses the URL each time; read it once.
    const query = req.query;
    const paging = PagingSchema.safeParse(query);
    if (!paging.success) return unprocessable(res, validationDetail(paging.error, ['query'], query));
    const { offset, limit } = paging.data;
    // A Map iterates in insertion order, and ids only grow, so this is id order.
    res.json([...users.values()].slice(offset, offset + limit));
  });

  router.get('/:id', (req, res) => {
    const id = idOf(req, res);
    if (id === undefined) return;
    const user = users.get(id);
    if (!user) return notFound(res, id);
    res.json(user);
  });

  router.post('/', (req, res) => {
    // req.body is undefined when the client sent no JSON; safeParse reports that at loc ["body"].
    const body = NewUserSchema.safeParse(req.body);
    if (!body.success) return unprocessable(res, validationDetail(body.error, ['body'], req.body));
    lastId += 1;
    // The id goes last so nothing in the body could overwrite it (the schema dropped it anyway).
    const user: User = { ...body.data, id: lastId };
    users.set(user.id, user);
    // 201 Created names the new resource in Location. req.baseUrl is where the router is mounted
    // ("/users"), so the router does not hard-code its own prefix.
    res.status(201).location(`${req.baseUrl}/${user.id}`).json(user);
  });

  router.put('/:id', (req, res) => {
    // Check the id and the body together so a client hears about every problem at once.
    const id = UserIdSchema.safeParse(req.params.id);
    const body = NewUserSchema.safeParse(req.body);
    if (!id.success || !body.success) {
      return unprocessable(res, [
        ...(id.success ? [] : validationDetail(id.error, ['path', 'id'], req.params.id)),
        ...(body.success ? [] : validationDetail(body.error, ['body'], req.body)),
      ]);
    }
    // PUT replaces a user that exists; it does not create one at a client-chosen id here.
    if (!users.has(id.data)) return notFound(res, id.data);
    // A replacement, not a merge: the whole body was required, and nothing of the old user but its
    // id survives. (Merging a partial body is what PATCH is for.) Map.set on an existing key keeps
    // its place, so the list order does not change.
    const user: User = { ...body.data, id: id.data };
    users.set(id.data, user);
    res.json(user);
  });

  router.delete('/:id', (req, res) => {
    const id = idOf(req, res);
    if (id === undefined) return;
    if (!users.delete(id)) return notFound(res, id);
    // 204 No Content: success with an empty body. res.json() here would send one anyway.
    res.status(204).end();
  });

  return router;
}

