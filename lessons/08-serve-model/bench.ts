/**
 * Lesson 08's benchmark (not a test): how fast does the example serve?
 *
 *   npx tsx lessons/08-serve-model/bench.ts              10 s per case, 10 connections
 *   npx tsx lessons/08-serve-model/bench.ts --seconds 3
 *
 * Starts the example on a free port, waits until its model is loaded, then drives it with autocannon (HTTP/1.1
 * keep-alive, like a busy client): POST /predict with one flower, POST /v2/models/iris/infer with
 * a batch of 1 and of 64 rows. Prints requests/s and latency p50 / p99, then stops the example.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIris } from './train.ts';

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<Result>;
// autocannon ships no types; this is the one call used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;
const CONNECTIONS = 10;

const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'example.ts')], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let seen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    // The example listens first and loads the model beside it: wait for both.
    const found = /Listening on (http:\/\/\S+)/.exec(seen);
    if (found && /Model .* loaded/.test(seen)) resolve(found[1]!);
  });
  child.once('exit', (code) => reject(new Error(`the example exited (${code}) before listening`)));
});

const rows = readIris().features;
const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const infer = (batch: number) => ({
  inputs: [{ name: 'features', datatype: 'FP32', shape: [batch, 4], data: Array.from({ length: batch }, (_, index) => rows[index % rows.length]) }],
});
const cases: [string, string, unknown][] = [
  ['POST /predict (1 flower)', '/predict', flower],
  ['POST /v2/models/iris/infer (batch 1)', '/v2/models/iris/infer', infer(1)],
  ['POST /v2/models/iris/infer (batch 64)', '/v2/models/iris/infer', infer(64)],
];

console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}`);
console.log(`${SECONDS} s per case, ${CONNECTIONS} connections\n`);
console.log('| case | requests/s | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|');
try {
  for (const [name, route, body] of cases) {
    const result = await autocannon({
      url: url + route,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      connections: CONNECTIONS,
      duration: SECONDS,
    });
    const problems = result.non2xx + result.errors > 0 ? ` (${result.non2xx} non-2xx, ${result.errors} errors!)` : '';
    console.log(`| ${name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} |${problems}`);
  }
} finally {
  child.kill('SIGTERM');
}
