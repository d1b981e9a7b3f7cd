/**
 * Lesson 03 — endpoints. Welcome! Here you build a small users API with Express: five endpoints,
 * each a method plus a path, the way a FastAPI app declares `@app.get("/users/{id}")`.
 *
 * Fill in each TODO, then run `npm test -- 03` (or keep `npm start` open: it reruns on save).
 * The tests start your app for real on 127.0.0.1 and call it with fetch. The README beside this
 * file explains every idea used here; `npm run hint -- 03` gives a hint when you are stuck.
 *
 * The API you are building (all bodies are JSON):
 *
 *   GET    /users?offset=0&limit=10   200  a page of users, in id order
 *   GET    /users/:id                 200  one user
 *   POST   /users        {name,email} 201  the new user, with a Location header: /users/<id>
 *   PUT    /users/:id    {name,email} 200  the user, replaced (every field required)
 *   DELETE /users/:id                 204  no body
 *
 * Errors:
 *   422  a bad id, bad paging or a bad body: { "detail": [ { "loc", "msg", "type" }, ... ] },
 *        loc starting with "path", "query" or "body" as in FastAPI, e.g. ["path", "id"],
 *        ["query", "limit"], ["body", "email"]
 *   404  a user that does not exist, or a route that does not exist: { "detail": "..." }
 *   400  a body that is not even JSON (malformed): { "detail": "..." }, never an HTML page
 */
import express from 'express';
import { z } from 'zod';

/**
 * The body of POST /users and PUT /users/:id:
 * - `name`: a string with at least one character
 * - `email`: an email address
 * Keys the schema does not know (such as `id`) are dropped: the server chooses ids.
 */
// TODO 1: describe the body with z.object({...}).
export const NewUserSchema = z.object({});

/** What a client sends (derived from the schema; this line needs no change). */
export type NewUser = z.infer<typeof NewUserSchema>;

/** A stored user: the body plus the id the server gave it (this line needs no change). */
export type User = { id: number } & NewUser;

/**
 * The :id path parameter. It arrives as a string ("7"); the schema turns it into a number.
 * Valid ids are positive whole numbers written in digits only (0-9, nothing else), small enough to
 * be exact (at most Number.MAX_SAFE_INTEGER): "7" yes; "abc", "0", "-1", "1.5", "7x", "1e3",
 * "99999999999999999999" no.
 */
// TODO 2: a schema from string to number (a string pattern, then a transform, then number rules).
export const UserIdSchema = z.never();

/**
 * The query string of GET /users, as Express hands it over in req.query (strings, or an array
 * when a key is repeated):
 * - `offset`: a whole number from 0, default 0 (how many users to skip)
 * - `limit`: a whole number from 1 to 100, default 10 (how many users at most)
 * Both are written in digits only (0-9, nothing else); the default applies only when the key is
 * missing. Anything else ("abc", "" as in `?offset=`, "2.5", "-1", "1e1", " 3", "0" or "101" for
 * limit, a repeated key) is an error: bad paging is answered 422, never quietly fixed.
 */
// TODO 3: describe the query with z.object({...}); give each key its default.
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
 * Turns a failed zod parse into 422 detail entries.
 * @param error the ZodError from safeParse
 * @param prefix where the value came from: ["path", "id"], ["query"] or ["body"]
 * @returns one entry per zod issue: loc is the prefix followed by the path
 *   (["body"] + ["email"] gives ["body", "email"]; a list index stays a number:
 *   ["body", "tags", 1]), msg its message, type its code
 */
export function validationDetail(error: z.ZodError, prefix: (string | number)[]): ErrorDetail[] {
  // TODO 4: map error.issues to ErrorDetail entries.
  throw new Error('validationDetail is not written yet');
}

/**
 * The users endpoints, as a router to mount at /users (FastAPI's APIRouter).
 * Every call makes a new, empty store, so two apps never share users.
 * @returns an express.Router with the five routes listed at the top of this file
 */
export function usersRouter(): express.Router {
  const router = express.Router();
  // TODO 5: keep the users in a store made here, and give each new user the next unused id
  //         (ids are never reused, even after a delete).
  // TODO 6: GET / — validate req.query with PagingSchema (422 if bad), answer that page of users.
  // TODO 7: GET /:id — validate the id (422), find the user (404), answer it.
  // TODO 8: POST / — validate the body (422), store the user, answer 201 with a Location header.
  // TODO 9: PUT /:id — validate the id and the body (422), replace the user if it exists (404).
  // TODO 10: DELETE /:id — validate the id (422), remove the user (404), answer 204 with no body.
  return router;
}

/**
 * Makes a new app; it does not listen (the tests pick the port, the example reads PORT).
 * @returns an Express app with, in this order: a JSON body parser, usersRouter() at /users, a JSON
 *   404 `{ "detail": "Not Found" }` for every route it does not know, and last an error handler
 *   (four parameters) that answers in JSON too: an error express.json() raises for the client
 *   (a 4xx `status` and `expose: true`: malformed JSON is 400, an unsupported charset 415) with
 *   its own status and `{ "detail": "<message>" }`,
 *   anything else 500 `{ "detail": "Internal Server Error" }` — never Express's HTML page or a
 *   stack trace
 */
export function createApp(): express.Express {
  // TODO 11: build the app: express.json(), the router at /users, a JSON 404 for the rest, and a
  //          JSON error handler last.
  throw new Error('createApp is not written yet');
}
