/**
 * Runs 06-listen-child.ts with an exercise in a process of its own, started with `prefix` (e.g.
 * setpriv dropping CAP_NET_BIND_SERVICE). The child and the exercise are bundled by esbuild into
 * one program for plain Node: through tsx, the child's start took 0.3 s or more, and the guide
 * reruns lesson 06 on every save.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** What 06-listen-child.ts printed: one JSON line about listenOn(server, {127.0.0.1, port}). */
export async function listenInChild(exercisePath: string, port: number, prefix: string[], cwd: string): Promise<string> {
  const entry = [
    `import * as exercise from ${JSON.stringify(exercisePath)};`,
    `import { listenAndReport } from ${JSON.stringify(path.join(HERE, '06-listen-child.ts'))};`,
    'await listenAndReport(exercise, Number(process.argv[1]));',
  ].join('\n');
  const bundle = await build({
    stdin: { contents: entry, resolveDir: HERE, loader: 'ts', sourcefile: '06-listen-child-entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const program = bundle.outputFiles[0]!.text;
  const [command, ...args] = [...prefix, process.execPath, '--input-type=module', '--eval', program, String(port)];
  const { stdout } = await promisify(execFile)(command!, args, { cwd, timeout: 25_000 });
  return stdout;
}
