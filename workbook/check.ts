/**
 * `npm run check`: the workbook's own check, and what CI runs.
 *   0. every lesson has its README, example, exercise, hints, solution and suite, and every
 *      README.md and hints.md its Korean twin (twins.ts)
 *   1. the recorded starts (workbook/starts.json) match lessons/*\/exercise.ts, and so do their
 *      recorded verdicts (workbook/start-verdicts.json: the guide opens with them, without a run)
 *   2. everything type-checks (against the stubs only the type tests may fail)
 *   3. every suite passes against solutions/, and again with its TODOs last to first (the guide
 *      runs the TODO at hand first: no TODO's tests may rely on another TODO's having run before)
 *   4. every test fails against the untouched stubs, unless tests/stub-passes.json says why not
 *   5. every example starts and answers
 *   6. every model a lesson trains (lessons/*\/train.ts) retrains to the committed file
 *   7. the runner's own tests pass
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createVitest } from 'vitest/node';
import { capture } from './capture.ts';
import { runTsc, tscFailure } from './compile.ts';
import { paint } from './format.ts';
import { listLessons, relative, type Lesson } from './lessons.ts';
import type { LessonReport } from './outcome.ts';
import { runSuites } from './run-suites.ts';
import { changedFromStart, writeStarts } from './starts.ts';
import { recordStartVerdicts, staleStartVerdicts, startVerdictsFile, VerdictKeys } from './verdicts.ts';
import { ROOT, tsconfigFor } from './target.ts';
import { koreanEditionProblems } from './twins.ts';
import { useLanguage } from './messages.ts';

/** Tests allowed to pass against a stub: lesson id → full test name → reason. */
type StubPasses = Record<string, Record<string, string>>;

class Tally {
  passed = 0;
  failed: string[] = [];
  ok(count = 1): void {
    this.passed += count;
  }
  fail(problem: string): void {
    this.failed.push(problem);
    console.log(`    ${paint('red', '✗')} ${problem.replaceAll('\n', '\n      ')}`);
  }
}

function step(title: string): void {
  console.log(paint('bold', `▸ ${title}`));
}

export async function runCheck(options: { updateStarts: boolean }): Promise<number> {
  // The check reads the English files as the originals, whatever the maintainer's locale.
  useLanguage('en');
  const started = performance.now();
  const lessons = listLessons();
  const tally = new Tally();

  step('Lesson files');
  checkLessonFiles(lessons, tally);

  step('The Korean edition (every README.md and hints.md has its .ko.md twin)');
  const twinProblems = koreanEditionProblems();
  for (const problem of twinProblems) tally.fail(problem);
  if (twinProblems.length === 0) tally.ok();

  step('Starting versions of the exercises (workbook/starts.json)');
  if (options.updateStarts) {
    writeStarts(lessons);
    console.log('    recorded the current lessons/*/exercise.ts as their starts');
  }
  const changed = changedFromStart(lessons);
  for (const lesson of changed) {
    tally.fail(
      `${relative(lesson.exercise)} differs from its recorded start, so its suite is not run against it as a stub. ` +
        'In a learner\'s copy that is work in progress: fine, and `npm run reset` still restores the start. ' +
        'Maintainers who changed the stub on purpose: `npm run check -- --update-starts` (never in a learner\'s copy: ' +
        'it would record the work as the start).',
    );
  }
  if (changed.length === 0) tally.ok();

  step('Type-check');
  await typecheck(tally);

  step('Suites against solutions/, as written and with their TODOs last to first (the guide runs the TODO at hand first)');
  // Side by side: the suites are steady two at once (CONTRIBUTING), and it saves half a minute.
  const [solved, reversed] = await Promise.all([
    runSuites('solutions', lessons),
    runSuites('solutions', lessons, undefined, { order: 'reverse', runtimeOnly: true }),
  ]);
  const solutionTests = checkSolutions(solved, tally);
  checkSolutions(reversed, tally, 'TODOs last to first');

  step('Suites against the untouched stubs in lessons/');
  const stubs = await runSuites('lessons', lessons.filter((lesson) => !changed.includes(lesson)));
  const stubFailures = checkStubs(stubs, readStubPasses(), tally);
  checkStartVerdicts(lessons, changed, stubs, options.updateStarts, tally);

  step('Examples');
  const examples = lessons.filter((lesson) => fs.existsSync(lesson.example));
  await runWithLimit(examples, 3, (lesson) => checkExample(lesson, tally));

  step('Trained models reproduce (lessons/*/train.ts --verify)');
  for (const lesson of lessons) {
    const train = path.join(lesson.dir, 'train.ts');
    if (!fs.existsSync(train)) continue;
    const { code, output, startError } = await capture(process.execPath, ['--import', 'tsx', train, '--verify'], { cwd: ROOT });
    if (code === 0) tally.ok();
    else tally.fail(`${relative(train)} --verify exited ${code}: retraining does not give the committed model:\n${`${output}${startError ?? ''}`.trim().split('\n').slice(-6).join('\n')}`);
  }

  step("The runner's own tests");
  const runnerTests = await runRunnerTests(tally);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log('');
  console.log(
    `Summary: ${lessons.length} lessons · ${solutionTests} tests pass against solutions/ · ` +
      `${stubFailures.failed} of ${stubFailures.total} fail against the stubs` +
      (stubFailures.allowed ? ` (${stubFailures.allowed} allowed to pass)` : '') +
      ` · ${examples.length} examples · ${runnerTests} runner tests · ${seconds} s`,
  );
  if (tally.failed.length > 0) console.log(paint('red', `${tally.failed.length} problem(s); see ✗ above.`));
  console.log(`check: ${tally.passed} passed, ${tally.failed.length} failed`);
  return tally.failed.length === 0 ? 0 : 1;
}

function checkLessonFiles(lessons: Lesson[], tally: Tally): void {
  if (lessons.length === 0) tally.fail('no lessons found in lessons/');
  for (const lesson of lessons) {
    const required = [lesson.readme, lesson.exercise, lesson.hints, lesson.example, lesson.solution, path.join(ROOT, 'tests', `${lesson.id}.test.ts`)];
    const missing = required.filter((file) => !fs.existsSync(file));
    if (missing.length > 0) tally.fail(`${lesson.id} is missing ${missing.map((file) => relative(file)).join(', ')}`);
    else tally.ok();
  }
}

async function typecheck(tally: Tally): Promise<void> {
  const [learner, solutions] = await Promise.all([runTsc(ROOT, tsconfigFor('lessons')), runTsc(ROOT, tsconfigFor('solutions'))]);
  // A tsc that did not check says no error: that is not a pass.
  for (const [name, result] of [['tsconfig.json', learner], ['tsconfig.solutions.json', solutions]] as const) {
    const failure = tscFailure(result);
    if (failure !== undefined) return tally.fail(`tsc -p ${name} did not check: ${failure}`);
  }
  // Against the stubs the type tests are meant to fail (step 4 checks that they do, test by test);
  // any other error is a real one.
  const unexpected = errorLines(learner.output).filter((line) => !/^tests\/[^(]*\.test-d\.ts\(/.test(line));
  if (unexpected.length > 0) tally.fail(`tsconfig.json (lessons/, tests/, workbook/):\n${unexpected.join('\n')}`);
  else tally.ok();
  const solutionErrors = errorLines(solutions.output);
  if (solutionErrors.length > 0) tally.fail(`tsconfig.solutions.json (solutions/, tests/):\n${solutionErrors.join('\n')}`);
  else tally.ok();
}

function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => /\): error TS\d+/.test(line) || /^error TS\d+/.test(line));
}

function checkSolutions(reports: LessonReport[], tally: Tally, order?: string): number {
  let passedTests = 0;
  const run = order ? `solutions, ${order}` : 'solutions';
  for (const { lesson, tests, errors } of reports) {
    for (const error of errors) tally.fail(`${lesson.id} (${run}): ${error}`);
    // The second order repeats nothing the first says but a failure.
    if (tests.length === 0 && !order) tally.fail(`${lesson.id}: no tests found (tests/${lesson.id}.test.ts)`);
    for (const test of tests) {
      if (test.state === 'failed') tally.fail(`${lesson.id} (${run}): "${test.name}" fails: ${test.message?.split('\n')[0]}`);
      if (test.state === 'skipped' && !order) console.log(`    ${paint('yellow', '–')} ${lesson.id}: skipped "${test.name}"`);
    }
    const ok = tests.filter((test) => test.state === 'passed').length;
    passedTests += ok;
    tally.ok(ok);
  }
  return passedTests;
}

function checkStubs(reports: LessonReport[], allowed: StubPasses, tally: Tally) {
  const counts = { total: 0, failed: 0, allowed: 0 };
  for (const { lesson, tests, errors } of reports) {
    for (const error of errors) tally.fail(`${lesson.id} (stubs): ${error}`);
    const reasons = allowed[lesson.id] ?? {};
    for (const test of tests) {
      if (test.state === 'skipped') {
        console.log(`    ${paint('yellow', '–')} ${lesson.id}: skipped "${test.name}"`);
        continue;
      }
      counts.total += 1;
      if (test.state === 'failed') {
        counts.failed += 1;
        tally.ok();
      } else if (test.name in reasons) {
        counts.allowed += 1;
        tally.ok();
      } else {
        tally.fail(`${lesson.id}: "${test.name}" passes against the untouched stub, so it checks nothing the learner writes`);
      }
    }
    for (const name of Object.keys(reasons)) {
      if (!tests.some((test) => test.name === name)) tally.fail(`tests/stub-passes.json names "${name}" in ${lesson.id}, which has no such test`);
    }
  }
  return counts;
}

/**
 * The untouched stubs' verdicts ship with the workbook, so a fresh clone's guide opens at once.
 * They are keyed by a hash of the exercise, its suites and the runner: any change makes them stale.
 */
function checkStartVerdicts(lessons: Lesson[], changed: Lesson[], stubs: LessonReport[], update: boolean, tally: Tally): void {
  const keys = new VerdictKeys();
  if (update && changed.length === 0) {
    recordStartVerdicts(stubs, keys);
    console.log(`    recorded the stubs' verdicts in ${relative(startVerdictsFile())}`);
  }
  const stale = staleStartVerdicts(lessons, keys);
  if (stale.length === 0) return tally.ok();
  tally.fail(
    `${relative(startVerdictsFile())} is out of date for ${stale.map((lesson) => lesson.id).join(', ')} ` +
      '(an exercise, a suite or the runner changed): `npm run check -- --update-starts` records it again.',
  );
}

function readStubPasses(): StubPasses {
  const file = path.join(ROOT, 'tests', 'stub-passes.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StubPasses) : {};
}

const EXAMPLE_START_MS = 20_000;
const EXAMPLE_STOP_MS = 5_000;

/** A script must exit 0 by itself; a server must print its URL, answer a GET below 500 and stop on SIGTERM. */
async function checkExample(lesson: Lesson, tally: Tally): Promise<void> {
  const name = relative(lesson.example);
  const child = spawn(process.execPath, ['--import', 'tsx', lesson.example], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', UDP_PORT: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const tail = () => output.trim().split('\n').slice(-8).join('\n');

  const url = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), EXAMPLE_START_MS);
    const look = () => {
      const found = output.match(/http:\/\/[^\s'"`)]+/);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });

  if (url === undefined) {
    const code = child.exitCode ?? (child.kill('SIGKILL'), await exited);
    if (child.exitCode === 0) return tally.ok();
    return tally.fail(`${name} neither printed a URL nor exited 0 (exit ${code}) within ${EXAMPLE_START_MS / 1000} s:\n${tail()}`);
  }

  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    if (response.status >= 500) tally.fail(`${name}: GET ${url} answered ${response.status}`);
  } catch (error) {
    tally.fail(`${name}: GET ${url} failed: ${(error as Error).message}`);
  }
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited, delay(EXAMPLE_STOP_MS).then(() => 'timeout' as const)]);
  if (stopped === 'timeout') {
    child.kill('SIGKILL');
    return tally.fail(`${name} did not stop within ${EXAMPLE_STOP_MS / 1000} s of SIGTERM`);
  }
  if (stopped !== 0) return tally.fail(`${name} exited ${stopped} after SIGTERM:\n${tail()}`);
  tally.ok();
}

async function runRunnerTests(tally: Tally): Promise<number> {
  const vitest = await createVitest('test', {
    root: ROOT,
    config: path.join(ROOT, 'workbook', 'vitest.config.ts'),
    watch: false,
    reporters: [{}],
  });
  try {
    const { testModules, unhandledErrors } = await vitest.start();
    let count = 0;
    for (const error of unhandledErrors) tally.fail(`runner tests: ${String(error)}`);
    for (const module of testModules) {
      for (const error of module.errors()) tally.fail(`${relative(module.moduleId)}: ${error.message}`);
      for (const test of module.children.allTests()) {
        count += 1;
        const result = test.result();
        if (result.state === 'failed') tally.fail(`runner: "${test.fullName}": ${result.errors[0]?.message}`);
        else tally.ok();
      }
    }
    return count;
  } finally {
    await vitest.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function runWithLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}
