/**
 * Lessons 09 and 10: a worker whose jobs end when the test says so. What the apps' tests check is
 * the app and its limiter; a job that ends on cue makes "the queue is full" and "past the deadline"
 * exact on any machine, however busy. It has the shape of lesson 09's InferenceWorker.
 */
import type { Job, JobResult, ModelInfo } from '../../lessons/09-keep-answering/serving.ts';

/** A worker for `model` whose jobs wait until finish(); `ready` and `loadSeconds` are the test's to set. */
export function cuedWorker(model: ModelInfo, loadSeconds = 0.5) {
  const jobs: { job: Job; startedAt: number; answer: (result: JobResult) => void; fail: (error: unknown) => void }[] = [];
  const cue = {
    ready: true,
    /** How many jobs run() was given. */
    runs: 0,
    /** The jobs given and not yet finished, oldest first. */
    jobs,
    worker: {
      model: { ...model, version: model.version || 'cued0000000' },
      loadSeconds,
      restarts: 0,
      get ready(): boolean {
        return cue.ready;
      },
      run(job: Job): Promise<JobResult> {
        cue.runs += 1;
        return new Promise<JobResult>((answer, fail) => jobs.push({ job, startedAt: performance.now(), answer, fail }));
      },
      close: async () => {},
    },
    /** Answers the `count` oldest jobs still waiting, each row with 1/3 per class. */
    finish(count = jobs.length) {
      for (const { job, answer } of jobs.splice(0, count)) {
        const rows = Object.values(job.feeds)[0]?.dims[0] ?? 1;
        answer({ probabilities: { data: new Float32Array(rows * 3).fill(1 / 3), dims: [rows, 3] } });
      }
    },
  };
  return cue;
}
