/**
 * Runs a command to its end and keeps what it printed: tsc for the compile check (compile.ts) and
 * for `npm run check`, and the model lessons' training scripts for the check. The answer comes
 * once the command has ended and its pipes are drained ('close', not 'exit': tsc's last lines may
 * still be in the pipe when it exits), stopped or not, so nothing it started is left running.
 */
import { spawn } from 'node:child_process';
import { lowerPriority } from './priority.ts';

export interface Captured {
  /** The exit code: null if a signal ended it, negative if it never started. */
  code: number | null;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  /** What it wrote to stdout, then what it wrote to stderr. */
  output: string;
  /** Why it could not start (`spawn … ENOENT`), if it could not. */
  startError?: string;
}

export interface CaptureOptions {
  cwd: string;
  /** Stops it, with SIGKILL: TypeScript 7's native compiler checks on to the end after a SIGTERM. */
  signal?: AbortSignal;
  /** A niceness to lower it to (priority.ts), for work the learner is not waiting for. */
  niceness?: number;
}

export function capture(command: string, args: string[], { cwd, signal, niceness }: CaptureOptions): Promise<Captured> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, signal, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let startError: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      // A stop through `signal` is an error event too, of a process that did start.
      if (child.pid === undefined) startError = error.message;
    });
    child.on('close', (code, ended) => resolve({ code, signal: ended, output: stdout + stderr, ...(startError === undefined ? {} : { startError }) }));
    if (niceness !== undefined && child.pid !== undefined) lowerPriority(child.pid, niceness);
  });
}
