/**
 * Lesson 09's suite: the given worker.mjs, with one way to die. A job whose protocol `id` is
 * CRASH_ID makes the thread throw an exception nobody catches, before the model answers it: a
 * real crash, mid-job ('error' on the main side, then 'exit' with code 1), as a bug in a native
 * library or an out-of-memory would cause. Started by the suite through `startInferenceThread`'s
 * `file` option.
 */
import { parentPort } from 'node:worker_threads';

export const CRASH_ID = 'crash-the-thread';
export const CRASH_MESSAGE = 'the suite crashed this thread on purpose';

// In a thread only: the suite itself imports this file for the two names above.
if (parentPort) {
  // Registered before worker.mjs's own listener, so it runs first and the job is never answered.
  const crashOnCue = (message) => {
    if (message?.type === 'run' && message.job?.id === CRASH_ID) throw new Error(CRASH_MESSAGE);
  };
  parentPort.on('message', crashOnCue);
  await import('../../lessons/09-keep-answering/worker.mjs');
  // worker.mjs listens only once its model has loaded. After 'failed' it does not, and this
  // listener alone must not keep the thread alive: worker.mjs says the thread then ends.
  if (parentPort.listenerCount('message') === 1) parentPort.off('message', crashOnCue);
}
