/**
 * Lesson 05 — API docs. Welcome! FastAPI hands you /docs and /redoc for free; here you build
 * both from your zod schemas, and make them work on a machine with no internet at all.
 *
 * Fill in each TODO, then run `npm test -- 05` (or keep `npm start` open: it reruns on save).
 * `npm run example -- 05` shows a finished documented API; the README beside this file explains
 * every idea used here, and `npm run hint -- 05` helps when you are stuck.
 *
 * The API you document (and serve):
 *   POST   /process       {"a": 5, "b": 10} → 200 {"result": 15}          (the study note's call)
 *   GET    /todos         ?done=true|false (optional) → 200 [Todo, ...]
 *   POST   /todos         TodoInput → 201 Todo (ids 1, 2, 3, ...)
 *   GET    /todos/{id}    → 200 Todo, or 404 {"detail": "..."}
 *   PUT    /todos/{id}    TodoInput → 200 Todo, or 404
 *   DELETE /todos/{id}    → 204 (no body), or 404
 * Anything that fails validation answers 422 {"detail": [{loc, msg, type}, ...]} where loc starts
 * with where the bad value was: ["body", "a"], ["path", "id"], ["query", "done"].
 */
import { createRequire } from 'node:module';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';

// TODO 1: zod-to-openapi adds `.openapi()` to zod — but only to schemas built AFTER it is set up.
// Set it up here, then write the schemas below (give each a component name with .openapi('Name')).

/** One entry of a 422 body: `loc` (strings and numbers), `msg` and `type`, all required. */
export const ErrorDetailSchema = z.object({});

/** The 422 body: `{ detail: ErrorDetail[] }` (FastAPI calls it HTTPValidationError). */
export const HTTPValidationErrorSchema = z.object({});

/** The 404 body: `{ detail: string }`. */
export const NotFoundSchema = z.object({});

/** POST /process's body: `a` and `b`, both numbers, both required. */
export const ProcessRequestSchema = z.object({});

/** POST /process's answer: `{ result: number }`. */
export const ProcessResponseSchema = z.object({});

/** What POST and PUT /todos take: `title` (a non-empty string) and `done` (a boolean, false when missing). */
export const TodoInputSchema = z.object({});

/** A stored todo: `id` (a positive integer), `title` and `done` — all three always present. */
export const TodoSchema = z.object({});

/** The path parameters of /todos/{id}: `id`, a positive integer that arrives as text ("7"). */
export const TodoParamsSchema = z.object({});

/** The query of GET /todos: `done`, optional, exactly "true" or "false" — and documented as admitting nothing else. */
export const TodoQuerySchema = z.object({});

/** A stored todo, as a type (this line needs no change). */
export type Todo = z.infer<typeof TodoSchema>;

/** What buildDocument returns: an OpenAPI 3.1 document as a plain object (no change needed). */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

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
 * Builds the OpenAPI 3.1 document of the API above from the schemas above.
 * Every operation has a summary, its request body and/or parameters, and its responses: the
 * success (200, 201 or 204), 422 with the HTTPValidationError shape, and 404 where an id can miss.
 * @returns a fresh document each call (`openapi: "3.1.0"`, an `info` with title and version)
 */
export function buildDocument(): OpenApiDocument {
  // TODO 2: an OpenAPIRegistry and one registerPath per operation (paths spell {id}, not :id).
  // TODO 3: OpenApiGeneratorV31 turns the registry's definitions into the document.
  throw new Error('buildDocument is not written yet');
}

/**
 * The HTML of the ReDoc page — no CDN, no Google Fonts, and every interpolated value escaped
 * (a title like `</title><script>` must stay text).
 * @param page the title, the document's URL and the script's URL
 * @returns a whole HTML page with `<redoc spec-url="...">` and one `<script src="...">`
 */
export function redocHtml(page: RedocPage): string {
  // TODO 4: write the page; escape &, <, >, " and ' in what you put into it.
  throw new Error('redocHtml is not written yet');
}

/**
 * The app: the API above, validated with the same schemas the document is built from, plus
 *   GET /openapi.json                 the document
 *   /docs  (/docs/)                   Swagger UI, its files from node_modules (swagger-ui-dist)
 *   GET /redoc                        redocHtml(...), and the script it names: the file
 *                                     `redoc/bundles/redoc.standalone.js`, served by this app
 * Neither page may make the browser contact any other server.
 * @returns a new Express app with its own empty list of todos
 */
export function createApp(): express.Express {
  // TODO 5: the routes, the 422 answers, /openapi.json, Swagger UI and ReDoc.
  // (createRequire, swaggerUi and express are imported above for you.)
  throw new Error('createApp is not written yet');
}

// Imported for the TODOs; these lines keep the imports in use until then. You may delete them.
void [createRequire, extendZodWithOpenApi, OpenAPIRegistry, swaggerUi];
