import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createVitest, type Vitest } from 'vitest/node';
import { readSourceMapsOnce, stackStep } from '../stack-maps.ts';
import { TARGET_VARIABLE } from '../target.ts';
import { makeRunnableWorkbook } from './fixture.ts';

/**
 * A package of the fixture's own, compiled from TypeScript with its source map inline, as many
 * packages ship: vitest loads it without vite, so its frames are mapped in the main process.
 */
const PACKAGE_SOURCE = `export function checked(value: number): number {
  if (value < 0) {
    throw new RangeError('negative');
  }
  return value;
}
`;

/** Failing tests whose errors pass through the package and vitest's own files (in node_modules) on their way up. */
const FAILING_SUITE = `import { describe, expect, test } from 'vitest';
import { add } from '#exercise/01-demo';
import { checked } from './node_modules/checked/index.js';
describe('TODO 2: add', () => {
  test('adds', () => expect(add(2, 3)).toBe(5));
  test('adds again', () => expect(add(1, 1)).toBe(2));
  test('a wrong expectation', () => expect(1 + 1).toBe(3));
  test('through the package', () => expect(checked(-1)).toBe(1));
  test('through the package again', () => expect(checked(-2)).toBe(2));
});
`;

/** A quiet vitest on the fixture, as the runner opens one, with or without the cache. */
async function openVitest(root: string, cached: boolean): Promise<Vitest> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.env[TARGET_VARIABLE] = 'lessons';
  const vitest = await createVitest('test', { root, config: path.join(root, 'vitest.config.ts'), watch: false, reporters: [{}] }, {}, { stdout: quiet, stderr: quiet });
  if (cached) readSourceMapsOnce(vitest);
  return vitest;
}

/** The stack frames vitest gives each failed test of the fixture in one run. */
async function stacksOfARun(vitest: Vitest): Promise<unknown[]> {
  const specifications = await vitest.globTestSpecifications(['tests/01-demo.test.ts']);
  const { testModules } = await vitest.runTestSpecifications(specifications, true);
  return testModules.flatMap((module) => [...module.children.allTests()]).map((test) => test.result().errors?.map((error) => error.stacks));
}

/** The stack frames of a failing run with a vitest of its own. */
async function stacksOfAFailingRun(root: string, cached: boolean): Promise<unknown[]> {
  const vitest = await openVitest(root, cached);
  try {
    return await stacksOfARun(vitest);
  } finally {
    await vitest.close();
  }
}

const throwing = (stacks: unknown) => (stacks as { file: string; line: number }[][])[0]![0]!;

/** Writes the fixture's package, compiled from `source` with its source map inline. */
async function writePackage(root: string, source: string): Promise<void> {
  const { code } = await transform(source, { loader: 'ts', format: 'esm', sourcemap: 'inline', sourcefile: 'checked.ts' });
  fs.mkdirSync(path.join(root, 'tests', 'node_modules', 'checked'), { recursive: true });
  fs.writeFileSync(path.join(root, 'tests', 'node_modules', 'checked', 'index.js'), code);
}

describe('stack frames mapped with each file\'s source map read once per version', () => {
  let root: string;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    await writePackage(root, PACKAGE_SOURCE);
    fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), FAILING_SUITE);
    fs.rmSync(path.join(root, 'tests', '01-demo.test-d.ts'), { force: true });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('this vitest still maps the stacks where the runner wraps it (else the wrapper does nothing)', async () => {
    const vitest = await createVitest('test', { root, config: path.join(root, 'vitest.config.ts'), watch: false, reporters: [{}] });
    try {
      expect(stackStep(vitest), 'vitest._testRun.syncUpdateStacks: moved or renamed in this version of vitest?').toBeDefined();
    } finally {
      await vitest.close();
    }
  });

  test('gives every failed test the same frames as vitest alone does', async () => {
    const alone = await stacksOfAFailingRun(root, false);
    const cached = await stacksOfAFailingRun(root, true);
    expect(alone, 'five failed tests, each with frames').toHaveLength(5);
    for (const stacks of alone) expect((stacks as unknown[][])[0]!.length).toBeGreaterThan(0);
    for (const stacks of alone.slice(3)) {
      expect(throwing(stacks), 'the package\'s frame, mapped to its TypeScript by its source map').toMatchObject({ file: expect.stringMatching(/checked\.ts$/), line: 3 });
    }
    expect(cached, 'the same frames with the source maps kept').toEqual(alone);
  });

  test('a file changed between two runs is mapped with its new source map', async () => {
    const vitest = await openVitest(root, true);
    try {
      const before = await stacksOfARun(vitest);
      expect(throwing(before[3]), 'the package as written').toMatchObject({ file: expect.stringMatching(/checked\.ts$/), line: 3 });
      await writePackage(root, `// one line more\n${PACKAGE_SOURCE}`);
      const after = await stacksOfARun(vitest);
      expect(throwing(after[3]), 'the package as changed: the throw one line lower').toMatchObject({ file: expect.stringMatching(/checked\.ts$/), line: 4 });
    } finally {
      await vitest.close();
      await writePackage(root, PACKAGE_SOURCE);
    }
  });
});
