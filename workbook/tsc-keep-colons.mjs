#!/usr/bin/env node
// The type tests' checker (vitest.config.ts, `typecheck.checker`): tsc, with the colons in its
// messages kept. vitest reads tsc's `file(line,col): error TSnnnn: message` by splitting the whole
// error at every ":" and joining the pieces back without them, so `{ a: number }` reached the
// learner as `{ a number }` and `[x: string]` as `[x string]`. Here every colon after the
// `error TSnnnn: ` head (and in the lines that explain it) becomes U+2236 RATIO, which vitest
// leaves alone; cleanMessage (format.ts) turns it back into ":". Everything else passes through.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscCommand } from './tsc-command.mjs';

export const COLON_STAND_IN = '\u2236';

/** One line of tsc's output, its message's colons replaced; other lines as they are. */
export function keepColons(line) {
  const head = line.match(/^.*?\(\d+,\d+\): error TS\d+: /);
  if (head) return head[0] + line.slice(head[0].length).replaceAll(':', COLON_STAND_IN);
  // tsc indents the lines that explain an error ("  Types of property 'a' are incompatible.").
  if (/^\s/.test(line)) return line.replaceAll(':', COLON_STAND_IN);
  return line;
}

function main() {
  const [command, ...before] = tscCommand(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
  const child = spawn(command, [...before, ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('error', (error) => {
    process.stderr.write(`tsc could not start: ${error.message}\n`);
    process.exitCode = 1;
  });
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    process.stdout.write(lines.map((line) => `${keepColons(line)}\n`).join(''));
  });
  child.on('close', (code, signal) => {
    if (pending !== '') process.stdout.write(keepColons(pending));
    process.exitCode = code ?? (signal ? 1 : 0);
  });
  // vitest stops its checker with a signal (SIGTERM), and its next run waits for the checker to
  // end. TypeScript 7's native compiler checks on to the end after a SIGTERM (seconds), so it gets
  // a SIGKILL: it has nothing to save (with --incremental, the build info is written at the end).
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill('SIGKILL'));
}

if (process.argv[1]?.endsWith('tsc-keep-colons.mjs')) main();
