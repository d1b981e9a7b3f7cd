import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { listLessons } from '../lessons.ts';
import { passed } from '../outcome.ts';
import { runProgress } from '../progress.ts';
import { SuiteRunner } from '../run-suites.ts';
import { isRunning } from '../state.ts';
import { busyFactor } from '../stall.ts';
import { packagesOf, spares } from '../warm-forks.ts';
import { makeRunnableWorkbook, SOLVED, STUB } from './fixture.ts';

/** A process killed as an orphan may wait to be reaped; on Linux /proc tells (elsewhere: no). */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The nice value of a process's first thread, from /proc (Linux). */
function niceOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** This process's children, from /proc. */
function childrenOfThis(): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  });
}

describe('SuiteRunner', () => {
  let root: string;
  let runner: SuiteRunner;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    // As the guide opens it: with a spare worker started ahead of each run.
    runner = await SuiteRunner.open('lessons', { root, warm: true });
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('reruns see every change to the exercise, run-time tests and type tests alike', async () => {
    const lessons = listLessons(root);
    // Alternately as npm test runs (all at once) and as the guide does (run-time tests first).
    let staged = false;
    const states = async () => {
      staged = !staged;
      const [report] = await runner.run(lessons, staged ? { runtimeDone: () => {} } : {});
      return Object.fromEntries(report!.tests.map((test) => [test.name, test.state]));
    };
    expect(await states()).toEqual({ adds: 'failed', 'Pair is two numbers': 'failed' });
    fs.writeFileSync(lessons[0]!.exercise, SOLVED);
    expect(await states()).toEqual({ adds: 'passed', 'Pair is two numbers': 'passed' });
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(await states()).toEqual({ adds: 'failed', 'Pair is two numbers': 'failed' });
    fs.writeFileSync(lessons[0]!.exercise, SOLVED);
    expect(await states()).toEqual({ adds: 'passed', 'Pair is two numbers': 'passed' });
    fs.writeFileSync(lessons[0]!.exercise, STUB);
  });

  test('with warm on, two spare workers wait, and a run takes the one that has waited longest', async () => {
    const lessons = listLessons(root);
    await runner.run(lessons, { runtimeDone: () => {} });
    for (const listener of [{ runtimeDone: () => {} }, {}]) {
      await vi.waitFor(() => expect(spares.idle().size, 'two spares wait after a run').toBe(2), { timeout: 5_000 });
      const [oldest, younger] = [...spares.idle()];
      await runner.run(lessons, listener);
      // Not taken, it would still be waiting; taken but ignored by vitest, it would idle on.
      await vi.waitFor(() => expect(isRunning(oldest!), 'the run used the spare, which then ended').toBe(false), { timeout: 5_000 });
      expect(spares.pid(), 'the other spare is next').toBe(younger);
    }
  });

  test('a spare loads the packages the lesson\'s suite, its helpers and its exercise import', () => {
    const [lesson] = listLessons(root);
    const suite = path.join(root, 'tests', '01-demo.test.ts');
    const helper = path.join(root, 'tests', 'support', 'demo-helper.ts');
    const before = fs.readFileSync(suite, 'utf8');
    try {
      fs.mkdirSync(path.dirname(helper), { recursive: true });
      fs.writeFileSync(helper, "import express from 'express';\nimport { readFileSync } from 'node:fs';\nexport const app = express;\n");
      fs.writeFileSync(suite, `import type { Browser } from 'playwright-core';\nimport {\n  z,\n} from 'zod';\nimport { app } from './support/demo-helper.ts';\n${before}`);
      expect(packagesOf([lesson!], root)).toEqual(['express', 'zod']);
    } finally {
      fs.writeFileSync(suite, before);
      fs.rmSync(path.dirname(helper), { recursive: true, force: true });
    }
  });

  test('spares get ready for the lessons named (the lesson on screen), and spares made for others are replaced', async () => {
    const lessons = listLessons(root);
    const suite = path.join(root, 'tests', '01-demo.test.ts');
    const before = fs.readFileSync(suite, 'utf8');
    /** The packages each waiting spare loaded: its arguments (warm-preload.mjs reads them). */
    const loaded = () => [...spares.idle()].map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg === 'zod').join(' ') || 'none');
    try {
      await runner.run(lessons, { runtimeDone: () => {} });
      await vi.waitFor(() => expect(loaded(), 'two spares with no package to load').toEqual(['none', 'none']), { timeout: 15_000 });
      // As if the learner went on to a lesson whose suite loads zod.
      fs.writeFileSync(suite, `import { z } from 'zod';\n${before}`);
      await runner.run(lessons, { runtimeDone: () => {} });
      await vi.waitFor(() => expect(loaded(), 'both spares made anew, loading zod').toEqual(['zod', 'zod']), { timeout: 15_000 });
      // A check in the background, the lesson on screen (its suite loads nothing) named for the spares.
      await runner.run(lessons, {}, { sparesFor: [{ ...lessons[0]!, id: '02-none' }] });
      await vi.waitFor(() => expect(loaded(), 'spares for the lesson named').toEqual(['none', 'none']), { timeout: 15_000 });
    } finally {
      fs.writeFileSync(suite, before);
    }
  });

  test('a lesson whose exercise does not compile does not pass, even with every test green', async () => {
    const lessons = listLessons(root);
    fs.writeFileSync(lessons[0]!.exercise, `${SOLVED}export const oops: number = 'five';\n`);
    const [report] = await runner.run(lessons);
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(report!.tests.every((test) => test.state === 'passed')).toBe(true);
    expect(report!.typeErrors).toEqual([{ text: expect.stringMatching(/^lessons\/01-demo\/exercise\.ts:5:14 /), todos: [] }]);
    expect(passed(report!)).toBe(false);
  });

  test('abort() ends a run stuck in an endless loop, and the next run works', async () => {
    const lessons = listLessons(root);
    fs.writeFileSync(lessons[0]!.exercise, SOLVED.replace('return a + b;', 'while (true) {}'));
    // Early or late, an abort ends the run: before the worker has the file, as soon as it has it.
    const stuck = runner.run(lessons);
    setTimeout(() => runner.abort(), 1_000);
    const [report] = await stuck;
    expect(report!.errors.length, 'the stopped run reports an error').toBeGreaterThan(0);
    fs.writeFileSync(lessons[0]!.exercise, SOLVED);
    const [next] = await runner.run(lessons);
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(passed(next!)).toBe(true);
  });

  test('tells the run-time results before the type tests and the compile check are done', async () => {
    const lessons = listLessons(root);
    const early: string[][] = [];
    const [report] = await runner.run(lessons, { runtimeDone: ([partial]) => early.push(partial!.tests.map((test) => test.name)) });
    expect(early, 'runtimeDone is called once, with the run-time tests only').toEqual([['adds']]);
    expect(report!.tests.map((test) => test.name).sort()).toEqual(['Pair is two numbers', 'adds']);
  });

  test('an abort while only the type checks run ends them at once; the next run checks types again', async () => {
    const lessons = listLessons(root);
    // Let tsc get going (as a save a moment after the verdict would), then stop it.
    const [cut] = await runner.run(lessons, { runtimeDone: () => void setTimeout(() => runner.abort(), 150) });
    expect(cut!.tests.map((test) => test.name), 'the run-time tests are kept').toContain('adds');
    const started = performance.now();
    const [next] = await runner.run(lessons);
    expect(performance.now() - started, 'no waiting on a stopped type checker').toBeLessThan(15_000 * busyFactor());
    expect(next!.errors).toEqual([]);
    expect(next!.tests.map((test) => test.name).sort()).toEqual(['Pair is two numbers', 'adds']);
  });

  test('progress runs a lesson again only when something it depends on changed', async () => {
    const lessons = listLessons(root);
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (writes.push(String(chunk)), true));
    try {
      await runProgress(lessons, false, root);
      const first = writes.join('');
      writes.length = 0;
      const again = await runProgress(lessons, false, root);
      const second = writes.join('');
      writes.length = 0;
      fs.appendFileSync(lessons[0]!.exercise, '// a save\n');
      await runProgress(lessons, false, root);
      const third = writes.join('');
      writes.length = 0;
      await runProgress(lessons, true, root);
      const fresh = writes.join('');
      expect(first, 'the first time, the lesson runs').toMatch(/Checking/);
      expect(second, 'unchanged: the remembered verdict is used').not.toMatch(/Checking/);
      expect(again).toMatch(/0\/2 tests/);
      expect(third, 'after a change to the exercise, it runs again').toMatch(/Checking/);
      expect(fresh, '--fresh runs it whatever').toMatch(/Checking/);
    } finally {
      spy.mockRestore();
      fs.writeFileSync(lessons[0]!.exercise, STUB);
    }
  });

  test('a lesson passes only with tests, none failing', async () => {
    const [report] = await runner.run(listLessons(root));
    expect(passed(report!)).toBe(false);
    expect(passed({ ...report!, tests: [] })).toBe(false);
    const green = { ...report!, errors: [], typeErrors: [], tests: [{ file: 'x', name: 'y', state: 'passed' as const }] };
    expect(passed(green)).toBe(true);
    expect(passed({ ...green, typeErrors: [{ text: 'exercise.ts:1:1 wrong', todos: [1] }] })).toBe(false);
  });

  test('closing stops the spare worker', async () => {
    await runner.run(listLessons(root));
    const spare = spares.pid()!;
    expect(() => process.kill(spare, 0), 'the spare is alive').not.toThrow();
    await runner.close();
    await vi.waitFor(() => expect(() => process.kill(spare, 0), 'the spare is gone').toThrow(), { timeout: 5_000 });
  });
});

/** A one-lesson workbook whose suite is `suite`, opened as the guide opens it; closed and removed after `use`. */
async function withSuite(suite: string, use: (runner: SuiteRunner, root: string) => Promise<void>): Promise<void> {
  const root = makeRunnableWorkbook();
  fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), suite);
  const runner = await SuiteRunner.open('lessons', { root, warm: true });
  try {
    await use(runner, root);
  } finally {
    await runner.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('SuiteRunner, while a run goes', () => {
  test('the other spare is paused while the learner waits for the verdict, and goes on once it is told', async () => {
    if (!fs.existsSync('/proc/self/stat')) return;
    const stateOf = (pid: number) => {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0];
    };
    const suite =
      `import { describe, expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\n` +
      `describe('TODO 1: slow', () => {\n  test('adds, in a while', async () => {\n    await new Promise((resolve) => setTimeout(resolve, 1_500));\n    expect(add(2, 3)).toBe(5);\n  });\n});\n` +
      `describe('TODO 2: after', () => {\n  test('waits', () => new Promise((resolve) => setTimeout(resolve, 1_000)));\n});\n`;
    await withSuite(suite, async (runner, root) => {
      const lessons = listLessons(root);
      await runner.run(lessons, { runtimeDone: () => {} });
      await vi.waitFor(() => expect(spares.idle().size, 'two spares wait').toBe(2), { timeout: 10_000 });
      const [, other] = [...spares.idle()];
      const states: string[] = [];
      await runner.run(lessons, {
        // The slow test has started: the run has its worker, and the learner waits.
        testStarted: () => states.push(`waiting: ${stateOf(other!)}`),
        todoAtHand: () => states.push(`told: ${stateOf(other!)}`),
        runtimeDone: () => {},
      });
      expect(states, 'the other spare: stopped (T) while the slow test ran, going on (not T) once the verdict was told').toEqual(['waiting: T', expect.stringMatching(/^told: [^T]$/), expect.stringMatching(/^waiting: [^T]$/)]);
      expect(stateOf(other!), 'after the run').not.toBe('T');
    });
  }, 60_000);

  test('tells the TODO at hand once its tests have finished, and again only as it or the earlier TODOs still running change', async () => {
    const wait = (ms: number) => `() => new Promise((resolve) => setTimeout(resolve, ${ms}))`;
    const suite =
      `import { describe, expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\n` +
      `describe('TODO 1: first', () => {\n  test('adds', () => expect(add(2, 3)).toBe(5));\n});\n` +
      `describe('TODO 2: second', () => {\n  test('fails', () => expect(add(1, 1)).toBe(3));\n  test('takes a while', ${wait(300)});\n});\n` +
      `describe('TODO 3: third', () => {\n  test('waits long', ${wait(2_000)});\n});\n`;
    await withSuite(suite, async (runner, root) => {
      const lessons = listLessons(root);
      fs.writeFileSync(lessons[0]!.exercise, SOLVED);
      const told: { names: string[]; stillRunning: number[]; at: number }[] = [];
      const nices: number[][] = [];
      const [report] = await runner.run(lessons, {
        todoAtHand: (partial, stillRunning) => {
          told.push({ names: partial.tests.map((test) => test.name), stillRunning, at: performance.now() });
          if (fs.existsSync('/proc/self/stat')) nices.push(childrenOfThis().map(niceOf));
        },
        runtimeDone: () => {},
      });
      const ended = performance.now();
      // Not right after 'fails': TODO 2 still had a test to finish. Not after the last test either.
      expect(told.map(({ names, stillRunning }) => ({ names, stillRunning })), 'told once, when TODO 2 had finished, with what was still to come').toEqual([
        { names: ['TODO 1: first > adds', 'TODO 2: second > fails', 'TODO 2: second > takes a while'], stillRunning: [3] },
      ]);
      expect(ended - told[0]!.at, 'told while TODO 3 still ran').toBeGreaterThan(1_000);
      if (fs.existsSync('/proc/self/stat')) {
        // The guide's workers yield to it (nice 5), and once a run's verdict is on screen, the rest of the run yields to the next spare (10).
        expect(nices[0], 'the nice values of the child processes once the verdict was told: the run\'s worker lowered to 10').toContain(10);
        await vi.waitFor(() => expect(spares.pid(), 'a spare after the run').toBeDefined(), { timeout: 10_000 });
        expect(niceOf(spares.pid()!), 'the spare\'s nice value').toBe(5);
      }
      expect(report!.tests.find((test) => test.name === 'TODO 3: third > waits long')?.state, 'the run went on to the end').toBe('passed');
      fs.writeFileSync(lessons[0]!.exercise, SOLVED.replace('a + b', 'a + b + 1'));
      const first: number[][] = [];
      await runner.run(lessons, { todoAtHand: (_partial, stillRunning) => first.push(stillRunning) });
      expect(first, 'TODO 1 failing: told with TODOs 2 and 3 to come, and not again as they end').toEqual([[2, 3]]);
    });
  });

  test('runs the TODO blocks in the order asked for: from the TODO at hand, told before the TODOs before it have run; last TODO first', async () => {
    const log = path.join(os.tmpdir(), `workbook-run-order-${process.pid}.txt`);
    // Each test waits: vitest sends results in batches, and tests that end together arrive together.
    // TODOs 1–2 and the test outside wait longest, so that each tell comes before the next test ends.
    const ran = (name: string) =>
      `test('${name}', async () => {\n  fs.appendFileSync(${JSON.stringify(log)}, '${name}\\n');\n  await new Promise((resolve) => setTimeout(resolve, ${['one', 'two', 'outside'].includes(name) ? 1_000 : 300}));\n  expect(add(1, 1)).toBe(${name === 'three' ? 3 : 2});\n});`;
    const suite =
      `import fs from 'node:fs';\nimport { describe, expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\n` +
      ['one', 'two', 'three', 'four'].map((name, index) => `describe('TODO ${index + 1}: ${name}', () => {\n  ${ran(name)}\n});\n`).join('') +
      `${ran('outside')}\n`;
    await withSuite(suite, async (runner, root) => {
      const lessons = listLessons(root);
      fs.writeFileSync(lessons[0]!.exercise, SOLVED);
      const order = () => fs.readFileSync(log, 'utf8').trim().split('\n');
      try {
        const told: { names: string[]; stillRunning: number[] }[] = [];
        const [report] = await runner.run(lessons, { todoAtHand: (partial, stillRunning) => told.push({ names: partial.tests.map((test) => test.name), stillRunning }) }, { order: { from: 3 } });
        expect(order(), 'TODO 3 and after, then TODOs 1–2, then the rest').toEqual(['three', 'four', 'one', 'two', 'outside']);
        expect(told[0]?.names.filter((name) => /^TODO [12]:/.test(name)), 'told before TODOs 1–2 had run').toEqual([]);
        expect(told[0]?.names, 'told with TODO 3 done').toContain('TODO 3: three > three');
        expect(told[0]?.stillRunning.slice(0, 2), 'told with TODOs 1–2 still to come').toEqual([1, 2]);
        expect(told.map(({ stillRunning }) => stillRunning), 'told again once TODO 1 had run').toContainEqual([2]);
        expect(report!.tests.filter((test) => test.state === 'failed').map((test) => test.name), 'every test ran, each with its verdict').toEqual(['TODO 3: three > three']);
        fs.rmSync(log);
        await runner.run(lessons, {}, { order: 'reverse' });
        expect(order()).toEqual(['four', 'three', 'two', 'one', 'outside']);
        fs.rmSync(log);
        await runner.run(lessons);
        expect(order(), 'as written when no order is asked for').toEqual(['one', 'two', 'three', 'four', 'outside']);
      } finally {
        fs.rmSync(log, { force: true });
      }
    });
  });

  test('abort() stops its own run only: another vitest running beside it (as the check runs two) goes on', async () => {
    const slow = `import { expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\ntest('adds, slowly', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 3_000));\n  expect(add(2, 3)).toBe(5);\n});\n`;
    await withSuite(slow, async (beside, besideRoot) => {
      fs.writeFileSync(listLessons(besideRoot)[0]!.exercise, SOLVED);
      await withSuite(slow, async (runner, root) => {
        const started = { beside: false, stopped: false };
        const goesOn = beside.run(listLessons(besideRoot), { testStarted: () => void (started.beside = true) });
        const stopped = runner.run(listLessons(root), { testStarted: () => void (started.stopped = true) });
        await vi.waitFor(() => expect(started, 'both runs have started their test').toEqual({ beside: true, stopped: true }), { timeout: 30_000 });
        runner.abort();
        await stopped;
        const [report] = await goesOn;
        expect(report!.errors, 'the run beside: no error').toEqual([]);
        expect(report!.tests.map((test) => test.state), 'the run beside: its test passed').toEqual(['passed', 'passed']);
      });
    });
  });

  test('abort() during the run-time tests stops what a test started too, and skips the type checks', async () => {
    const pidFile = path.join(os.tmpdir(), `workbook-run-server-${process.pid}.pid`);
    // A test that starts a long-lived process, as lesson 10's suite starts its servers, and waits.
    const suite =
      `import { spawn } from 'node:child_process';\nimport fs from 'node:fs';\nimport { test } from 'vitest';\n` +
      `test('starts a server', async () => {\n  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });\n` +
      `  fs.writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));\n  await new Promise((resolve) => setTimeout(resolve, 60_000));\n}, 90_000);\n`;
    await withSuite(suite, async (runner, root) => {
      try {
        // As the guide runs it: the type checks after the run-time tests.
        const run = runner.run(listLessons(root), { runtimeDone: () => {} });
        await vi.waitFor(() => expect(fs.existsSync(pidFile)).toBe(true), { timeout: 20_000 });
        const server = Number(fs.readFileSync(pidFile, 'utf8'));
        runner.abort();
        const [report] = await run;
        await vi.waitFor(() => expect(isRunning(server) && !isZombie(server), 'the test\'s process is gone with its worker').toBe(false), { timeout: 5_000 });
        expect(report!.tests.map((test) => test.name), 'no type test ran for the stopped run').not.toContain('Pair is two numbers');
      } finally {
        fs.rmSync(pidFile, { force: true });
      }
    });
  });
});
