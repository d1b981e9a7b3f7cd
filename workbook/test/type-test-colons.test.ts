import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanMessage } from '../format.ts';
import { listLessons } from '../lessons.ts';
import { SuiteRunner } from '../run-suites.ts';
import { makeRunnableWorkbook, slowToCheck, SOLVED } from './fixture.ts';
import { ROOT } from '../target.ts';

// vitest reads tsc's output by splitting each error at every ":" and joining the pieces without
// them, so a failing type test used to say `{ a number; }` and `[x string]`; the type tests'
// checker (workbook/tsc-keep-colons.mjs) keeps them.
describe('a failing type test keeps the colons of the types it names', () => {
  let root: string;
  let runner: SuiteRunner;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    fs.writeFileSync(listLessons(root)[0]!.exercise, `${SOLVED}export type Body = { [x: string]: never };\n`);
    fs.writeFileSync(
      path.join(root, 'tests', '01-demo.test-d.ts'),
      `import { expectTypeOf, test } from 'vitest';\nimport type { Body } from '#exercise/01-demo';\n` +
        `test('Body is two numbers', () => expectTypeOf<Body>().toEqualTypeOf<{ a: number; b: number }>());\n`,
    );
    runner = await SuiteRunner.open('lessons', { root });
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('in what the learner reads', async () => {
    const [report] = await runner.run(listLessons(root));
    const failed = report!.tests.filter((test) => test.state === 'failed');
    expect(failed.map((test) => test.name)).toEqual(['Body is two numbers']);
    // As lesson 04's stub gave it: z.object({}) where { a, b } is expected.
    expect(cleanMessage(failed[0]!)).toBe("Type '{ a: number; b: number; }' does not satisfy the constraint '{ [x: string]: never; [x: number]: never; }'.");
  });
});

describe('the type tests\' checker', () => {
  test('stopped as vitest stops it (SIGTERM), ends at once: vitest\'s next run waits for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-checker-'));
    try {
      fs.writeFileSync(path.join(dir, 'slow.ts'), slowToCheck());
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['slow.ts'] }));
      const checker = spawn(process.execPath, [path.join(ROOT, 'workbook', 'tsc-keep-colons.mjs'), '-p', path.join(dir, 'tsconfig.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      checker.stdout.resume();
      checker.stderr.resume();
      const closed = new Promise((resolve) => checker.on('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stopped = performance.now();
      checker.kill('SIGTERM');
      await closed;
      expect(performance.now() - stopped, 'ms from SIGTERM to the checker\'s end (checking it all takes seconds)').toBeLessThan(1_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
