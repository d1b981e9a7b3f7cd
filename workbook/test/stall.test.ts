import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listLessons } from '../lessons.ts';
import { passed } from '../outcome.ts';
import { SuiteRunner } from '../run-suites.ts';
import { busyFactor, scaledLimits, STALL_LIMITS, testAllowance } from '../stall.ts';
import { ROOT } from '../target.ts';
import { makeRunnableWorkbook, SOLVED } from './fixture.ts';

/** A suite whose set-up and one test take longer than the short limits below, both within their own timeouts. */
const SLOW_SUITE = `import { beforeAll, describe, expect, test } from 'vitest';
import { add } from '#exercise/01-demo';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
describe('TODO 2: add', () => {
  beforeAll(() => pause(8_500), 15_000);
  test('adds', () => expect(add(2, 3)).toBe(5), 7_000);
  test('takes its time, within its own timeout', async () => {
    await pause(8_500);
    expect(add(1, 1)).toBe(2);
  }, 12_000);
});
`;

describe('the watchdog of a run', () => {
  let root: string;
  let runner: SuiteRunner;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    fs.writeFileSync(path.join(root, 'tests', '01-demo.test.ts'), SLOW_SUITE);
    // Loading has a limit of its own, well above the others: CI runs the runner's test files two at
    // a time on 2 cores, and a worker starting and loading the suite went quiet for 1.5 s, 3 s and
    // then 8 s there. 'adds' gets the plain limit, its 7 s + the 1 s margin: a worker stuck in a
    // loop cannot say which test it is in.
    runner = await SuiteRunner.open('lessons', { root, stall: { limitMs: 8_000, marginMs: 1_000, hookMs: 3_000, loadMs: 60_000 } });
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('lets a test go quiet for its own timeout, and a hook for its tests\' longest, above the plain limit', async () => {
    fs.writeFileSync(listLessons(root)[0]!.exercise, SOLVED);
    const [report] = await runner.run(listLessons(root));
    // The errors in the label: the check prints a failure's first line only.
    expect(report!.errors.length, `errors: ${report!.errors.join(' | ').replaceAll('\n', ' ')}`).toBe(0);
    expect(passed(report!)).toBe(true);
  });

  test('stops a test stuck in a loop once its own timeout and the margin are over, naming it', async () => {
    fs.writeFileSync(listLessons(root)[0]!.exercise, SOLVED.replace('return a + b;', 'while (true) {}'));
    const [report] = await runner.run(listLessons(root));
    expect(report!.errors[0]).toMatch(/^The tests were stopped after 8 s without progress while running "TODO 2: add > adds"/);
    expect(report!.errors, 'only that: the workers died because they were stopped').toHaveLength(1);
  });

  test('names the stuck test by the order the run took: from the TODO at hand, not the first TODO as written', async () => {
    const suite = path.join(root, 'tests', '01-demo.test.ts');
    // Without the slow hook and test: only the order is in question here.
    const inOrder = (todo: number, name: string, body: string) => `describe('TODO ${todo}: ${todo === 1 ? 'first' : 'add'}', () => {\n  test('${name}', () => ${body});\n});\n`;
    fs.writeFileSync(suite, `import { describe, expect, test } from 'vitest';\nimport { add } from '#exercise/01-demo';\n${inOrder(1, 'never ran', 'expect(1).toBe(1)')}${inOrder(2, 'adds', 'expect(add(2, 3)).toBe(5)')}`);
    try {
      fs.writeFileSync(listLessons(root)[0]!.exercise, SOLVED.replace('return a + b;', 'while (true) {}'));
      const [report] = await runner.run(listLessons(root), {}, { order: { from: 2 } });
      expect(report!.errors[0]).toMatch(/while running "TODO 2: add > adds"/);
    } finally {
      fs.writeFileSync(suite, SLOW_SUITE);
    }
  });

  test('gives a test the 15 s vitest gives it and 5 s more, a test with no timeout 20 s, and lesson 05\'s browser tests 80 s', () => {
    expect(testAllowance({ options: { timeout: 15_000 } as never }, STALL_LIMITS)).toBe(20_000);
    expect(testAllowance({ options: { timeout: 0 } as never }, STALL_LIMITS)).toBe(20_000);
    expect(testAllowance({ options: { timeout: 75_000 } as never }, STALL_LIMITS)).toBe(80_000);
  });

  test('on a busy machine, a suite being loaded, the time between tests and a test past its timeout get longer; a hook\'s floor and a test\'s own timeout do not change', () => {
    expect(busyFactor(0.3, 2), 'idle').toBe(1);
    expect(busyFactor(8, 2), 'six busy loops and two suites on 2 cores').toBe(4);
    const busy = scaledLimits(STALL_LIMITS, 4);
    expect(busy.limitMs).toBe(80_000);
    expect(busy.loadMs, 'a suite being loaded').toBe(80_000);
    expect(busy.hookMs).toBe(STALL_LIMITS.hookMs);
    expect(testAllowance({ options: { timeout: 15_000 } as never }, busy)).toBe(35_000);
  });

  test('no suite gives a hook more time than the watchdog allows one', () => {
    const allowed = STALL_LIMITS.hookMs - STALL_LIMITS.marginMs;
    const timeouts = hookTimeouts();
    expect(timeouts.length, 'the suites\' hook timeouts are found').toBeGreaterThan(0);
    for (const { file, hook, timeoutMs } of timeouts) {
      expect(timeoutMs, `${file}: ${hook} may take ${timeoutMs} ms; the watchdog (workbook/stall.ts) stops a hook after ${STALL_LIMITS.hookMs} ms`).toBeLessThanOrEqual(allowed);
    }
  });
});

/**
 * Every hook timeout the suites set: `hookTimeout` in a config or vi.setConfig, and the last
 * argument of a beforeAll/afterAll/beforeEach/afterEach (found by its closing line, indented as
 * the hook is), a number or a constant of the file.
 */
function hookTimeouts(): { file: string; hook: string; timeoutMs: number }[] {
  const files = ['vitest.config.ts', ...fs.readdirSync(path.join(ROOT, 'tests'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => path.join('tests', name))];
  const found: { file: string; hook: string; timeoutMs: number }[] = [];
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const value = (text: string) => Number((/^\d[\d_]*$/.test(text) ? text : source.match(new RegExp(`const ${text} = ([\\d_]+)`))?.[1] ?? 'NaN').replaceAll('_', ''));
    for (const [, ms] of source.matchAll(/hookTimeout: ([\d_]+)/g)) found.push({ file, hook: 'hookTimeout', timeoutMs: value(ms!) });
    const lines = source.split('\n');
    lines.forEach((line, index) => {
      const hook = line.match(/^(\s*)(beforeAll|afterAll|beforeEach|afterEach)\(/);
      if (!hook) return;
      const closing = [line, ...lines.slice(index + 1)].find((candidate, at) => (at === 0 ? /\);\s*$/.test(candidate) && !candidate.endsWith('{') : candidate.startsWith(`${hook[1]}}`)));
      const ms = closing?.match(/,\s*(\w+)\);\s*$/)?.[1];
      if (ms !== undefined) found.push({ file, hook: `${hook[2]} at line ${index + 1}`, timeoutMs: value(ms) });
    });
  }
  return found;
}
