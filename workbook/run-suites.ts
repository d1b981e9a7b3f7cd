/**
 * Runs lesson suites through vitest's Node API and reports each test's outcome, so the guide,
 * `npm test`, `progress` and `check` can say which tests pass without parsing vitest's printed
 * output. Each run also type-checks the exercises (compile.ts) and is stopped if it stops moving.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createVitest } from 'vitest/node';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { exerciseFile, typeErrors } from './compile.ts';
import { describeEscaped, isEscaped } from './escaped.ts';
import { relative, type Lesson } from './lessons.ts';
import type { CompileError, LessonReport, TestOutcome } from './outcome.ts';
import { ROOT, TARGET_VARIABLE, type Target } from './target.ts';
import { todoLinesOf } from './todo-lines.ts';
import { inTodoOrder, TODO_ORDER, todoAtHand, todoNumber, type TodoOrder } from './todos.ts';
import { lowerPriority, NICENESS } from './priority.ts';
import { forksPool, spares } from './warm-forks.ts';
import { say } from './messages.ts';
import { readSourceMapsOnce } from './stack-maps.ts';
import { busyFactor, hookAllowance, scaledLimits, STALL_LIMITS, testAllowance, type StallLimits } from './stall.ts';

/** The test workers' heap: a loop that keeps adding to an array stops here, not at gigabytes. */
export const WORKER_HEAP_MB = 768;

/** What a run tells while it goes: the guide shows the run-time results before the type checks end. */
export interface RunListener {
  testStarted?(name: string): void;
  /**
   * A one-lesson run's TODO at hand has all its tests finished (todos.ts), while other TODOs'
   * tests still run: the tests finished so far, and the TODOs whose tests are still to come
   * (earlier ones among them when the run took the TODO at hand first). Told again when the TODO
   * at hand or the earlier TODOs still to come change, not after the last run-time test.
   */
  todoAtHand?(report: LessonReport, stillRunning: number[]): void;
  /** The run-time tests (every *.test.ts) of the run have finished; type checks may still run. */
  runtimeDone?(reports: LessonReport[]): void;
}

/**
 * Stops test workers, the only way to end a test stuck in an endless loop: `workers` (a run's),
 * else every child process of this one but the spares and the kept helpers (vitest's workers and
 * tsc). What a worker started goes too (lesson 10's servers, say): killed with its worker, it
 * would live on as an orphan, since the worker's afterAll never runs.
 */
export function stopChildProcesses(workers?: Iterable<number>): void {
  const childrenOf = processTree();
  // The spare workers run nothing yet: stopped now, vitest would take a dead process next run.
  // The kept helpers serve the next runs too.
  const idle = spares.idle();
  // The whole tree is read before anything is killed: an orphan can no longer be told by its parent.
  const doomed = workers ? [...workers] : (childrenOf.get(process.pid) ?? []).filter((pid) => !idle.has(pid));
  for (let index = 0; index < doomed.length; index += 1) doomed.push(...(childrenOf.get(doomed[index]!) ?? []));
  for (const pid of doomed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Each process's children, by its pid: from /proc on Linux (BusyBox's ps has no -o pid=), else ps. */
function processTree(): Map<number, number[]> {
  const pairs: [number, number][] = [];
  if (fs.existsSync('/proc/self/stat')) {
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // "pid (command) state ppid …": the command may hold spaces and parentheses.
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        pairs.push([Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])]);
      } catch {
        // ended while being read
      }
    }
  } else {
    try {
      const table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
      for (const row of table.trim().split('\n')) pairs.push(row.trim().split(/\s+/).map(Number) as [number, number]);
    } catch {
      // no ps: nothing is found, nothing stopped
    }
  }
  const childrenOf = new Map<number, number[]>();
  for (const [pid, parent] of pairs) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), pid]);
  return childrenOf;
}

/** How one run goes. */
export interface RunOptions {
  /**
   * The order of the suites' TODO blocks (todos.ts): the guide starts from the TODO the learner
   * is on, the check runs the solutions last TODO first. Only the order changes: every test runs.
   */
  order?: TodoOrder;
  /** The run-time suites only (*.test.ts): no type tests, no compile check. */
  runtimeOnly?: boolean;
  /**
   * With warm on, the lessons the spare workers started after this run get ready for (their
   * packages loaded); this run's lessons unless said. The guide names the lesson on screen, so
   * that a check of another lesson in the background leaves spares for the next save.
   */
  sparesFor?: Lesson[];
}

/** vitest's runner with the workbook's changes (the run's TodoOrder, results sent soon); in the test workers. */
const VITEST_RUNNER = path.join(ROOT, 'workbook', 'vitest-runner.ts');

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
  /**
   * When a run is stuck (stall.ts): STALL_LIMITS, grown with the machine's load at each run's
   * start, unless given (the runner's tests give short ones, used as they are).
   */
  stall?: StallLimits;
  warm?: boolean;
}

export class SuiteRunner {
  private listener: RunListener = {};
  private lastMove = 0;
  /**
   * The run-time tests and hooks running now (several files may run at once), each with how long
   * it may go quiet (stall.ts); a test also with its name.
   */
  private active = new Map<string, { allowanceMs: number; test?: string }>();
  /** This run's limits (see OpenOptions.stall). */
  private limits: StallLimits = STALL_LIMITS;
  private modules: TestModule[] = [];
  private afterModule: () => void = () => {};
  /** A test file reached a worker in this run: killing the workers now ends the run cleanly. */
  private started = false;
  private abortWhenStarted = false;
  /** The run-time tests are done and only the type checks run: nothing there can loop for ever. */
  private checkingTypes = false;
  /** abort() was called: type checks not started yet would be for a file already saved over. */
  private stopped = false;
  /** The lesson of a one-lesson run with one run-time file: its TODO at hand is told as it goes. */
  private tellingTodoAtHand: Lesson | undefined;
  /** What was told last of the TODO at hand (its number and the TODOs still running), if anything. */
  private toldTodoAtHand: string | undefined;
  /** The lessons this run's refills of the spares are for (RunOptions.sparesFor). */
  private sparesFor: Lesson[] = [];
  /** A run-time test of this run has failed: before that, no TODO is at hand. */
  private failedSoFar = false;
  /** The worker processes of this instance's runs, the ones stopping a run kills (with what they started). */
  private workers = new Set<number>();
  /** Stops this run's compile check (abort). */
  private compileCheck = new AbortController();

  private vitest: Vitest | undefined;

  private constructor(
    private readonly target: Target,
    private readonly root: string,
    private readonly stall: StallLimits | undefined,
    private readonly warm: boolean,
  ) {}

  /**
   * Opens vitest on a workbook (this one unless the runner's tests pass a copy). `warm` keeps a
   * worker process started ahead of each run (warm-forks.ts): for the guide, which reruns on save.
   */
  static async open(target: Target, { root = ROOT, stall, warm = false }: OpenOptions = {}): Promise<SuiteRunner> {
    const runner = new SuiteRunner(target, root, stall, warm);
    // vitest.config.ts reads the switch when it loads, which happens inside createVitest.
    process.env[TARGET_VARIABLE] = target;
    // Results are read from the reporter below; vitest's own printing (a banner about type
    // testing being experimental, among others) would only clutter the guide and the check.
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const reporter: Reporter = {
      onTestModuleQueued: (module) => {
        runner.active.set(`load ${module.id}`, { allowanceMs: runner.limits.loadMs });
        runner.queued();
      },
      onTestModuleCollected: (module) => {
        runner.active.delete(`load ${module.id}`);
        runner.moved();
      },
      onTestModuleStart: () => runner.moved(),
      onHookStart: (hook) => {
        runner.active.set(`${hook.name} ${hook.entity.id}`, { allowanceMs: hookAllowance(hook, runner.limits) });
        runner.moved();
      },
      onHookEnd: (hook) => {
        runner.active.delete(`${hook.name} ${hook.entity.id}`);
        runner.moved();
      },
      onTestCaseReady: (test) => {
        // Type tests are reported as tsc finishes, all at once: they are never what is stuck.
        if (test.module.moduleId.endsWith('.test-d.ts')) return runner.moved();
        runner.active.set(test.id, { allowanceMs: testAllowance(test, runner.limits), test: test.fullName });
        runner.moved();
        runner.listener.testStarted?.(test.fullName);
      },
      onTestCaseResult: (test) => {
        runner.active.delete(test.id);
        runner.moved();
        runner.tellTodoAtHand(test);
      },
      onTestModuleEnd: (module) => {
        runner.active.delete(`load ${module.id}`);
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
        pool: forksPool({ warm, onFork: ({ pid }) => void (pid !== undefined && runner.workers.add(pid)) }),
        execArgv: [`--max-old-space-size=${WORKER_HEAP_MB}`],
        runner: VITEST_RUNNER,
      },
      {},
      { stdout: quiet, stderr: quiet },
    );
    readSourceMapsOnce(runner.vitest);
    return runner;
  }

  private moved(): void {
    this.lastMove = performance.now();
  }

  /** How long the run may go quiet now: as long as the most patient of what runs allows. */
  private allowanceMs(): number {
    const running = [...this.active.values()].map((entry) => entry.allowanceMs);
    return running.length === 0 ? this.limits.limitMs : Math.max(...running);
  }

  /** The test that started last and has not ended. */
  private runningTest(): string | undefined {
    return [...this.active.values()].findLast((entry) => entry.test !== undefined)?.test;
  }

  /** Tells the listener the TODO at hand once its tests have finished, and again as that changes. */
  private tellTodoAtHand(test: TestCase): void {
    const lesson = this.tellingTodoAtHand;
    const module = test.module;
    if (!lesson || !this.listener.todoAtHand || module.moduleId.endsWith('.test-d.ts') || module.errors().length > 0) return;
    // Saves going over every finished test after each test of a run where all pass (a solved lesson).
    this.failedSoFar ||= test.result().state === 'failed';
    if (!this.failedSoFar) return;
    const file = path.relative(this.root, module.moduleId);
    const finished: TestCase[] = [];
    const unfinished: string[] = [];
    for (const each of module.children.allTests()) {
      if (each.result().state === 'pending') unfinished.push(each.fullName);
      else finished.push(each);
    }
    // Names and states only: the errors are described once, if this is told.
    const todo = todoAtHand(finished.map((each) => ({ file, name: each.fullName, state: each.result().state as TestOutcome['state'] })), unfinished);
    // After the last test, the run-time verdict itself comes next.
    if (unfinished.length === 0 || todo === undefined) return;
    const stillRunning = [...new Set(unfinished.flatMap((name) => todoNumber({ name }) ?? []))].sort((a, b) => a - b);
    // Told again when the TODO at hand or the earlier TODOs still to run change, not for each later
    // TODO's end: the verdict at the run's end has those, and each telling redraws the screen.
    const told = `${todo}: ${stillRunning.filter((other) => other < todo).join(' ')}`;
    if (told === this.toldTodoAtHand) return;
    // The verdict goes on screen: the next save will stop this run, and its run wants a spare
    // ready. The rest of this run yields to it (lesson 08's spare loads onnxruntime).
    if (this.toldTodoAtHand === undefined && this.warm) {
      for (const pid of this.workers) lowerPriority(pid, NICENESS.verdictShown);
      spares.refill(this.sparesFor, this.root);
    }
    this.toldTodoAtHand = told;
    this.listener.todoAtHand({ lesson, tests: finished.map((each) => outcomeOf(each, file)), errors: [], typeErrors: [] }, stillRunning);
  }

  private queued(): void {
    this.moved();
    if (this.started) return;
    this.started = true;
    if (this.abortWhenStarted) this.abort();
  }

  async run(lessons: Lesson[], listener: RunListener = {}, { order = 'written', runtimeOnly = false, sparesFor = lessons }: RunOptions = {}): Promise<LessonReport[]> {
    const vitest = this.vitest!;
    this.listener = listener;
    this.sparesFor = sparesFor;
    this.limits = this.stall ?? scaledLimits(STALL_LIMITS, busyFactor());
    this.modules = [];
    this.active.clear();
    this.started = false;
    this.abortWhenStarted = false;
    this.checkingTypes = false;
    this.stopped = false;
    this.failedSoFar = false;
    this.toldTodoAtHand = undefined;
    this.workers.clear();
    this.compileCheck = new AbortController();
    for (const lesson of lessons) vitest.invalidateFile(lesson.exercise);
    await this.forgetTypeResults();
    const specifications = (await vitest.globTestSpecifications(lessons.map(suiteFilter))).filter((spec) => !runtimeOnly || !spec.moduleId.endsWith('.test-d.ts'));
    const runtimeFiles = specifications.filter((spec) => !spec.moduleId.endsWith('.test-d.ts')).length;
    this.tellingTodoAtHand = lessons.length === 1 && runtimeFiles === 1 ? lessons[0] : undefined;
    // Sent to the workers with the run (vitest's provide and inject).
    vitest.provide(TODO_ORDER, order);

    let stalledIn: string | undefined;
    /** How long the run had gone quiet when it was stopped. */
    let stalledAfterMs: number | undefined;
    this.moved();
    const runtimeDone = () => this.modules.filter((module) => !module.moduleId.endsWith('.test-d.ts'));
    const watchdog = setInterval(() => {
      // Before a worker has its first file, vitest's own start-up timeout applies; once the
      // run-time files are done, only tsc runs (the type tests), which cannot loop for ever.
      if (!this.started || runtimeDone().length >= runtimeFiles) return;
      if (performance.now() - this.lastMove < this.allowanceMs()) return;
      // Said as it was when the run was stopped, whatever the dying workers report after.
      if (stalledAfterMs === undefined) {
        stalledAfterMs = this.allowanceMs();
        stalledIn = this.runningTest();
      }
      stopChildProcesses(this.workers);
    }, 500);
    let toldRuntime = false;
    const tellRuntime = () => {
      if (toldRuntime || !listener.runtimeDone) return;
      const done = runtimeDone();
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
    let compileErrors: Map<string, CompileError[]>;
    try {
      if (listener.runtimeDone) {
        // The learner waits: the run-time tests first, with the machine to themselves, then the
        // type tests and the compile check, while the run-time verdict is already on screen.
        const runtime = await run(specifications.filter((spec) => !isTypeSuite(spec)));
        this.checkingTypes = true;
        // The run-time worker is gone: the next run's spare starts while the types are checked.
        if (this.warm) spares.refill(sparesFor, this.root);
        const stopped = { testModules: [], unhandledErrors: [] };
        const [types, errors] = this.stopped || runtimeOnly
          ? [stopped, new Map<string, CompileError[]>()]
          : await Promise.all([run(specifications.filter(isTypeSuite)), typeErrors(this.target, lessons, this.root, this.compileCheck.signal, { lowPriority: this.warm })]);
        // vitest hands back every module it knows of: take each one from the run that ran it.
        testModules = [...runtime.testModules.filter((module) => !module.moduleId.endsWith('.test-d.ts')), ...types.testModules.filter((module) => module.moduleId.endsWith('.test-d.ts'))];
        unhandledErrors = [...runtime.unhandledErrors, ...types.unhandledErrors];
        compileErrors = errors;
      } else {
        const [all, errors] = await Promise.all([run(specifications), runtimeOnly ? new Map<string, CompileError[]>() : typeErrors(this.target, lessons, this.root, this.compileCheck.signal)]);
        ({ testModules, unhandledErrors } = all);
        compileErrors = errors;
      }
    } finally {
      clearInterval(watchdog);
      this.checkingTypes = false;
    }
    const reports = lessons.map((lesson) => ({ ...reportFor(lesson, testModules, this.root), ...(order === 'written' ? {} : { order }) }));
    // A worker stuck in a loop cannot send the news that its test started; the stuck test is
    // then the first one that never ended (a file's tests run one after another, in the run's order).
    stalledIn ??= firstUnfinished(testModules, order);
    for (const report of reports) {
      // After a stall the workers die because they were stopped: their errors would only mislead.
      if (stalledAfterMs !== undefined) report.errors.unshift(say.stalled(Math.round(stalledAfterMs / 1000), stalledIn));
      else report.errors.push(...unhandledErrors.filter((error) => concerns(error, report.lesson, this.root)).map((error) => this.describeUnhandled(error, report, testModules)));
      report.typeErrors.push(...(compileErrors.get(report.lesson.id) ?? []));
    }
    this.listener = {};
    this.afterModule = () => {};
    if (this.warm) spares.refill(sparesFor, this.root);
    return reports;
  }

  /** An error outside the tests in words: one that escaped the exercise, or a worker that died. */
  private describeUnhandled(error: unknown, report: LessonReport, modules: TestModule[]): string {
    if (!isEscaped(error)) return describeCrash(error, this.runningTest() ?? firstUnfinished(modules, report.order ?? 'written'));
    const file = exerciseFile(report.lesson, this.target);
    return describeEscaped(error, { file, shownAs: relative(file, this.root), tests: report.tests, todoAt: todoLinesOf(report.lesson, file, this.root) });
  }

  /**
   * Ends the current run (its report then carries an error, or misses type results): for a run
   * that is stuck, or one a save made useless. A worker killed while it starts would hold vitest
   * for a minute, so a run that has not reached its workers yet is stopped as soon as it does.
   */
  abort(): void {
    this.stopped = true;
    // The next run, or the learner, waits for this one's processes to end.
    if (this.warm) spares.pause();
    if (this.checkingTypes) return void this.stopTypeChecks();
    if (this.started) stopChildProcesses(this.workers);
    else this.abortWhenStarted = true;
  }

  /**
   * Ends the type checks as vitest itself does (a signal to its checker, which passes it on to
   * tsc) and the compile check: vitest's run then ends as soon as tsc has, and the next run can
   * start. A SIGKILL to every child instead could leave vitest's checker waiting. A checker not
   * started yet is not stopped: it ends by itself within a second.
   */
  private async stopTypeChecks(): Promise<void> {
    this.compileCheck.abort();
    for (const project of this.typeCheckedProjects()) await project.typechecker?.stop();
  }

  /**
   * vitest's type-test pool is made for watch mode: in one open instance, a second run reports
   * the first run's type results (after waiting 500 ms for tsc's watcher). Dropping the checker
   * makes every run start a fresh tsc. `typechecker` is internal to vitest, which is pinned to an
   * exact version; workbook/test/run-suites.test.ts fails if this stops working.
   */
  private async forgetTypeResults(): Promise<void> {
    for (const project of this.typeCheckedProjects()) {
      await project.typechecker?.stop();
      project.typechecker = undefined;
    }
  }

  /** vitest's projects, with their type checker (internal to vitest, see forgetTypeResults). */
  private typeCheckedProjects(): Array<{ typechecker?: { stop(): Promise<void> } }> {
    return this.vitest!.projects as unknown as Array<{ typechecker?: { stop(): Promise<void> } }>;
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
export async function runSuites(target: Target, lessons: Lesson[], listener?: RunListener, options?: RunOptions): Promise<LessonReport[]> {
  const runner = await SuiteRunner.open(target);
  try {
    return await runner.run(lessons, listener, options);
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
    for (const test of module.children.allTests()) report.tests.push(outcomeOf(test, file));
  }
  return report;
}

/** A test's outcome in the runner's terms; one that never ran counts as skipped. */
function outcomeOf(test: TestCase, file: string): TestOutcome {
  const result = test.result();
  const outcome: TestOutcome = { file, name: test.fullName, state: result.state === 'pending' ? 'skipped' : result.state };
  if (result.state === 'failed') outcome.message = describeError(result.errors[0]);
  return outcome;
}

/**
 * Whether an error outside the tests concerns a lesson: vitest names the suite that was running;
 * an error it cannot pin on a suite (rare) fails every lesson of the run rather than none.
 */
function concerns(error: unknown, lesson: Lesson, root: string): boolean {
  const suite = typeof error === 'object' && error !== null ? (error as { VITEST_TEST_PATH?: unknown }).VITEST_TEST_PATH : undefined;
  return typeof suite !== 'string' || path.relative(root, suite).startsWith(suiteFilter(lesson));
}

function firstUnfinished(modules: TestModule[], order: TodoOrder): string | undefined {
  for (const module of modules) {
    if (module.moduleId.endsWith('.test-d.ts')) continue;
    for (const child of inTodoOrder([...module.children], order, todoNumber)) {
      const tests = child.type === 'suite' ? [...child.children.allTests()] : [child];
      const pending = tests.find((test) => test.result().state === 'pending');
      if (pending) return pending.fullName;
    }
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
