import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { chooseTests, CannotDebugError, freePort, lessonInPath, namePattern, parseDebugArgs } from '../debug.ts';
import { applyKey } from '../keys.ts';
import type { Lesson } from '../lessons.ts';
import type { TestOutcome } from '../outcome.ts';
import type { GuideView } from '../screen.ts';
import { isRunning } from '../state.ts';
import type { Verdict } from '../verdicts.ts';
import { makeRunnableWorkbook } from './fixture.ts';

describe('the debug command\'s arguments', () => {
  test.each([
    [[], { lesson: undefined, words: undefined, all: false }],
    [['03'], { lesson: '03', words: undefined, all: false }],
    [['3', '-t', 'returns 404'], { lesson: '3', words: 'returns 404', all: false }],
    [['-t=returns 404', '03-endpoints'], { lesson: '03-endpoints', words: 'returns 404', all: false }],
    [['--test', ' returns 404 '], { lesson: undefined, words: 'returns 404', all: false }],
    [['03', '--all'], { lesson: '03', words: undefined, all: true }],
  ])('%j', (args, request) => {
    expect(parseDebugArgs(args)).toEqual(request);
  });

  test.each([
    ['lessons/03-endpoints/exercise.ts', '03-endpoints'],
    ['tests/03-endpoints.test.ts', '03-endpoints'],
    ['tests/02-union-types.test-d.ts', '02-union-types'],
    ['solutions/10-stop-and-report/exercise.ts', '10-stop-and-report'],
    ['lessons\\07-udp\\hints.md', '07-udp'],
    ['/home/ada/workbook/lessons/01-models/README.md', '01-models'],
  ])('a file stands for its lesson (VS Code passes the one open): %s', (file, id) => {
    expect(lessonInPath(file)).toBe(id);
    expect(parseDebugArgs([file]).lesson).toBe(id);
  });

  test('a file of no lesson means the current lesson', () => {
    expect(parseDebugArgs(['README.md']).lesson).toBeUndefined();
    expect(parseDebugArgs(['workbook/debug.ts']).lesson).toBeUndefined();
  });

  test.each([[['-t']], [['03', '-t', '  ']], [['--port', '9230']], [['03', '04']], [['-t', 'x', '--all']]])('%j is refused with a sentence', (args) => {
    expect(() => parseDebugArgs(args)).toThrow(CannotDebugError);
  });
});

describe('the test it stops at', () => {
  const lesson = { number: '03', id: '03-endpoints' } as Lesson;
  const suite = 'tests/03-endpoints.test.ts';
  const outcome = (name: string, state: TestOutcome['state'], file = suite): TestOutcome => ({ file, name, state });
  const verdict = (tests: TestOutcome[], errors: string[] = []): Verdict => ({ key: 'k', tests, errors, typeErrors: [] });
  const request = { lesson: '03', words: undefined, all: false };
  const tests = [
    outcome('TODO 1: app > answers 404', 'passed'),
    outcome('TODO 2: schemas > refuses ""', 'passed'),
    outcome('TODO 2: schemas > takes "7" (a string) as 7?', 'failed'),
    outcome('TODO 3: list > pages', 'failed'),
  ];

  test('by default the first failing test of the TODO the learner is on, matched whole', () => {
    const typeTest = outcome('TODO 2: schemas > the type of a user', 'failed', 'tests/03-endpoints.test-d.ts');
    const choice = chooseTests(lesson, verdict([tests[0]!, tests[1]!, typeTest, tests[2]!, tests[3]!]), request);
    // vitest matches the describe blocks and the name joined by spaces.
    expect(choice.pattern?.test('TODO 2: schemas takes "7" (a string) as 7?')).toBe(true);
    expect(choice.pattern?.test('TODO 2: schemas takes "7" (a string) as 7? again')).toBe(false);
    expect(choice.pattern?.test('TODO 2: schemas > takes "7" (a string) as 7?')).toBe(true);
    expect(choice.lines.join('\n')).toContain('TODO 2: schemas > takes "7" (a string) as 7?');
    expect(choice.lines.join('\n')).toContain('TODO 2');
  });

  test('when the TODO the learner is on fails only in type tests, the first failing run-time test after it', () => {
    const typeTest = outcome('TODO 2: schemas > the type of a user', 'failed', 'tests/03-endpoints.test-d.ts');
    const choice = chooseTests(lesson, verdict([tests[0]!, tests[1]!, typeTest, tests[3]!]), request);
    expect(choice.pattern?.test('TODO 3: list pages')).toBe(true);
    expect(choice.lines[0]).toContain('TODO 3');
    expect(choice.lines[0]).not.toContain('the one you are on');
  });

  test('after a run that broke off (a loop stopped), a test that never ran counts as unfinished', () => {
    const stuck = [tests[0]!, outcome('TODO 2: schemas > loops', 'skipped'), tests[3]!];
    expect(chooseTests(lesson, verdict(stuck, ['stopped']), request).pattern?.test('TODO 2: schemas loops')).toBe(true);
  });

  test('with only type tests failing, or nothing, the whole suite', () => {
    const typeTest = outcome('TODO 2: schemas > the type of a user', 'failed', 'tests/03-endpoints.test-d.ts');
    expect(chooseTests(lesson, verdict([tests[0]!, typeTest]), request).pattern).toBeUndefined();
    expect(chooseTests(lesson, verdict([tests[0]!]), request).pattern).toBeUndefined();
    expect(chooseTests(lesson, verdict([tests[0]!]), request).lines.join(' ')).toMatch(/whole suite/);
  });

  test('-t takes words of a name, as typed, in any case; --all takes everything', () => {
    const words = chooseTests(lesson, verdict(tests), { ...request, words: '(a STRING) as 7?' });
    expect(words.pattern?.test('TODO 2: schemas takes "7" (a string) as 7?')).toBe(true);
    expect(words.pattern?.test('TODO 3: list pages')).toBe(false);
    expect(chooseTests(lesson, verdict(tests), { ...request, words: 'schemas > takes' }).pattern?.test('TODO 2: schemas takes "7"')).toBe(true);
    expect(() => chooseTests(lesson, verdict(tests), { ...request, words: 'no such test' })).toThrow(CannotDebugError);
    expect(chooseTests(lesson, verdict(tests), { ...request, all: true }).pattern).toBeUndefined();
  });

  test('namePattern escapes what a regular expression would read', () => {
    expect(namePattern('a.b (c) [d] {e} $f ^g | h + i *', true).test('a.b (c) [d] {e} $f ^g | h + i *')).toBe(true);
    expect(namePattern('a.b', true).test('axb')).toBe(false);
  });
});

describe('d in the guide', () => {
  test('says which command to run in another terminal, for the lesson on screen', () => {
    const lesson = { number: '03', id: '03-endpoints' } as Lesson;
    const view: GuideView = { lessons: [lesson], reports: new Map(), stale: new Set(), rechecked: [], untouched: new Set(), current: lesson };
    expect(applyKey(view, 'd')).toEqual({ kind: 'show' });
    expect(view.notice).toMatchObject({ lesson: '03-endpoints', transient: true });
    expect(view.notice?.text).toMatch(/another terminal/);
    // The command has a line of its own, so copying it from the terminal takes nothing else.
    expect(view.notice?.text.split('\n')).toContain('  npm run debug -- 03');
  });

  test('with every lesson done, says there is nothing to debug', () => {
    const view: GuideView = { lessons: [], reports: new Map(), stale: new Set(), rechecked: [], untouched: new Set(), current: undefined };
    applyKey(view, 'd');
    expect(view.notice?.text).toMatch(/no failing test to debug/);
  });
});

describe('the inspector\'s port', () => {
  test('9229 or the next free one, on 127.0.0.1', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const found = await freePort(port);
      expect(found).toBeGreaterThan(port);
    } finally {
      taken.close();
    }
  });
});

/** A process's own and all its children's ids, from pgrep (as run-suites.ts stops them). */
function children(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Ends a debug command and its test process, whatever state a failed test left them in. */
function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** On Node 20 the WebSocket the inspector client needs is behind a flag; later it is built in. */
const websocketFlag = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];

describe('npm run debug in a workbook of its own', () => {
  let root: string;
  beforeAll(() => {
    root = makeRunnableWorkbook(true);
    // The suites' shape: tests under `describe('TODO N: …')`; the first one fails, the second is another TODO's.
    fs.writeFileSync(
      path.join(root, 'tests', '01-demo.test.ts'),
      "import { describe, expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\n" +
        "describe('TODO 2: add', () => {\n  test('adds two numbers', () => expect(add(2, 3)).toBe(5));\n  test('adds a negative number', () => expect(add(2, -3)).toBe(-1));\n});\n",
    );
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** `npm run debug -- …` as package.json starts it, in its own process group as a shell runs it. */
  function startDebug(...args: string[]) {
    const child = spawn(process.execPath, ['workbook/launch.mjs', 'debug', ...args], { cwd: root, detached: true, env: { ...process.env, WORKBOOK_TARGET: undefined } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp) => {
      await vi.waitFor(() => expect(output, 'the output so far').toMatch(pattern), { timeout: 45_000, interval: 50 });
      return output.match(pattern)!;
    };
    return { child, output: () => output, exited, waitFor };
  }

  test('it stops before the first failing test with the exercise loaded, then at a breakpoint in the exercise, and reports that test only', async () => {
    const debug = startDebug('01');
    try {
      const [, url, port] = await debug.waitFor(/waits for a debugger at (ws:\/\/127\.0\.0\.1:(\d+)\/[\w-]+)/);
      expect(Number(port)).toBeGreaterThanOrEqual(9229);
      // The steps' last line: a pipe may deliver them in pieces.
      await debug.waitFor(/Ctrl-C stops everything/);
      const steps = debug.output();
      expect(steps).toContain('Lesson 01 — A demo');
      expect(steps).toMatch(/the first failing one of TODO 2.*\n +TODO 2: add > adds two numbers\n/);
      expect(steps).toContain('chrome://inspect');
      expect(steps).toContain(`devtools://devtools/bundled/js_app.html?ws=${url!.slice('ws://'.length)}`);
      expect(steps).toContain('"Attach to npm run debug"');
      expect(steps).toContain('workbook/debug-pause.mjs');
      expect(steps).toContain('lessons/01-demo/exercise.ts');

      const client = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [...websocketFlag, path.join(here, 'inspector-client.mjs'), url!, '/lessons/01-demo/exercise.ts', 'not written yet'], { timeout: 45_000 }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      const stops = client.trim().split('\n').map((line) => JSON.parse(line) as { url: string; functionName: string; breakpointSet?: boolean });
      expect(stops, client).toHaveLength(2);
      expect(stops[0]!.url, 'the first stop').toMatch(/\/workbook\/debug-pause\.mjs$/);
      expect(stops[0]!.breakpointSet, 'the exercise is loaded by then').toBe(true);
      expect(stops[1], 'the second stop, at the breakpoint').toMatchObject({ functionName: 'add' });
      expect(stops[1]!.url).toMatch(/\/lessons\/01-demo\/exercise\.ts$/);

      expect(await debug.exited, `the test failed:\n${debug.output()}`).toBe(1);
      expect(debug.output()).toMatch(/✗ TODO 2: add > adds two numbers\n +add is not written yet/);
      expect(debug.output(), 'the other test was not run').not.toContain('adds a negative number');
    } finally {
      stopGroup(debug.child.pid!);
    }
  });

  test('Ctrl-C while it waits ends the test process too, and frees the port', async () => {
    const debug = startDebug('01', '--all');
    try {
      const [, port] = await debug.waitFor(/at ws:\/\/127\.0\.0\.1:(\d+)\//);
      expect(debug.output()).toContain('Debugging the whole suite.');
      const worker = children(debug.child.pid!);
      expect(worker.length, 'a test process').toBeGreaterThan(0);
      // A terminal sends Ctrl-C to the whole foreground group.
      process.kill(-debug.child.pid!, 'SIGINT');
      expect(await debug.exited).toBe(130);
      // A process just killed may linger a moment as a zombie, until it is reaped.
      await vi.waitFor(() => expect(worker.filter(isRunning), 'no test process left').toEqual([]), { timeout: 5_000 });
      const reply = await fetch(`http://127.0.0.1:${port}/json/list`).catch(() => undefined);
      expect(reply, 'nothing listens on the inspector port').toBeUndefined();
    } finally {
      stopGroup(debug.child.pid!);
    }
  });

  test('a wrong lesson lists the lessons, and a wrong option says how to call it', async () => {
    const lesson = startDebug('99');
    expect(await lesson.exited).toBe(2);
    expect(lesson.output()).toContain('01-demo');
    const option = startDebug('01', '--port', '1');
    expect(await option.exited).toBe(2);
    expect(option.output()).toContain('Usage: npm run debug -- [NN]');
  });

  test('VS Code\'s test explorer lists the lesson\'s tests and runs them against the learner\'s file, as the extension calls vitest', async () => {
    // Failing tests make vitest set the exit code: the result line is what counts.
    const extension = (mode: string) =>
      new Promise<string>((resolve) =>
        execFile(
          process.execPath,
          [path.join(here, 'vscode-extension.mjs'), 'tests/01-demo.test.ts', mode],
          // The extension's worker: started in the config's folder, with the environment it sets.
          { cwd: root, timeout: 90_000, env: { ...process.env, WORKBOOK_TARGET: undefined, VITEST_VSCODE: 'true', TEST: 'true', VITEST: 'true', NODE_ENV: 'test' } },
          (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
        ),
      );
    for (const mode of ['run', 'debug']) {
      const output = await extension(mode);
      const line = output.split('\n').find((row) => row.startsWith('RESULT '));
      expect(line, output).toBeDefined();
      const result = JSON.parse(line!.slice('RESULT '.length)) as { files: { file: string }[]; listed: string[]; ran: { name: string; state: string; message?: string }[] };
      expect(result.files.map((entry) => entry.file).sort(), mode).toEqual(['tests/01-demo.test-d.ts', 'tests/01-demo.test.ts']);
      expect(result.listed, mode).toEqual(['TODO 2: add > adds two numbers', 'TODO 2: add > adds a negative number']);
      expect(result.ran, `${mode}: the learner's stub ran`).toEqual([
        { name: 'TODO 2: add > adds two numbers', state: 'failed', message: 'add is not written yet' },
        { name: 'TODO 2: add > adds a negative number', state: 'failed', message: 'add is not written yet' },
      ]);
    }
  });
});
