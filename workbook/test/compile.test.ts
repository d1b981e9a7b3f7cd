import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { tscFailure, typeErrors } from '../compile.ts';
import { listLessons } from '../lessons.ts';
import { tscCommand } from '../tsc-command.mjs';
import { useLanguage } from '../messages.ts';
import { makeRunnableWorkbook, slowToCheck, STUB } from './fixture.ts';

/** Solved, but with two type errors in add (TODO 2), its TODO comments gone. */
const MISTYPED = `export type Pair = [number, number];
export function add(a: number, b: number): number {
  const sum: string = a + b;
  return sum;
}
`;

describe('the compile check', () => {
  let root: string;
  beforeAll(() => {
    root = makeRunnableWorkbook();
    fs.writeFileSync(path.join(root, 'workbook', 'starts.json'), JSON.stringify({ '01-demo': STUB }));
    fs.writeFileSync(listLessons(root)[0]!.exercise, MISTYPED);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  afterEach(() => useLanguage('en'));

  test('gives each error the TODO whose code holds it, found through the start once the TODO comments are gone', async () => {
    const errors = (await typeErrors('lessons', listLessons(root), root)).get('01-demo');
    expect(errors).toEqual([
      { text: expect.stringMatching(/^lessons\/01-demo\/exercise\.ts:3:9 Type 'number' is not assignable to type 'string'\./), todos: [2] },
      { text: expect.stringMatching(/^lessons\/01-demo\/exercise\.ts:4:3 Type 'string' is not assignable to type 'number'\./), todos: [2] },
    ]);
  });

  test('at low priority (the guide), tsc runs below the usual priority and still finds the errors', async () => {
    const niceOfTsc = new Set<number>();
    const watch = setInterval(() => {
      const rows = execFileSync('ps', ['-A', '-o', 'ppid=', '-o', 'ni=', '-o', 'args='], { encoding: 'utf8' }).split('\n');
      for (const row of rows) {
        const [ppid, nice] = row.trim().split(/\s+/);
        if (Number(ppid) === process.pid && row.includes(tscCommand(root)[0])) niceOfTsc.add(Number(nice));
      }
    }, 20);
    try {
      const errors = (await typeErrors('lessons', listLessons(root), root, undefined, { lowPriority: true })).get('01-demo');
      expect(errors).toHaveLength(2);
    } finally {
      clearInterval(watch);
    }
    expect([...niceOfTsc], 'the nice values tsc was seen with').toEqual([10]);
  });

  test('stopped, tsc ends at once, and the answer comes once it has (TypeScript 7\'s compiler checks on after a SIGTERM)', async () => {
    const exercise = listLessons(root)[0]!.exercise;
    fs.writeFileSync(exercise, `${MISTYPED}${slowToCheck()}`);
    const ours = () => execFileSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).split('\n').filter((row) => row.includes(`tsconfig.exercises-${process.pid}-`));
    try {
      const stop = new AbortController();
      const checking = typeErrors('lessons', listLessons(root), root, stop.signal);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(ours().length, 'tsc checking the slow exercise').toBeGreaterThan(0);
      const stopped = performance.now();
      stop.abort();
      const found = await checking;
      expect(ours(), 'tsc processes left once the check has answered').toEqual([]);
      // Stopped on purpose: what tsc said so far, not a complaint that it did not finish.
      for (const error of found.get('01-demo') ?? []) expect(error.text, 'an error after the stop').toMatch(/^lessons\/01-demo\/exercise\.ts:\d+:\d+ /);
      expect(performance.now() - stopped, 'ms from the stop to the answer (checking it all takes seconds)').toBeLessThan(1_000);
    } finally {
      fs.writeFileSync(exercise, MISTYPED);
    }
  });

  test('a tsc that crashes checks nothing: each exercise gets an error saying so, not a pass', async () => {
    const broken = makeRunnableWorkbook();
    try {
      // Its typescript package: a tsc that fails before checking anything.
      fs.rmSync(path.join(broken, 'node_modules'));
      const typescript = path.join(broken, 'node_modules', 'typescript');
      fs.mkdirSync(path.join(typescript, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(typescript, 'package.json'), '{ "name": "typescript", "version": "0.0.0" }\n');
      fs.writeFileSync(path.join(typescript, 'bin', 'tsc'), "process.stderr.write('out of memory, say\\n');\nprocess.exit(3);\n");
      const errors = (await typeErrors('lessons', listLessons(broken), broken)).get('01-demo');
      expect(errors, 'the compile check of an exercise tsc never checked').toEqual([{ text: expect.stringContaining('out of memory, say'), todos: [] }]);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });

  test('tsc did not check when it could not start, was killed, or failed without an error TS line', () => {
    const ran = { code: 0, signal: null, output: '' };
    expect(tscFailure(ran), 'no errors').toBeUndefined();
    expect(tscFailure({ ...ran, code: 2, output: "a.ts(1,7): error TS2322: Type 'number' is not assignable to type 'string'.\n" }), 'errors found').toBeUndefined();
    expect(tscFailure({ ...ran, code: -2, startError: 'spawn tsc ENOENT' }), 'could not start').toContain('ENOENT');
    expect(tscFailure({ ...ran, code: null, signal: 'SIGKILL' }), 'killed').toContain('SIGKILL');
    expect(tscFailure({ ...ran, code: 1, output: 'error: unknown option --frobnicate\n' }), 'failed, no error TS line').toContain('--frobnicate');
  });

  test('in Korean, tsc says it in Korean (typescript ships its Korean messages: --locale ko)', async () => {
    useLanguage('ko');
    const errors = (await typeErrors('lessons', listLessons(root), root)).get('01-demo');
    expect(errors?.[0]?.text).toMatch(/^lessons\/01-demo\/exercise\.ts:3:9 'number' 형식은 'string' 형식에 할당할 수 없습니다\./);
  });
});
