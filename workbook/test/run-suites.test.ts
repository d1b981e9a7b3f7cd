import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listLessons } from '../lessons.ts';
import { passed, SuiteRunner } from '../run-suites.ts';
import { ROOT } from '../target.ts';

const STUB = `export type Pair = unknown; // TODO 1
export function add(a: number, b: number): number {
  throw new Error('add is not written yet'); // TODO 2
}
`;
const SOLVED = `export type Pair = [number, number];
export function add(a: number, b: number): number {
  return a + b;
}
`;

/** A one-lesson workbook with the real vitest config and switch, so runs are real but isolated. */
function makeRunnableWorkbook(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-run-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const copied = [
    'vitest.config.ts',
    'tsconfig.json',
    'tsconfig.solutions.json',
    'package.json',
    'workbook/target.ts',
    'workbook/tsconfig.typetests.lessons.json',
    'workbook/tsconfig.typetests.solutions.json',
  ];
  for (const file of copied) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
  }
  fs.mkdirSync(path.join(root, 'lessons', '01-demo'), { recursive: true });
  fs.mkdirSync(path.join(root, 'tests'));
  fs.writeFileSync(path.join(root, 'lessons', '01-demo', 'exercise.ts'), STUB);
  fs.writeFileSync(
    path.join(root, 'tests', '01-demo.test.ts'),
    `import { expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\ntest('adds', () => expect(add(2, 3)).toBe(5));\n`,
  );
  fs.writeFileSync(
    path.join(root, 'tests', '01-demo.test-d.ts'),
    `import { expectTypeOf, test } from 'vitest';\nimport type { Pair } from '#exercise/01-demo';\ntest('Pair is two numbers', () => expectTypeOf<Pair>().toEqualTypeOf<[number, number]>());\n`,
  );
  return root;
}

describe('SuiteRunner', () => {
  let root: string;
  let runner: SuiteRunner;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    runner = await SuiteRunner.open('lessons', root);
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('reruns see every change to the exercise, run-time tests and type tests alike', async () => {
    const lessons = listLessons(root);
    const states = async () => {
      const [report] = await runner.run(lessons);
      return Object.fromEntries(report!.tests.map((test) => [test.name, test.state]));
    };
    expect(await states()).toEqual({ adds: 'failed', 'Pair is two numbers': 'failed' });
    fs.writeFileSync(lessons[0]!.exercise, SOLVED);
    expect(await states()).toEqual({ adds: 'passed', 'Pair is two numbers': 'passed' });
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(await states()).toEqual({ adds: 'failed', 'Pair is two numbers': 'failed' });
  });

  test('a lesson whose exercise does not compile does not pass, even with every test green', async () => {
    const lessons = listLessons(root);
    fs.writeFileSync(lessons[0]!.exercise, `${SOLVED}export const oops: number = 'five';\n`);
    const [report] = await runner.run(lessons);
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(report!.tests.every((test) => test.state === 'passed')).toBe(true);
    expect(report!.typeErrors).toEqual([expect.stringMatching(/^lessons\/01-demo\/exercise\.ts:5:14 /)]);
    expect(passed(report!)).toBe(false);
  });

  test('abort() ends a run stuck in an endless loop, and the next run works', async () => {
    const lessons = listLessons(root);
    fs.writeFileSync(lessons[0]!.exercise, SOLVED.replace('return a + b;', 'while (true) {}'));
    const stuck = runner.run(lessons);
    setTimeout(() => runner.abort(), 1_500);
    const [report] = await stuck;
    expect(report!.errors.length, 'the stopped run reports an error').toBeGreaterThan(0);
    fs.writeFileSync(lessons[0]!.exercise, SOLVED);
    const [next] = await runner.run(lessons);
    fs.writeFileSync(lessons[0]!.exercise, STUB);
    expect(passed(next!)).toBe(true);
  });

  test('a lesson passes only with tests, none failing', async () => {
    const [report] = await runner.run(listLessons(root));
    expect(passed(report!)).toBe(false);
    expect(passed({ ...report!, tests: [] })).toBe(false);
    const green = { ...report!, errors: [], typeErrors: [], tests: [{ file: 'x', name: 'y', state: 'passed' as const }] };
    expect(passed(green)).toBe(true);
    expect(passed({ ...green, typeErrors: ['exercise.ts:1:1 wrong'] })).toBe(false);
  });
});
