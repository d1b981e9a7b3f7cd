/**
 * Lesson 04 example — both halves of the study note's call (a Python client posting {"a": 5, "b": 10}
 * to a FastAPI endpoint that adds them), in one file.
 *
 *   npm run example -- 04          (or: npx tsx lessons/04-request-response/example.ts)
 *
 * The server half answers POST /process {"a": 5, "b": 10} with {"result": 15}, and answers bad
 * input the way the exercise's server does (422 / 400 / 415 / 413 / 404 / 500, all JSON).
 * The client half runs once the server listens: it makes the same call the note makes with
 * `requests.post(url, json=data)`, then a bad one, and prints what came back.
 * Then the server keeps running for your own curl; Ctrl-C stops it.
 */
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { serveExample } from '../../workbook/example-server.ts';

// ---------------------------------------------------------------------------------------------
// Server half. In FastAPI the whole of this section is two lines:
//
//   @app.post("/process")
//   async def process_data(data: Numbers) -> Result: ...
//
// Express does none of it by itself, so each step is written out.
// ---------------------------------------------------------------------------------------------

const Numbers = z
  .object({ a: z.number(), b: z.number() })
  .refine(({ a, b }) => Number.isFinite(a + b), { message: 'a + b must be a finite number' });
const Result = z.object({ result: z.number() });

const app = express();
app.disable('x-powered-by');

// 415: express.json() ignores bodies of other types, so say it out loud instead.
app.use((req, res, next) => {
  if (req.is('application/json') === false) {
    res.status(415).json({ detail: 'Send the body as JSON (Content-Type: application/json)' });
    return;
  }
  next();
});
// 400 for malformed JSON and 413 over 100 kB come from here, as errors with a status.
app.use(express.json({ limit: '100kb' }));

app.get('/', (_req, res) => {
  res.json({
    lesson: '04 request and response',
    endpoints: { 'POST /process': 'body {"a": number, "b": number} → {"result": a + b}' },
  });
});

app.post('/process', async (req, res) => {
  const parsed = Numbers.safeParse(req.body);
  if (!parsed.success) {
    // FastAPI's 422 shape: every problem, each with where (loc), what (msg) and a code (type).
    // Array indices stay numbers (["body", "tags", 1]); only a symbol key, which JSON cannot carry, becomes a string.
    const loc = (issue: z.core.$ZodIssue) => ['body', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
    // Nothing at the path (an absent key, or no body at all) is "missing" (FastAPI's word); zod
    // says invalid_type for it, as for a wrong type. Every other issue keeps zod's code.
    const type = (issue: z.core.$ZodIssue) => (issue.code === 'invalid_type' && !present(req.body, issue.path) ? 'missing' : issue.code);
    const detail = parsed.error.issues.map((issue) => ({ loc: loc(issue), msg: issue.message, type: type(issue) }));
    res.status(422).json({ detail });
    return;
  }
  const { a, b } = parsed.data;
  // The response model: parse what we send, so nothing else slips out.
  res.json(Result.parse({ result: a + b }));
});

app.use((_req, res) => {
  res.status(404).json({ detail: 'Not Found' });
});

/** Whether something is at `path` in `value` (own keys only: "constructor" is not found on the prototype). */
function present(value: unknown, path: readonly PropertyKey[]): boolean {
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return false;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value !== undefined;
}

// The one error handler: a client's 4xx passes through, anything else is a generic 500.
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (res.headersSent) return next(error);
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    // Our own words, never error.message: for malformed JSON it quotes the client's body back.
    const type = (error as { type?: unknown }).type;
    res.status(status).json({ detail: type === 'entity.parse.failed' ? 'The body is not valid JSON' : (http.STATUS_CODES[status] ?? 'Bad Request') });
    return;
  }
  console.error(error); // for us, in the log
  res.status(500).json({ detail: 'Internal Server Error' }); // for them: nothing internal
});

const url = await serveExample(app, {
  tryThis: [
    `curl -s {url}/process -H 'content-type: application/json' -d '{"a": 5, "b": 10}'`,
    `curl -s {url}/process -H 'content-type: application/json' -d '{"a": "5"}'        # 422: a invalid_type, b missing`,
    `curl -s {url}/process -H 'content-type: application/json' -d '{"a": 5,'          # 400`,
    `curl -s {url}/process -H 'content-type: text/plain' -d 'a=5&b=10'                # 415`,
  ],
});

// ---------------------------------------------------------------------------------------------
// Client half. The study note's Python client:
//
//   data = {"a": 5, "b": 10}
//   response = requests.post(url, json=data)
//
// fetch needs the JSON header and the stringify spelled out, has no timeout unless given one,
// and resolves for a 422 or a 500 just like for a 200: checking the status is our job.
// ---------------------------------------------------------------------------------------------

async function callProcess(data: unknown): Promise<void> {
  const response = await fetch(`${url}/process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
    signal: AbortSignal.timeout(3000),
  });
  const body: unknown = await response.json();
  if (!response.ok) {
    console.log(`  client: POST /process ${JSON.stringify(data)} → ${response.status} ${JSON.stringify(body)}`);
    return;
  }
  // The answer is input too: check it before trusting it.
  const { result } = Result.parse(body);
  console.log(`  client: POST /process ${JSON.stringify(data)} → ${response.status}, result = ${result}`);
}

console.log('The client half, calling the server above:');
try {
  await callProcess({ a: 5, b: 10 });
  await callProcess({ a: '5' });
} catch (error) {
  console.log(`  client: the call failed: ${String(error)}`);
}
