/**
 * Lesson 03 — endpoints: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import express from 'express';
import { z } from 'zod';

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
// and then Number() is what FastAPI's `int` does: "12" passes, "abc", "1.5", "" and "1e3" do not.
// z.coerce.number() would be laxer: Number("") is 0, Number(" 7 ") is 7, Number("0x10") is 16.
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

export function validationDetail(error: z.ZodError, prefix: (string | number)[]): ErrorDetail[] {
  return error.issues.map((issue) => ({
    // The prefix says where the value came from ("path", "query", "body"), as FastAPI's loc does;
    // zod's own path says where inside it. JSON cannot hold symbols, hence String().
    loc: [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    msg: issue.message,
    type: issue.code,
  }));
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
    unprocessable(res, validationDetail(parsed.error, ['path', 'id']));
    return undefined;
  };

  const notFound = (res: express.Response, id: number) => {
    // FastAPI's HTTPException(status_code=404, detail=...) answers exactly this shape.
    res.status(404).json({ detail: `User ${id} not found` });
  };

  // Paths here are relative to where the router is mounted: '/' is /users, '/:id' is /users/:id.
  router.get('/', (req, res) => {
    // req.query is a getter in Express 5 that re-parses the URL each time; read it once.
    const paging = PagingSchema.safeParse(req.query);
    if (!paging.success) return unprocessable(res, validationDetail(paging.error, ['query']));
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
    if (!body.success) return unprocessable(res, validationDetail(body.error, ['body']));
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
        ...(id.success ? [] : validationDetail(id.error, ['path', 'id'])),
        ...(body.success ? [] : validationDetail(body.error, ['body'])),
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

export function createApp(): express.Express {
  // The factory builds and returns the app but never listens: the caller picks the port (a test
  // uses port 0, the example uses PORT). That is FastAPI's `app = FastAPI()` vs `uvicorn.run`.
  const app = express();
  // Without a body parser req.body is undefined; express.json() only parses application/json.
  app.use(express.json());
  // app.include_router(router, prefix="/users") in FastAPI.
  app.use('/users', usersRouter());

  // Runs only when no route above answered. No path at all, because Express 5 refuses a bare '*'.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });

  // Four arguments mark an error handler. The errors a client can cause here come from
  // express.json(): malformed JSON (400), a body too large (413), a charset it cannot read (415).
  // They carry a status and `expose: true`, meaning their message is safe to show; lesson 04 looks
  // at them closely.
  // Anything else is a bug, answered 500 without a stack trace (Express's default would be HTML).
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
      res.status(status).json({ detail: String(message) });
      return;
    }
    console.error(error);
    res.status(500).json({ detail: 'Internal Server Error' });
  });

  return app;
}
