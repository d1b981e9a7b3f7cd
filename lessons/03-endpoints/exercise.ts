/**
 * Lesson 03 — endpoints. Welcome! Here you build a small users API with Express: five endpoints,
 * each a method plus a path, the way a FastAPI app declares `@app.get("/users/{id}")`.
 *
 * Fill in the TODOs in order, then run `npm test -- 03` (or keep `npm start` open: it reruns on
 * save). The tests are grouped by TODO, so TODO 1 can go green before TODO 2 is written. They
 * start your app for real on 127.0.0.1 and call it with fetch. The README beside this file
 * explains every idea used here; `npm run hint -- 03` gives a hint when you are stuck.
 *
 * The API you are building (all bodies are JSON):
 *
 *   GET    /users?offset=0&limit=10   200  a page of users, in id order
 *   GET    /users/:id                 200  one user
 *   POST   /users        {name,email} 201  the new user, with a Location header: /users/<id>
 *   PUT    /users/:id    {name,email} 200  the user, replaced (every field required)
 *   DELETE /users/:id                 204  no body
 *
 * Errors (the same rules as lesson 04's):
 *   422  a bad id, bad paging or a bad body: { "detail": [ { "loc", "msg", "type" }, ... ] },
 *        loc starting with "path", "query" or "body" as in FastAPI, e.g. ["path", "id"],
 *        ["query", "limit"], ["body", "email"]
 *   404  a user that does not exist, or a route that does not exist: { "detail": "..." }
 *   400  a body that is not even JSON (malformed): { "detail": "..." } in your own words
 *   500  a bug in the server: { "detail": "Internal Server Error" }
 *   Never an HTML page, a stack trace, or the client's own text echoed back.
 */
import http from 'node:http'; // http.STATUS_CODES[418] is "I'm a Teapot": words for any status
import express from 'express';
import { z } from 'zod';

/**
 * Makes a new app; it does not listen (the tests pick the port, the example reads PORT).
 * @param router what to mount at /users; usersRouter() when left out. Passing another router is
 *   how a test plugs in its own routes: the suite mounts one whose routes throw, to see what
 *   your error handler answers for a bug.
 * @returns an Express app with, in this order:
 *   - express.json(), the JSON body parser;
 *   - the router at /users;
 *   - a JSON 404 `{ "detail": "Not Found" }` for every route it does not know;
 *   - last, an error handler (four parameters) that always answers JSON:
 *     - an error whose `status` is a whole number from 400 to 499 is the client's
 *       (express.json() raises 400 for malformed JSON, 415 for a charset it cannot read, 413 for
 *       a body too large): answer that status with `{ "detail": "<your own words>" }`. Never
 *       the error's message: it may quote the client's body back.
 *     - anything else (a thrown Error, a status of 500 or 404.5, a thrown string) is your bug:
 *       log it with console.error and answer 500 `{ "detail": "Internal Server Error" }`.
 */
export function createApp(router: express.Router = usersRouter()): express.Express {
  // TODO 1: build the app: express.json(), the router at /users, a JSON 404 for the rest, and a
  //         JSON error handler last.
  throw new Error('createApp is not written yet');
}

/**
 * The body of POST /users and PUT /users/:id:
 * - `name`: a string with at least one character
 * - `email`: an email address as zod's z.email() checks it ("ada@", "@example.com" and
 *   "ada lovelace@example.com" are not)
 * Keys the schema does not know (such as `id`) are dropped: the server chooses ids.
 */
// TODO 2: describe the three inputs: this body, UserIdSchema and PagingSchema below.
export const NewUserSchema = z.object({});

/** What a client sends (derived from the schema; this line needs no change). */
export type NewUser = z.infer<typeof NewUserSchema>;

/** A stored user: the body plus the id the server gave it (this line needs no change). */
export type User = { id: number } & NewUser;

/**
 * The :id path parameter (TODO 2). It arrives as a string ("7"); the schema turns it into a
 * number. Valid ids are positive whole numbers written in digits only (0-9, nothing else), small
 * enough to be exact (at most Number.MAX_SAFE_INTEGER): "7" yes, and "007" (7: leading zeros are
 * digits too); "abc", "0", "-1", "1.5", "7x", "1e3", "+1", "0x1", " 1", "99999999999999999999" no.
 */
export const UserIdSchema = z.never();

/**
 * The query string of GET /users (TODO 2), as Express hands it over in req.query (strings, or an
 * array when a key is repeated):
 * - `offset`: a whole number from 0, default 0 (how many users to skip)
 * - `limit`: a whole number from 1 to 100, default 10 (how many users at most)
 * Both are written in digits only (0-9, nothing else); the default applies only when the key is
 * missing. Anything else ("abc", "" as in `?offset=`, "2.5", "-1", "1e1", " 3", "0" or "101" for
 * limit, a repeated key) is an error: bad paging is answered 422, never quietly fixed.
 */
export const PagingSchema = z.object({});

/** Valid paging, as the handler uses it (this line needs no change). */
export type Paging = z.infer<typeof PagingSchema>;

/** One entry of a 422 answer's `detail` list, FastAPI's shape. */
export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * Turns a failed zod parse into 422 detail entries, one per zod issue.
 * @param error the ZodError from safeParse
 * @param prefix where the value came from: ["path", "id"], ["query"] or ["body"]
 * @param input the value that was parsed (req.params.id, req.query or req.body)
 * @returns for each issue: `loc`, the prefix followed by the path (["body"] + ["email"]
 *   gives ["body", "email"]; a list index stays a number: ["body", "tags", 1]); `msg`, the
 *   issue's message; `type`, "missing" for an "invalid_type" issue whose path leads to nothing in
 *   `input` (a body without `email`, or no body at all), else the code (a `null` was sent:
 *   "invalid_type"; a refinement's issue stays "custom", even on a key the body left out)
 */
export function validationDetail(error: z.ZodError, prefix: (string | number)[], input: unknown): ErrorDetail[] {
  // TODO 3: map error.issues to ErrorDetail entries.
  throw new Error('validationDetail is not written yet');
}

/**
 * The users endpoints, as a router to mount at /users (FastAPI's APIRouter).
 * Every call makes a new, empty store, so two apps never share users. Ids count up from 1: a new
 * app's first user gets 1, each next user the next unused id; ids are never reused, even after a
 * delete. A refused POST (422) creates no user and uses no id: the next user gets the id it would
 * have had.
 * @returns an express.Router with the five routes listed at the top of this file
 */
export function usersRouter(): express.Router {
  const router = express.Router();
  // TODO 4: create and read one: a store made here; POST / (validate the body: 422; store the
  //         user; 201 with a Location header) and GET /:id (validate the id: 422; 404; 200).
  // TODO 5: GET / — validate req.query with PagingSchema (422 if bad), answer that page of users.
  // TODO 6: replace and remove: PUT /:id (validate the id and the whole body: 422; then 404 if the
  //         user does not exist; 200) and DELETE /:id (422; 404; 204 with no body).
  return router;
}
