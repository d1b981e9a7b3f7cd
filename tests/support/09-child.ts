/**
 * Lesson 09's child process: runs the exercise's main() the way the container does, so that the
 * suite can send it real signals (SIGTERM, SIGINT) and watch it stop.
 *
 * Usage: node --import tsx tests/support/09-child.ts <exercise.ts path>   (settings in the environment)
 *
 * Besides whatever main() logs, it prints lines that start with CHILD_REPORT (09-models.ts), then JSON:
 *   {"started": {"url": ..., "address": {...}}}   main() resolved
 *   {"failed": "message"}                          main() rejected (the process then exits with 1)
 *   {"exit": {"code": 0, "workers": 0}}            the process is ending: its exit code, and how many
 *                                                  worker threads it started are still running
 */
import { pathToFileURL } from 'node:url';
import { CHILD_REPORT as REPORT } from './09-models.ts';

const [exercisePath] = process.argv.slice(2);
if (!exercisePath) throw new Error('usage: 09-child.ts <exercise.ts>');

const report = (value: unknown) => process.stdout.write(`${REPORT}${JSON.stringify(value)}\n`);
// Threads that are not the exercise's (tsx's loader runs in one) are counted before it starts.
const threadsBefore = (process.report.getReport() as { workers: unknown[] }).workers.length;
process.on('exit', (code) => {
  let workers: number | null = null;
  try {
    workers = (process.report.getReport() as { workers: unknown[] }).workers.length - threadsBefore;
  } catch {
    // no report: leave it unknown
  }
  report({ exit: { code, workers } });
});

const exercise = (await import(pathToFileURL(exercisePath).href)) as typeof import('#exercise/09-production');
try {
  const started = await exercise.main(process.env);
  report({ started: { url: started?.url, address: started?.address } });
} catch (error) {
  report({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
