/**
 * Priorities (nice values) in the guide, so that on two cores what the learner waits for comes
 * first. Its test workers, every thread of them, yield to the guide's own process: a run whose
 * threads load models (lessons 08–10) left the guide waiting to show the results that had come in.
 * Once a run's verdict is on screen, the rest of that run yields to the spare getting ready for
 * the next save (run-suites.ts), and so does the compile check's tsc (compile.ts). Priorities only
 * go down here: a learner cannot raise one back.
 */
import fs from 'node:fs';
import os from 'node:os';

export const NICENESS = { worker: 5, verdictShown: 10, compileCheck: 10 };

/**
 * Lowers a process's priority. On Linux a niceness belongs to a thread, and a new thread takes its
 * creator's: each thread the process has now is lowered, and the ones it starts later follow.
 */
export function lowerPriority(pid: number, niceness: number): void {
  let threads = [String(pid)];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    // no /proc: one call lowers the whole process (macOS)
  }
  for (const thread of threads) {
    try {
      os.setPriority(Number(thread), niceness);
    } catch {
      // ended meanwhile, or not allowed here: it runs at the usual priority
    }
  }
}
