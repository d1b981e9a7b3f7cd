/**
 * Lesson 09's benchmark (not a test): lesson 08's three cases, against this lesson's example (the
 * model in a worker thread, behind the limiter) or, for the "before" numbers, lesson 08's.
 *
 *   npx tsx lessons/09-keep-answering/bench.ts                   this lesson's example, 10 s per case
 *   npx tsx lessons/09-keep-answering/bench.ts --lesson 08       lesson 08's example, the same cases
 *   npx tsx lessons/09-keep-answering/bench.ts --seconds 5 --warmup 3
 *
 * Starts the example on a free port, waits until its model is loaded, sends it `--warmup` seconds
 * of traffic that is not measured (V8 optimises onnxruntime's WebAssembly and the server's own code
 * in the first seconds: the first requests are slower than the rest), then drives it with
 * autocannon (10 keep-alive connections, as lesson 08's bench.ts): POST /predict with one flower,
 * POST /v2/models/iris/infer with a batch of 1 and of 64 rows. Prints requests/s and latency
 * p50 / p99 as a Markdown table, then stops the example (SIGTERM).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<Result>;
// autocannon ships no types; this is the one call used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const SECONDS = Number(option('--seconds', '10'));
const WARMUP = Number(option('--warmup', '3'));
const LESSON = option('--lesson', '09');
const CONNECTIONS = 10;
const folder = { '08': '08-serve-model', '09': '09-keep-answering' }[LESSON];
if (!folder) throw new Error('--lesson is 08 or 09');
const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', folder, 'example.ts');

const child = spawn(process.execPath, ['--import', 'tsx', example], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let seen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    // Both examples listen first and load the model beside it: wait for both.
    const found = /Listening on (http:\/\/\S+)/.exec(seen);
    if (found && /Model .* loaded/.test(seen)) resolve(found[1]!);
  });
  child.once('exit', (code) => reject(new Error(`the example exited (${code}) before it was ready`)));
});

// Iris-like rows (speed does not depend on the values).
const rows = Array.from({ length: 64 }, (_, index) => [4.5 + (index % 30) / 10, 2 + (index % 20) / 10, 1 + (index % 50) / 10, 0.1 + (index % 24) / 10]);
const infer = (batch: number) => ({ inputs: [{ name: 'features', datatype: 'FP32', shape: [batch, 4], data: rows.slice(0, batch) }] });
const cases: [string, string, unknown][] = [
  ['POST /predict (1 flower)', '/predict', { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
  ['POST /v2/models/iris/infer (batch 1)', '/v2/models/iris/infer', infer(1)],
  ['POST /v2/models/iris/infer (batch 64)', '/v2/models/iris/infer', infer(64)],
];
const drive = (route: string, body: unknown, seconds: number) =>
  autocannon({
    url: url + route,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    duration: seconds,
  });

const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`lesson ${LESSON}'s example; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${load()}`);
console.log(`${WARMUP} s of warm-up, then ${SECONDS} s per case, ${CONNECTIONS} connections\n`);
try {
  if (WARMUP > 0) for (const [, route, body] of cases) await drive(route, body, WARMUP / cases.length);
  console.log('| case | requests/s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|');
  for (const [name, route, body] of cases) {
    const result = await drive(route, body, SECONDS);
    const problems = result.non2xx + result.errors > 0 ? ` (${result.non2xx} non-2xx, ${result.errors} errors!)` : '';
    console.log(`| ${name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} |${problems}`);
  }
} finally {
  child.kill('SIGTERM');
}
console.log(`\nload average after: ${load()}`);
