/**
 * Runs lesson suites through vitest's Node API and reports each test's outcome, so the guide,
 * `progress` and `check` can say which tests pass without parsing vitest's printed output.
 * Each run also type-checks the exercises (compile.ts) and is stopped if it never ends.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createVitest } from 'vitest/node';
import type { TestModule, Vitest } from 'vitest/node';
import { typeErrors } from './compile.ts';
import type { Lesson } from './lessons.ts';
import { ROOT, TARGET_VARIABLE, type Target } from './target.ts';

export interface TestOutcome {
  /** The suite file, relative to the workbook, e.g. tests/01-models.test.ts */
  file: string;
  /** The describe blocks and test name, joined with " > ". */
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  /** The first error's message, for a failed test. */
  message?: string;
}

export interface LessonReport {
  lesson: Lesson;
  tests: TestOutcome[];
  /** Errors outside any test: a suite that cannot load (a syntax error in the exercise, say). */
  errors: string[];
  /** What tsc finds wrong in the exercise: the tests may pass while the types do not. */
  typeErrors: string[];
}

/** A lesson passes when it has tests, none failed, it compiles and nothing broke outside the tests. */
export function passed(report: LessonReport): boolean {
  return (
    report.errors.length === 0 &&
    report.typeErrors.length === 0 &&
    report.tests.length > 0 &&
    report.tests.every((test) => test.state !== 'failed')
  );
}

/** Longer than any honest run: vitest's own timeouts (15 s a test or hook) fire well before. */
export const RUN_LIMIT_MS = 45_000;

/**
 * Stops vitest's workers (and tsc), the only way to end a test stuck in an endless loop: a
 * synchronous loop never lets vitest's timeouts fire. The run then ends with an error and the
 * instance can run again. Uses pgrep (Linux, macOS); where it is missing, nothing is stopped.
 */
export function stopChildProcesses(): void {
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return; // no children, or no pgrep
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The file filter that selects one lesson's suites (both `.test.ts` and `.test-d.ts`). */
export function suiteFilter(lesson: Lesson): string {
  return `tests/${lesson.id}.`;
}

/**
 * A vitest instance kept open between runs: the guide reruns a lesson on every save without
 * paying vitest's start-up again.
 */
export class SuiteRunner {
  private constructor(
    private readonly vitest: Vitest,
    private readonly target: Target,
    private readonly root: string,
  ) {}

  /** Opens vitest on a workbook (this one unless the runner's tests pass a copy). */
  static async open(target: Target, root = ROOT): Promise<SuiteRunner> {
    // vitest.config.ts reads the switch when it loads, which happens inside createVitest.
    process.env[TARGET_VARIABLE] = target;
    // Results are read from the returned modules; vitest's own printing (a banner about type
    // testing being experimental, among others) would only clutter the guide and the check.
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const vitest = await createVitest(
      'test',
      { root, config: path.join(root, 'vitest.config.ts'), watch: false, reporters: [{}] },
      {},
      { stdout: quiet, stderr: quiet },
    );
    return new SuiteRunner(vitest, target, root);
  }

  async run(lessons: Lesson[]): Promise<LessonReport[]> {
    for (const lesson of lessons) this.vitest.invalidateFile(lesson.exercise);
    await this.forgetTypeResults();
    const specifications = await this.vitest.globTestSpecifications(lessons.map(suiteFilter));
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      stopChildProcesses();
    }, RUN_LIMIT_MS);
    const [{ testModules, unhandledErrors }, compileErrors] = await Promise.all([
      this.vitest.runTestSpecifications(specifications, true).finally(() => clearTimeout(watchdog)),
      typeErrors(this.target, lessons, this.root),
    ]);
    const reports = lessons.map((lesson) => reportFor(lesson, testModules, this.root));
    for (const report of reports) {
      // An error vitest cannot pin on a file (rare) fails every lesson of the run rather than none.
      report.errors.push(...unhandledErrors.map(describeError));
      if (timedOut) {
        report.errors.unshift(`The tests did not finish within ${RUN_LIMIT_MS / 1000} s and were stopped: is there an endless loop in the exercise?`);
      }
      report.typeErrors.push(...(compileErrors.get(report.lesson.id) ?? []));
    }
    return reports;
  }

  /** Ends the current run at once (its report then carries an error); for a run that is stuck. */
  abort(): void {
    stopChildProcesses();
  }

  /**
   * vitest's type-test pool is made for watch mode: in one open instance, a second run reports
   * the first run's type results (after waiting 500 ms for tsc's watcher). Dropping the checker
   * makes every run start a fresh tsc. `typechecker` is internal to vitest, which is pinned to an
   * exact version; workbook/test/run-suites.test.ts fails if this stops working.
   */
  private async forgetTypeResults(): Promise<void> {
    for (const project of this.vitest.projects) {
      const internal = project as unknown as { typechecker?: { stop(): Promise<void> } };
      await internal.typechecker?.stop();
      internal.typechecker = undefined;
    }
  }

  close(): Promise<void> {
    return this.vitest.close();
  }
}

/** Runs the given lessons' suites once against the target. */
export async function runSuites(target: Target, lessons: Lesson[]): Promise<LessonReport[]> {
  const runner = await SuiteRunner.open(target);
  try {
    return await runner.run(lessons);
  } finally {
    await runner.close();
  }
}

function reportFor(lesson: Lesson, modules: TestModule[], root: string): LessonReport {
  const report: LessonReport = { lesson, tests: [], errors: [], typeErrors: [] };
  for (const module of modules) {
    const file = path.relative(root, module.moduleId);
    if (!file.startsWith(suiteFilter(lesson))) continue;
    for (const error of module.errors()) report.errors.push(`${file}: ${describeError(error)}`);
    for (const test of module.children.allTests()) {
      const result = test.result();
      const state = result.state === 'pending' ? 'skipped' : result.state;
      const outcome: TestOutcome = { file, name: test.fullName, state };
      if (result.state === 'failed') outcome.message = describeError(result.errors[0]);
      report.tests.push(outcome);
    }
  }
  return report;
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
