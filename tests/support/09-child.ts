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
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CHILD_REPORT as REPORT } from './serving-models.ts';

const require = createRequire(import.meta.url);

const [exercisePath] = process.argv.slice(2);
if (!exercisePath) throw new Error('usage: 09-child.ts <exercise.ts>');

const report = (value: unknown) => process.stdout.write(`${REPORT}${JSON.stringify(value)}\n`);

// Every Worker the exercise makes is followed from its creation to its 'exit' event. (The process
// report also lists a thread that has already ended but is still being torn down, which under
// load made a correct shutdown look like a thread left running.) syncBuiltinESMExports makes
// `import { Worker } from 'node:worker_threads'` see the class below.
const threads = require('node:worker_threads') as typeof import('node:worker_threads');
const running = new Set<object>();
threads.Worker = class FollowedWorker extends threads.Worker {
  constructor(...args: ConstructorParameters<typeof threads.Worker>) {
    super(...args);
    running.add(this);
    this.once('exit', () => running.delete(this));
  }
};
syncBuiltinESMExports();
process.on('exit', (code) => report({ exit: { code, workers: running.size } }));

const exercise = (await import(pathToFileURL(exercisePath).href)) as typeof import('#exercise/09-production');
try {
  const started = await exercise.main(process.env);
  report({ started: { url: started?.url, address: started?.address } });
} catch (error) {
  report({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
