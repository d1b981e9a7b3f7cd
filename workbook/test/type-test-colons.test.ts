import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanMessage } from '../format.ts';
import { listLessons } from '../lessons.ts';
import { SuiteRunner } from '../run-suites.ts';
import { makeRunnableWorkbook, SOLVED } from './fixture.ts';

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
