// How to start tsc, for the compile check (compile.ts), the type tests' checker
// (tsc-keep-colons.mjs) and `npm run check`. TypeScript 7's `bin/tsc` is a Node script that
// starts the native compiler: on Node 22.15 and later it becomes the compiler (execve), on older
// Nodes it runs it as a child process, which a stop sent to the script never reached: it went on
// compiling for seconds, holding the output pipe open. Started here as the native compiler
// itself, it is the process that a stop reaches, on every Node (and one Node start is saved).
// Found as the script finds it (the platform's package, `@typescript/typescript-<platform>-<arch>`,
// beside typescript); if that is missing, the script is started as before.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The command that runs tsc from the project at `root`: `[file, ...arguments before tsc's own]`. */
export function tscCommand(root) {
  const require = createRequire(path.join(root, 'package.json'));
  const typescript = path.dirname(require.resolve('typescript/package.json'));
  try {
    const platform = `@typescript/typescript-${process.platform}-${process.arch}`;
    const native = path.join(path.dirname(createRequire(path.join(typescript, 'package.json')).resolve(`${platform}/package.json`)), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
    // Present and executable; if not, the script is started, and says what is wrong.
    fs.accessSync(native, fs.constants.X_OK);
    return [native];
  } catch {
    // no usable compiler of this platform's package: the script knows what to do (on Node 20 a
    // stop then reaches the script only, and the compiler it started checks on to the end)
  }
  return [process.execPath, path.join(typescript, 'bin', 'tsc')];
}
