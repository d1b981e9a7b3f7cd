/**
 * Lesson 04's garbage: seeded random requests that no correct server may answer with 2xx or 5xx.
 * The same seed always gives the same requests, so a failure can be replayed exactly: the suite
 * shows the seed in the test's name and in every failure, and `WORKBOOK_SEED=<n>` replays it.
 *
 * Hand-written rather than fast-check (property-based testing, the field's tool for this), so
 * the workbook needs no extra dependency; the ideas are the same: a seeded generator, a printed
 * seed, one property (every answer is a 4xx). fast-check would also shrink a failing request to
 * a smallest one, which this generator does not.
 */
import { seeded } from './random.ts';

/** The pinned default seed, or WORKBOOK_SEED when it is set (a whole number) to replay a run. */
export function garbageSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.WORKBOOK_SEED?.trim();
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`WORKBOOK_SEED must be a whole number; got ${JSON.stringify(given)}`);
    return seed;
  }
  return 20240404;
}

export interface GarbageRequest {
  /** What kind of garbage, for the failure message. */
  kind: string;
  path: '/process' | '/users';
  headers: Record<string, string>;
  body: Uint8Array;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const encoder = new TextEncoder();

/** Makes `count` garbage requests from `seed`. Every body stays under `maxBytes`. */
export function garbage(seed: number, count: number, maxBytes: number): GarbageRequest[] {
  const random = seeded(seed);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const json = (kind: string, path: GarbageRequest['path'], text: string, headers: Record<string, string> = JSON_TYPE) => ({
    kind,
    path,
    headers,
    body: encoder.encode(text),
  });

  // Values of the wrong type for a number field (or a string field).
  const notANumber = ['"5"', '"ten"', 'true', 'false', 'null', '[]', '[5]', '{}', '{"value":5}', '""', '"1e3"'];
  const notAString = ['5', 'true', 'null', '[]', '["Ada"]', '{}', '{"first":"Ada"}', '-1'];
  const hugeNumber = () => pick(['1e400', '-1e400', '9'.repeat(309 + int(200)), '-' + '9'.repeat(309 + int(200))]);

  const makers: (() => GarbageRequest)[] = [
    // Random bytes declared as JSON: almost never JSON, and when it is, never the right object.
    () => {
      const bytes = new Uint8Array(1 + int(Math.min(300, maxBytes - 1)));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
      if (bytes[0] === 0x7b || bytes[0] === 0x5b) bytes[0] = 0x7d; // never start an object or array
      return { kind: 'random bytes as application/json', path: pick(['/process', '/users'] as const), headers: JSON_TYPE, body: bytes };
    },
    // A correct call in a content type that is not JSON.
    () =>
      json('a body that is not declared as JSON', '/process', '{"a": 5, "b": 10}', {
        'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'text/json-ish']),
      }),
    // Valid JSON cut short.
    () => {
      const whole = '{"a": 5, "b": 10, "note": "' + 'x'.repeat(int(50)) + '"}';
      return json('truncated JSON', '/process', whole.slice(0, 1 + int(whole.length - 2)));
    },
    // JSON scalars: body-parser's strict mode takes only objects and arrays.
    () => json('a JSON scalar', pick(['/process', '/users'] as const), pick(['5', 'null', 'true', '"a=5&b=10"', '15', '-0', '1e400'])),
    // Deep nesting, balanced (valid JSON of the wrong shape) or not (malformed).
    () => {
      const depth = 100 + int(Math.floor(maxBytes / 6));
      const shape = int(4);
      if (shape === 0) return json('deeply nested arrays', '/process', '['.repeat(depth) + ']'.repeat(depth));
      if (shape === 1) return json('deeply nested objects in a', '/process', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '');
      if (shape === 2) return json('unbalanced deep nesting', '/process', '['.repeat(depth));
      return json('deep nesting in b', '/process', `{"a": 1, "b": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
    },
    // Numbers too large to be numbers (JSON.parse makes them Infinity), or whose sum overflows.
    () => {
      if (int(3) === 0) {
        const sign = pick(['', '-']);
        return json('a finite pair whose sum overflows', '/process', `{"a": ${sign}1.7e308, "b": ${sign}1.7e308}`);
      }
      const pair = [hugeNumber(), pick([hugeNumber(), String(int(100)), '0.5'])];
      if (int(2) === 0) pair.reverse();
      return json('huge numbers', '/process', `{"a": ${pair[0]}, "b": ${pair[1]}}`);
    },
    // Prototype pollution attempts; a or b is always missing or wrong, so the call stays invalid.
    () =>
      json(
        'a __proto__ or constructor key',
        '/process',
        pick([
          '{"__proto__": {"a": 5, "b": 10}}',
          '{"__proto__": {"polluted": "yes"}, "a": 5}',
          '{"constructor": {"prototype": {"polluted": "yes"}}, "b": 10}',
          '{"a": {"__proto__": {"polluted": "yes"}}, "b": 10}',
          '{"__proto__": null, "a": "5", "b": 10}',
          '{"a": 5, "b": {"constructor": {"prototype": {"polluted": "yes"}}}}',
          '{"toString": 1, "valueOf": 2, "hasOwnProperty": 3}',
        ]),
      ),
    // Wrong types for a and b (at least one wrong), with repeated keys sometimes.
    () => {
      const a = pick([...notANumber, '5']);
      const b = a === '5' ? pick(notANumber) : pick([...notANumber, '10']);
      const text = int(4) === 0 ? `{"a": 5, "b": 10, "a": ${a}, "b": ${b}}` : `{"a": ${a}, "b": ${b}}`;
      return json('wrong types', '/process', text);
    },
    // A new user with at least one bad field, sometimes with a __proto__ key.
    () => {
      const name = pick([...notAString, '""', '"Ada"']);
      const email = pick(['"not-an-email"', '"@"', '""', ...notAString, '"ada@example.com"']);
      const password = pick(['"short"', '""', ...notAString, '"long enough secret"']);
      const fields = [`"name": ${name}`, `"email": ${email}`, `"password": ${password}`];
      // Always break one field for sure: drop it, or give it the wrong type.
      const broken = int(3);
      fields[broken] = int(2) === 0 ? `"__proto__": {"${['name', 'email', 'password'][broken]}": "x"}` : fields[broken]!.replace(/: .*/, ': []');
      return json('a bad new user', '/users', `{${fields.join(', ')}}`);
    },
    // Charsets and encodings body-parser cannot or should not decode.
    () =>
      json('an unusable charset or encoding', '/process', '{"a": 5, "b": "x"}', pick<Record<string, string>>([
        { 'content-type': 'application/json; charset=latin1' },
        { 'content-type': 'application/json; charset=klingon' },
        { 'content-type': 'application/json; charset=utf-16' },
        { 'content-type': 'application/json', 'content-encoding': 'zstd-but-not-really' },
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        { 'content-type': 'application/json', 'content-encoding': 'deflate' },
      ])),
    // Just over the limit the test's server was given.
    () => json('a body over the limit', '/process', `{"a": 5, "b": 10, "pad": "${'x'.repeat(maxBytes + int(1000))}"}`),
  ];

  return Array.from({ length: count }, () => pick(makers)());
}

/** A printable, bounded view of a body for failure messages. */
export function preview(body: Uint8Array, max = 160): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, max));
  return JSON.stringify(text) + (body.length > max ? ` … (${body.length} bytes)` : '');
}
