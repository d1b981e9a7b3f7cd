/**
 * Runs lesson suites through vitest's Node API and reports each test's outcome, so the guide,
 * `npm test`, `progress` and `check` can say which tests pass without parsing vitest's printed
 * output. Each run also type-checks the exercises (compile.ts) and is stopped if it stops moving.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createVitest } from 'vitest/node';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { typeErrors } from './compile.ts';
import type { Lesson } from './lessons.ts';
import type { LessonReport, TestOutcome } from './outcome.ts';
import { ROOT, TARGET_VARIABLE, type Target } from './target.ts';
import { spares, warmForks } from './warm-forks.ts';
import { say } from './messages.ts';

/**
 * A run in which nothing moves (no test starts or ends) for this long is stuck: vitest's own
 * timeouts (15 s a test or hook) cannot fire inside a synchronous endless loop.
 */
export const STALL_LIMIT_MS = 20_000;

/** The test workers' heap: a loop that keeps adding to an array stops here, not at gigabytes. */
export const WORKER_HEAP_MB = 768;

/** What a run tells while it goes: the guide shows the run-time results before the type checks end. */
export interface RunListener {
  testStarted?(name: string): void;
  /** The run-time tests (every *.test.ts) of the run have finished; type checks may still run. */
  runtimeDone?(reports: LessonReport[]): void;
}

/**
 * Stops vitest's workers (and tsc), the only way to end a test stuck in an endless loop. The run
 * then ends with an error and the instance can run again. Uses pgrep (Linux, macOS); where it is
 * missing, nothing is stopped.
 */
export function stopChildProcesses(): void {
  // The spare worker runs nothing yet: stopped now, vitest would take a dead process next run.
  // The kept helpers serve the next runs too.
  const idle = spares.idle();
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return; // no children, or no pgrep
  }
  for (const pid of pids) {
    if (idle.has(Number(pid))) continue;
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
export interface OpenOptions {
  root?: string;
  stallLimitMs?: number;
  warm?: boolean;
}

export class SuiteRunner {
  private listener: RunListener = {};
  private lastMove = 0;
  private runningTest: string | undefined;
  private modules: TestModule[] = [];
  private afterModule: () => void = () => {};
  /** A test file reached a worker in this run: killing the workers now ends the run cleanly. */
  private started = false;
  private abortWhenStarted = false;
  /** The run-time tests are done and only the type checks run: nothing there can loop for ever. */
  private checkingTypes = false;

  private vitest: Vitest | undefined;

  private constructor(
    private readonly target: Target,
    private readonly root: string,
    private readonly stallLimitMs: number,
    private readonly warm: boolean,
  ) {}

  /**
   * Opens vitest on a workbook (this one unless the runner's tests pass a copy). `warm` keeps a
   * worker process started ahead of each run (warm-forks.ts): for the guide, which reruns on save.
   */
  static async open(target: Target, { root = ROOT, stallLimitMs = STALL_LIMIT_MS, warm = false }: OpenOptions = {}): Promise<SuiteRunner> {
    const runner = new SuiteRunner(target, root, stallLimitMs, warm);
    // vitest.config.ts reads the switch when it loads, which happens inside createVitest.
    process.env[TARGET_VARIABLE] = target;
    // Results are read from the reporter below; vitest's own printing (a banner about type
    // testing being experimental, among others) would only clutter the guide and the check.
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const reporter: Reporter = {
      onTestModuleQueued: () => runner.moved(undefined, true),
      onTestModuleStart: () => runner.moved(),
      onTestCaseReady: (test) => {
        // Type tests are reported as tsc finishes, all at once: they are never what is stuck.
        if (test.module.moduleId.endsWith('.test-d.ts')) return runner.moved();
        runner.moved(test.fullName);
        runner.listener.testStarted?.(test.fullName);
      },
      onTestCaseResult: (test) => {
        if (runner.runningTest === test.fullName) runner.runningTest = undefined;
        runner.moved();
      },
      onTestModuleEnd: (module) => {
        runner.moved();
        runner.modules.push(module);
        runner.afterModule();
      },
    };
    runner.vitest = await createVitest(
      'test',
      {
        root,
        config: path.join(root, 'vitest.config.ts'),
        watch: false,
        reporters: [reporter],
        pool: warm ? warmForks : 'forks',
        execArgv: [`--max-old-space-size=${WORKER_HEAP_MB}`],
      },
      {},
      { stdout: quiet, stderr: quiet },
    );
    return runner;
  }

  private moved(test?: string, queued = false): void {
    this.lastMove = performance.now();
    if (test !== undefined) this.runningTest = test;
    if (queued && !this.started) {
      this.started = true;
      if (this.abortWhenStarted) this.abort();
    }
  }

  async run(lessons: Lesson[], listener: RunListener = {}): Promise<LessonReport[]> {
    const vitest = this.vitest!;
    this.listener = listener;
    this.modules = [];
    this.runningTest = undefined;
    this.started = false;
    this.abortWhenStarted = false;
    this.checkingTypes = false;
    for (const lesson of lessons) vitest.invalidateFile(lesson.exercise);
    await this.forgetTypeResults();
    const specifications = await vitest.globTestSpecifications(lessons.map(suiteFilter));
    const runtimeFiles = specifications.filter((spec) => !spec.moduleId.endsWith('.test-d.ts')).length;

    let stalledIn: string | undefined;
    let stalled = false;
    this.moved();
    const watchdog = setInterval(() => {
      // Before a worker has its first file, vitest's own start-up timeout applies.
      if (!this.started || performance.now() - this.lastMove < this.stallLimitMs) return;
      stalled = true;
      stalledIn = this.runningTest;
      stopChildProcesses();
    }, 500);
    let toldRuntime = false;
    const tellRuntime = () => {
      if (toldRuntime || !listener.runtimeDone) return;
      const done = this.modules.filter((module) => !module.moduleId.endsWith('.test-d.ts'));
      if (done.length < runtimeFiles) return;
      toldRuntime = true;
      this.checkingTypes = true;
      listener.runtimeDone(lessons.map((lesson) => reportFor(lesson, done, this.root)));
    };
    this.afterModule = tellRuntime;

    const run = (specs: typeof specifications) =>
      specs.length === 0 ? Promise.resolve({ testModules: [], unhandledErrors: [] }) : vitest.runTestSpecifications(specs, true);
    const isTypeSuite = (spec: (typeof specifications)[number]) => spec.moduleId.endsWith('.test-d.ts');
    let testModules: TestModule[];
    let unhandledErrors: readonly unknown[];
    let compileErrors: Map<string, string[]>;
    try {
      if (listener.runtimeDone) {
        // The learner waits: the run-time tests first, with the machine to themselves, then the
        // type tests and the compile check, while the run-time verdict is already on screen.
        const runtime = await run(specifications.filter((spec) => !isTypeSuite(spec)));
        this.checkingTypes = true;
        // The run-time worker is gone: the next run's spare starts while the types are checked.
        if (this.warm) spares.refill(lessons, this.root);
        const [types, errors] = await Promise.all([run(specifications.filter(isTypeSuite)), typeErrors(this.target, lessons, this.root)]);
        // vitest hands back every module it knows of: take each one from the run that ran it.
        testModules = [...runtime.testModules.filter((module) => !module.moduleId.endsWith('.test-d.ts')), ...types.testModules.filter((module) => module.moduleId.endsWith('.test-d.ts'))];
        unhandledErrors = [...runtime.unhandledErrors, ...types.unhandledErrors];
        compileErrors = errors;
      } else {
        const [all, errors] = await Promise.all([run(specifications), typeErrors(this.target, lessons, this.root)]);
        ({ testModules, unhandledErrors } = all);
        compileErrors = errors;
      }
    } finally {
      clearInterval(watchdog);
    }
    const reports = lessons.map((lesson) => reportFor(lesson, testModules, this.root));
    // A worker stuck in a loop cannot send the news that its test started; the stuck test is
    // then the first one that never ended (a file's tests run one after another).
    stalledIn ??= firstUnfinished(testModules);
    for (const report of reports) {
      // An error vitest cannot pin on a file (rare) fails every lesson of the run rather than none.
      // After a stall the workers die because they were stopped: their errors would only mislead.
      if (!stalled) report.errors.push(...unhandledErrors.map((error) => describeCrash(error, this.runningTest ?? firstUnfinished(testModules))));
      if (stalled) {
        report.errors.unshift(say.stalled(this.stallLimitMs / 1000, stalledIn));
      }
      report.typeErrors.push(...(compileErrors.get(report.lesson.id) ?? []));
    }
    this.listener = {};
    this.afterModule = () => {};
    if (this.warm) spares.refill(lessons, this.root);
    return reports;
  }

  /**
   * Ends the current run (its report then carries an error): for a run that is stuck, or one a
   * save made useless. A worker killed while it starts would hold vitest for a minute, so a run
   * that has not reached its workers yet is stopped as soon as it does, and a run that is only
   * type-checking (a second or so) is left to end by itself.
   */
  abort(): void {
    // Killing tsc under vitest's type checker can leave that checker waiting: let it finish.
    if (this.checkingTypes) return;
    if (this.started) stopChildProcesses();
    else this.abortWhenStarted = true;
  }

  /**
   * vitest's type-test pool is made for watch mode: in one open instance, a second run reports
   * the first run's type results (after waiting 500 ms for tsc's watcher). Dropping the checker
   * makes every run start a fresh tsc. `typechecker` is internal to vitest, which is pinned to an
   * exact version; workbook/test/run-suites.test.ts fails if this stops working.
   */
  private async forgetTypeResults(): Promise<void> {
    for (const project of this.vitest!.projects) {
      const internal = project as unknown as { typechecker?: { stop(): Promise<void> } };
      await internal.typechecker?.stop();
      internal.typechecker = undefined;
    }
  }

  /** Kills every worker and tsc now, started or not: for leaving the process. */
  stopNow(): void {
    stopChildProcesses();
    if (this.warm) spares.drop();
  }

  close(): Promise<void> {
    if (this.warm) spares.drop();
    return this.vitest!.close();
  }
}

/** Runs the given lessons' suites once against the target. */
export async function runSuites(target: Target, lessons: Lesson[], listener?: RunListener): Promise<LessonReport[]> {
  const runner = await SuiteRunner.open(target);
  try {
    return await runner.run(lessons, listener);
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

function firstUnfinished(modules: TestModule[]): string | undefined {
  for (const module of modules) {
    if (module.moduleId.endsWith('.test-d.ts')) continue;
    for (const test of module.children.allTests()) if (test.result().state === 'pending') return test.fullName;
  }
  return undefined;
}

/** A worker that died (most often: out of memory in a loop that never ends) says so in words. */
function describeCrash(error: unknown, runningTest: string | undefined): string {
  const text = describeError(error);
  if (!/exited unexpectedly|emitted error|heap out of memory|Channel closed/i.test(text)) return text;
  return say.crashed(runningTest, WORKER_HEAP_MB, text.split('\n')[0]!);
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
