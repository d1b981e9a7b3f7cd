/**
 * Runs lesson suites through vitest's Node API and reports each test's outcome, so the guide,
 * `progress` and `check` can say which tests pass without parsing vitest's printed output.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { createVitest } from 'vitest/node';
import type { TestModule, Vitest } from 'vitest/node';
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
}

/** A lesson passes when it has tests, none failed and nothing broke outside them. */
export function passed(report: LessonReport): boolean {
  return report.errors.length === 0 && report.tests.length > 0 && report.tests.every((test) => test.state !== 'failed');
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
    return new SuiteRunner(vitest, root);
  }

  async run(lessons: Lesson[]): Promise<LessonReport[]> {
    for (const lesson of lessons) this.vitest.invalidateFile(lesson.exercise);
    await this.forgetTypeResults();
    const specifications = await this.vitest.globTestSpecifications(lessons.map(suiteFilter));
    const { testModules, unhandledErrors } = await this.vitest.runTestSpecifications(specifications, true);
    const reports = lessons.map((lesson) => reportFor(lesson, testModules, this.root));
    // An error vitest cannot pin on a file (rare) fails every lesson of the run rather than none.
    for (const report of reports) report.errors.push(...unhandledErrors.map(describeError));
    return reports;
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
  const report: LessonReport = { lesson, tests: [], errors: [] };
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
