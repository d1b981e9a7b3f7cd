import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeEscaped, linesInStack, type EscapedError } from '../escaped.ts';
import { listLessons } from '../lessons.ts';
import { SuiteRunner } from '../run-suites.ts';
import { formatProgress } from '../progress.ts';
import { describeReport } from '../report.ts';
import { makeRunnableWorkbook, STUB } from './fixture.ts';

const FILE = '/w/lessons/04-demo/exercise.ts';
const tests = [{ file: 'tests/04-demo.test.ts', name: 'TODO 6: createApp > POST /users > a store that rejects answers 500', state: 'passed' as const }];
const context = { file: FILE, shownAs: 'lessons/04-demo/exercise.ts', tests, todoAt: (line: number) => (line < 100 ? [4] : [6]) };

describe('an error that escaped the tests', () => {
  test('names the running test in full, the exercise\'s lines in its stack with their TODOs, then the error', () => {
    const error: EscapedError = {
      type: 'Unhandled Rejection',
      name: 'ZodError',
      message: '[ an issue ]',
      stack: `ZodError: [ an issue ]\n    at respond (${FILE}:98:23)\n    at file://${FILE}:197:45\n    at ${FILE}:197:50\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
      VITEST_TEST_NAME: 'a store that rejects answers 500',
    };
    expect(describeEscaped(error, context).split('\n')).toEqual([
      'An error escaped the tests while "TODO 6: createApp > POST /users > a store that rejects answers 500" was running: a promise that nothing awaited or caught was rejected (an unhandled rejection).',
      'It was thrown at lessons/04-demo/exercise.ts:98 (TODO 4), called from line 197 (TODO 6).',
      'ZodError: [ an issue ]',
    ]);
  });

  test('whose stack misses the exercise (the test made the promise) points at the running test\'s TODO', () => {
    const error: EscapedError = { type: 'Uncaught Exception', name: 'Error', message: 'refused', stack: 'Error: refused\n    at /w/tests/04-demo.test.ts:680:56', VITEST_TEST_NAME: 'a store that rejects answers 500' };
    expect(describeEscaped(error, context)).toMatch(/a callback threw[\s\S]*does not pass through lessons\/04-demo\/exercise\.ts: look in TODO 6's code \(the running test's\)/);
    expect(linesInStack(error.stack!, FILE)).toEqual([]);
  });
});

describe('an error that escaped the tests, in a real run', () => {
  let root: string;
  let runner: SuiteRunner;
  beforeAll(async () => {
    root = makeRunnableWorkbook();
    fs.writeFileSync(path.join(root, 'workbook', 'starts.json'), JSON.stringify({ '01-demo': STUB }));
    // Both tests pass; the exercise lets a promise go and a timer of its throws.
    fs.writeFileSync(
      path.join(root, 'lessons', '01-demo', 'exercise.ts'),
      `export type Pair = [number, number];
export function add(a: number, b: number): number {
  void Promise.reject(new Error('a promise let go'));
  setTimeout(() => {
    throw new Error('a timer threw');
  });
  return a + b;
}
`,
    );
    fs.writeFileSync(
      path.join(root, 'tests', '01-demo.test.ts'),
      `import { describe, expect, test } from 'vitest';
import { add } from '#exercise/01-demo';
describe('TODO 2: add', () => {
  test('adds', async () => {
    expect(add(2, 3)).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
`,
    );
    runner = await SuiteRunner.open('lessons', { root });
  });
  afterAll(async () => {
    await runner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('says which test was running, where in the exercise it came from and which TODO that is', async () => {
    const [report] = await runner.run(listLessons(root));
    expect(report!.tests.map((test) => test.state)).toEqual(['passed', 'passed']);
    const errors = report!.errors.join('\n\n');
    expect(errors).toMatch(/while "TODO 2: add > adds" was running: a promise that nothing awaited or caught was rejected \(an unhandled rejection\)\.\nIt was thrown at lessons\/01-demo\/exercise\.ts:3 \(TODO 2\)\.\nError: a promise let go/);
    expect(errors).toMatch(/while "TODO 2: add > adds" was running: a callback threw where nothing could catch it \(an uncaught exception\)\.\nIt was thrown at lessons\/01-demo\/exercise\.ts:5 \(TODO 2\)\.\nError: a timer threw/);
    const text = describeReport(report!);
    expect(text.status, 'the tests ran: the heading does not say they could not').toEqual(['✗ This keeps the lesson from passing:']);
    expect(text.failures.map((block) => block[0]), 'one block per error, a blank line between them').toEqual([expect.stringMatching(/^ {4}An error escaped/), '']);
    expect(formatProgress([report!]), 'progress: the suite did load').toMatch(/✗ 01-demo +2\/2 tests, an error outside them/);
    expect(formatProgress([{ ...report!, tests: [] }]), 'unlike one that cannot').toMatch(/✗ 01-demo +suite did not load/);
  });
});
