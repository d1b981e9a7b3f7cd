import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ROOT } from '../target.ts';
import { makeRunnableWorkbook, SOLVED, STUB } from './fixture.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (or kills it after `timeout`), without a terminal. */
function run(command: string, args: string[], cwd: string, timeout = 90_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, env: { ...process.env, FORCE_COLOR: undefined } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The CLI the way `npm run` starts it. */
function cli(...args: string[]): Promise<Ran> {
  return run(process.execPath, ['--import', 'tsx', 'workbook/cli.ts', ...args], ROOT, 50_000);
}

describe('the command line', () => {
  test.each([
    ['hint', '99'],
    ['reset', 'nope'],
    ['example', '0'],
    ['test', '123'],
  ])('`%s %s` exits non-zero and lists the lessons', async (...args) => {
    const { code, stderr } = await cli(...args);
    expect(code).not.toBe(0);
    expect(stderr).toContain('01-models');
  });
});

describe('npm test in a workbook of its own', () => {
  let root: string;
  beforeAll(() => {
    root = makeRunnableWorkbook(true);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  // As package.json's scripts start it.
  const testCommand = ['workbook/launch.mjs', 'test', '01'];

  test('piped, it prints each failing test with its own message, plainly, and ends', async () => {
    const { code, stdout } = await run(process.execPath, testCommand, root);
    expect(code, 'a failing lesson exits 1').toBe(1);
    expect(stdout).toMatch(/✗ adds\n +add is not written yet/);
    expect(stdout).toMatch(/✗ \(type test\) Pair is two numbers\n +the type is/);
    expect(stdout).toMatch(/0 of 1 lesson\(s\) pass/);
    expect(stdout, 'no colour codes in a pipe').not.toMatch(/\x1b\[/);
  });

  test('on a terminal, it prints the same messages and ends', async () => {
    const line = [process.execPath, ...testCommand].join(' ');
    // script(1) gives the command a pseudo-terminal, as a learner's shell does.
    const { stdout } = await run('script', ['-qec', line, '/dev/null'], root);
    const text = stdout.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('\r', '');
    expect(text).toMatch(/✗ adds\n +add is not written yet/);
    expect(text).toMatch(/0 of 1 lesson\(s\) pass/);
  });

  test('the guide runs a save made while a run is going once that run ends', async () => {
    const exercise = `${root}/lessons/01-demo/exercise.ts`;
    // script(1) gives the guide the terminal it needs; its keys come through script's stdin.
    const guide = spawn('script', ['-qfec', `${process.execPath} workbook/launch.mjs guide`, '/dev/null'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    guide.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => guide.on('exit', resolve));
    /** The screens drawn since `from` (each one starts by clearing the terminal). */
    const screensSince = (from: number) => output.slice(from).split('\x1b[2J').slice(1);
    const waitForScreen = (from: number, wanted: (screen: string) => boolean, what: string) =>
      vi.waitFor(() => expect(screensSince(from).some(wanted), `${what}; last screen:\n${screensSince(0).at(-1)}`).toBe(true), { timeout: 30_000, interval: 20 });
    try {
      await waitForScreen(0, (screen) => /\b0 of \d+ tests pass/.test(screen) && !/Running/.test(screen), 'the first verdict');
      let from = output.length;
      fs.writeFileSync(exercise, SOLVED);
      await waitForScreen(from, (screen) => /Running/.test(screen), 'the save is seen');
      from = output.length;
      fs.writeFileSync(exercise, STUB);
      await waitForScreen(from, (screen) => /\b0 of \d+ tests pass/.test(screen) && !/Running/.test(screen), 'the verdict of the second save');
    } finally {
      guide.stdin.write('q');
      fs.writeFileSync(exercise, STUB);
      await exited;
    }
  });

  test('the guide without a terminal and progress bring verdicts up to date the same way, each using what the other ran', async () => {
    const exercise = `${root}/lessons/01-demo/exercise.ts`;
    const command = (name: string) => run(process.execPath, ['workbook/launch.mjs', name], root);
    fs.rmSync(`${root}/.workbook/verdicts.json`, { force: true });
    // Recorded as its start: the lesson is "not started" until the first change.
    fs.writeFileSync(`${root}/workbook/starts.json`, JSON.stringify({ '01-demo': STUB }));
    try {
      const guide = await command('guide');
      expect(guide.code).toBe(0);
      expect(guide.stdout, 'the stale lesson is run, with its mark').toMatch(/^Checking every lesson: 01 ○\n/);
      expect(guide.stdout).toMatch(/0\/1 lessons/);
      expect(guide.stdout).toMatch(/edit {2}lessons\/01-demo\/exercise\.ts/);
      expect(guide.stdout.match(/FastAPI ways in TypeScript — the guide/g), 'the screen is printed once').toHaveLength(1);
      const progress = await command('progress');
      expect(progress.stdout, 'the guide\'s verdict is remembered').not.toMatch(/Checking/);
      expect(progress.stdout).toMatch(/○ 01-demo +not started/);

      fs.appendFileSync(exercise, '// started\n');
      const changed = await command('progress');
      expect(changed.stdout, 'a change makes it stale; started and failing, it is ✗ now').toMatch(/^Checking every lesson: 01 ✗\n[\s\S]*✗ 01-demo +0\/2 tests/);
      expect((await command('guide')).stdout, 'progress\'s verdict is remembered').not.toMatch(/Checking/);
    } finally {
      fs.writeFileSync(exercise, STUB);
      fs.rmSync(`${root}/workbook/starts.json`, { force: true });
    }
  });

  test('hint without a lesson number uses the lesson the guide showed last', async () => {
    fs.mkdirSync(`${root}/.workbook`, { recursive: true });
    fs.writeFileSync(`${root}/.workbook/state.json`, JSON.stringify({ hintsShown: {}, current: '01-demo' }));
    const { code, stdout } = await run(process.execPath, ['workbook/launch.mjs', 'hint'], root);
    expect(code).toBe(0);
    expect(stdout).toContain('Add them.');
  });

  test('the launcher builds the runner once per version of its sources, and again after a change', async () => {
    const builds = () => (fs.existsSync(`${root}/.workbook/runner`) ? fs.readdirSync(`${root}/.workbook/runner`) : []);
    const hint = () => run(process.execPath, ['workbook/launch.mjs', 'hint', '01'], root);
    expect((await hint()).stdout).toContain('Add them.');
    const first = builds();
    expect(first).toHaveLength(1);
    expect((await hint()).stdout).toContain('Add them.');
    expect(builds(), 'the same sources reuse the build').toEqual(first);
    fs.appendFileSync(`${root}/workbook/hints.ts`, '\n// a maintainer\'s change\n');
    const after = await hint();
    expect(after.code).toBe(0);
    expect(builds(), 'a changed source gives a new build, and the old one goes').not.toEqual(first);
    expect(builds()).toHaveLength(1);
  });
});
