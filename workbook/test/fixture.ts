/** A throwaway workbook in a temporary folder, so the runner's tests never touch the real one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { ROOT } from '../target.ts';

export const START = 'export function add(a: number, b: number): number {\n  // TODO 1\n  throw new Error("add is not written yet");\n}\n';

function makeWorkbook(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-test-'));
  for (const [id, title] of [['01-first', 'First things'], ['02-second', 'Second things']] as const) {
    const dir = path.join(root, 'lessons', id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'README.md'), `# ${title}\n\nText.\n`);
    fs.writeFileSync(path.join(dir, 'exercise.ts'), START);
    fs.writeFileSync(path.join(dir, 'hints.md'), '# Hints\n\n## Hint 1\n\nA nudge.\n\n## Hint 2\n\nCloser.\n\n## Hint 3\n\nNearly the answer.\n');
  }
  fs.mkdirSync(path.join(root, 'lessons', 'notes'));
  fs.mkdirSync(path.join(root, 'workbook'));
  fs.writeFileSync(path.join(root, 'workbook', 'starts.json'), JSON.stringify({ '01-first': START, '02-second': START }));
  return root;
}

function removeWorkbook(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A fresh throwaway workbook for each test of the file; call the returned function for its root. */
export function useWorkbook(): () => string {
  let root = '';
  beforeEach(() => {
    root = makeWorkbook();
  });
  afterEach(() => removeWorkbook(root));
  return () => root;
}

export const STUB = `export type Pair = unknown; // TODO 1
export function add(a: number, b: number): number {
  throw new Error('add is not written yet'); // TODO 2
}
`;
export const SOLVED = `export type Pair = [number, number];
export function add(a: number, b: number): number {
  return a + b;
}
`;

/**
 * A one-lesson workbook with the real vitest config and switch, so runs are real but isolated;
 * with `withRunner`, the runner too, so its commands can be run there as a learner runs them.
 */
export function makeRunnableWorkbook(withRunner = false): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-run-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const copied = [
    'vitest.config.ts',
    'tsconfig.json',
    'tsconfig.solutions.json',
    'package.json',
    'workbook/target.ts',
    'workbook/tsc-command.mjs',
    'workbook/tsc-keep-colons.mjs',
    'workbook/tsconfig.typetests.lessons.json',
    'workbook/tsconfig.typetests.solutions.json',
  ];
  if (withRunner) copied.push(...fs.readdirSync(path.join(ROOT, 'workbook')).filter((name) => /\.(ts|mjs)$/.test(name)).map((name) => `workbook/${name}`));
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
  fs.writeFileSync(path.join(root, 'lessons', '01-demo', 'README.md'), '# A demo\n');
  fs.writeFileSync(path.join(root, 'lessons', '01-demo', 'hints.md'), '# Hints\n\n## Hint 1\n\nAdd them.\n');
  return root;
}

/**
 * TypeScript that takes tsc seconds to check (4 s on a 2-core machine): 4,000 tuple types built by
 * recursion, each of a different length. For tests that stop tsc while it works.
 */
export function slowToCheck(): string {
  const lines = ["type Build<N extends number, A extends unknown[] = []> = A['length'] extends N ? A : Build<N, [...A, A['length']]>;"];
  for (let index = 0; index < 4_000; index++) {
    const [a, b] = [(index % 300) + 100, (index % 41) + 3];
    lines.push(`export type Slow${index} = [...Build<${a}>, ...Build<${b}>]; export const slow${index}: Slow${index}['length'] = ${a + b};`);
  }
  return `${lines.join('\n')}\n`;
}
