import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { listLessons } from '../lessons.ts';
import { SuiteRunner } from '../run-suites.ts';
import { isRunning } from '../state.ts';
import { ROOT } from '../target.ts';
import { spares } from '../warm-forks.ts';
import { makeRunnableWorkbook, SOLVED, STUB } from './fixture.ts';

/** A helper kept beside tests/support/demo.ts: it says its process id, as lesson 05's says its browser's address. */
const KEPT_HELPER = "process.on('disconnect', () => process.exit(0));\nprocess.send!({ env: { DEMO_HELPER_PID: String(process.pid) } });\n";

/** The fixture's suite, importing the support module the helper is kept for, and writing down what its run was given. */
const SUITE = `import fs from 'node:fs';
import { expect, test } from 'vitest';
import { add } from '#exercise/01-demo';
import { demo } from './support/demo.ts';
test('adds', () => {
  fs.writeFileSync(${JSON.stringify('SEEN')}, process.env.DEMO_HELPER_PID ?? 'none');
  expect(add(2, demo)).toBe(5);
});
`;

function withKeptHelper(root: string): void {
  fs.mkdirSync(path.join(root, 'tests', 'support'));
  fs.writeFileSync(path.join(root, 'tests', 'support', 'demo.ts'), 'export const demo = 3;\n');
  fs.writeFileSync(path.join(root, 'tests', 'support', 'demo.kept.ts'), KEPT_HELPER);
  fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), SUITE.replace('SEEN', path.join(root, 'seen.txt')));
}

describe('kept helpers', () => {
  let root: string;
  beforeAll(() => {
    root = makeRunnableWorkbook();
    withKeptHelper(root);
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("start beside the spare, reach each run through their variables, outlive a stopped run and end with the runner", async () => {
    const runner = await SuiteRunner.open('lessons', { root, warm: true });
    const seen = () => fs.readFileSync(path.join(root, 'seen.txt'), 'utf8');
    try {
      const lessons = listLessons(root);
      await runner.run(lessons, { runtimeDone: () => {} });
      expect(seen(), 'the first run has no spare, so no helper yet').toBe('none');
      await vi.waitFor(() => expect(spares.pid(), 'a spare, once the helper has answered').toBeDefined(), { timeout: 30_000 });
      await runner.run(lessons, { runtimeDone: () => {} });
      const helper = Number(seen());
      expect(isRunning(helper), 'the run was given the helper\'s process id').toBe(true);

      fs.writeFileSync(lessons[0]!.exercise, SOLVED.replace('return a + b;', 'while (true) {}'));
      await vi.waitFor(() => expect(spares.pid()).toBeDefined(), { timeout: 30_000 });
      const stuck = runner.run(lessons);
      setTimeout(() => runner.abort(), 1_000);
      await stuck;
      fs.writeFileSync(lessons[0]!.exercise, SOLVED);
      await vi.waitFor(() => expect(spares.pid()).toBeDefined(), { timeout: 30_000 });
      await runner.run(lessons);
      expect(Number(seen()), 'stopping a run leaves the helper alone: the next run has the same one').toBe(helper);
      await runner.close();
      await vi.waitFor(() => expect(isRunning(helper), 'closing the runner ends the helper').toBe(false), { timeout: 5_000 });
    } finally {
      fs.writeFileSync(listLessons(root)[0]!.exercise, STUB);
      await runner.close().catch(() => undefined);
    }
  }, 120_000);

  // SIGKILL: the spares are idle, and end as their IPC channel closes. SIGTERM with the spares
  // paused, as between a save and its verdict: a paused spare cannot notice, the guide kills them.
  test.each([
    ['SIGKILL', false],
    ['SIGTERM', true],
  ] as const)('end when the process that keeps them is killed with %s (spares paused: %s)', async (signal, paused) => {
    // A guide of sorts: opens the runner warm, runs twice (the second run has a spare and its
    // helper), prints the processes it keeps, and waits to be killed.
    const script = path.join(root, 'keeper.mts');
    fs.writeFileSync(
      script,
      `import { listLessons } from ${JSON.stringify(path.join(ROOT, 'workbook', 'lessons.ts'))};
import { SuiteRunner } from ${JSON.stringify(path.join(ROOT, 'workbook', 'run-suites.ts'))};
import { spares } from ${JSON.stringify(path.join(ROOT, 'workbook', 'warm-forks.ts'))};
const root = ${JSON.stringify(root)};
const runner = await SuiteRunner.open('lessons', { root, warm: true });
await runner.run(listLessons(root));
while (spares.pid() === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
await runner.run(listLessons(root));
while (spares.pid() === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
${paused ? 'spares.pause();\n' : ''}console.log(JSON.stringify([...spares.idle()]));
setInterval(() => {}, 1_000);
`,
    );
    const guide = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const kept = await new Promise<number[]>((resolve, reject) => {
        let out = '';
        guide.stdout.on('data', (chunk) => {
          out += String(chunk);
          if (out.includes('\n')) resolve(JSON.parse(out) as number[]);
        });
        guide.once('exit', (code) => reject(new Error(`the script ended (${code}) before printing its processes`)));
      });
      expect(kept.length, 'a spare and the helper, at least').toBeGreaterThanOrEqual(2);
      expect(kept.every(isRunning)).toBe(true);
      guide.kill(signal);
      await vi.waitFor(() => expect(kept.filter(isRunning), `processes left after ${signal}`).toEqual([]), { timeout: 10_000 });
    } finally {
      guide.kill('SIGKILL');
    }
  }, 120_000);
});
