/**
 * vitest's `forks` pool with worker processes started ahead of time. A fresh worker spends
 * about a quarter of a second loading vitest before it can take a test file, and more loading
 * the packages the suite imports; the guide reruns a lesson on every save, so it keeps spares
 * that have done both already. Each run still gets a
 * process of its own (nothing leaks from one run into the next), with the same heap cap and the
 * same way to be stopped.
 *
 * Beside the spares, the guide keeps the helpers the suites' support modules come with
 * (`tests/support/NAME.kept.ts` beside `NAME.ts`; lesson 05's Chromium, whose start costs a
 * second): started by the first run that needs one and kept until the guide ends, they tell
 * each spare how to reach them through environment variables.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ForksPoolWorker } from 'vitest/node';
import type { PoolOptions, PoolRunnerInitializer } from 'vitest/node';
import type { Lesson } from './lessons.ts';
import { lowerPriority, NICENESS } from './priority.ts';
import { ROOT } from './target.ts';

/** How vitest starts a worker: a spare made any other way must not be used. */
interface Recipe {
  entrypoint: string;
  execArgv: string[];
  env: Partial<NodeJS.ProcessEnv>;
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function sameRecipe(a: Recipe, b: Recipe): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How long a spare waits for a kept helper that is starting before it starts without it. */
const HELPER_START_LIMIT_MS = 30_000;

/**
 * A helper process kept from one run to the next. It runs `tests/support/NAME.kept.ts` (with tsx),
 * sends one message, `{ env }`: the variables a run's worker needs to reach it (`{}` when it could
 * not start), and ends when its IPC channel closes, which happens when the guide ends, however
 * it ends (q, Ctrl-C, a signal, SIGKILL).
 */
class KeptHelper {
  readonly process: ChildProcess;
  /** The variables to give the spare; `{}` if the helper ended or said nothing in time. */
  readonly env: Promise<Record<string, string>>;

  constructor(file: string, root: string) {
    this.process = fork(file, [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    this.process.on('error', () => {});
    // Idle, it must not keep the guide's process alive.
    this.process.unref();
    this.process.channel?.unref();
    this.env = new Promise((resolve) => {
      const timer = setTimeout(() => resolve({}), HELPER_START_LIMIT_MS);
      timer.unref();
      const done = (env: Record<string, string>) => {
        clearTimeout(timer);
        resolve(env);
      };
      this.process.once('message', (message) => done((message as { env?: Record<string, string> }).env ?? {}));
      this.process.once('exit', () => done({}));
    });
  }

  /** Closes its IPC channel, as the guide's end would: the helper cleans up (a namespace to remove) and exits. */
  stop(): void {
    if (this.process.connected) this.process.disconnect();
  }
}

/**
 * How many spares wait. A run takes one; the next is started once the run's verdict is on screen,
 * and takes about a second to load lesson 08's packages (onnxruntime compiles its WebAssembly):
 * a learner who saves again within that second would wait for it. With two, that save takes the
 * one that has been waiting since the run before.
 */
const SPARE_COUNT = 2;

/** The spare worker processes and how they were made; the guide has one vitest, so one of these. */
class Spares {
  /** Oldest first: the oldest has had the longest to load. `packages`: the ones it loaded, as warm-preload.mjs's arguments. */
  private spares: { process: ChildProcess; recipe: Recipe; packages: string[] }[] = [];
  private lastRecipe: Recipe | undefined;
  /** Spares about to start, once the helpers they need have said how to reach them. */
  private starting = new Set<symbol>();
  private helpers = new Map<string, KeptHelper>();
  /** Between pause() and refill(): a spare forked meanwhile is paused at once. */
  private paused = false;

  /**
   * Pauses the spares (SIGSTOP) until refill() lets them go on, when the next run's verdict is on
   * screen or that run ends: from a save to its verdict, a spare still getting ready (lesson 08's
   * compiles onnxruntime for half a second) would take half of a 2-core machine from what the
   * learner waits for, the run and the end of the run before (its processes need the CPU to exit).
   * A spare forked while they are paused is paused too. Leaving normally, or on SIGTERM, SIGHUP or
   * SIGINT, kills them (drop(), endWithTheGuide()); on a SIGKILL of a guide started from a shell,
   * the kernel does (a process group its shell has left gets SIGHUP and SIGCONT). A guide started
   * otherwise and killed with SIGKILL between a save and its verdict leaves them paused. Windows
   * has no SIGSTOP: nothing is paused there.
   */
  pause(): void {
    this.paused = true;
    for (const spare of this.spares) signal(spare.process, 'SIGSTOP');
  }

  /** The oldest spare, if it was made the same way and is still alive; the others are paused, and the next ones are made by refill(). */
  take(recipe: Recipe): ChildProcess | undefined {
    this.lastRecipe = recipe;
    while (this.spares.length > 0) {
      const spare = this.spares.shift()!;
      if (isAlive(spare.process) && spare.process.connected && sameRecipe(spare.recipe, recipe)) {
        this.pause();
        signal(spare.process, 'SIGCONT');
        return spare.process;
      }
      spare.process.kill('SIGKILL');
    }
    return undefined;
  }

  /**
   * Lets the paused spares go on, and starts the helpers the suites of `lessons` keep, unless they
   * run already, and spares like the last worker vitest asked for, up to SPARE_COUNT waiting: with
   * the packages those suites load already loaded (warm-preload.mjs reads them from its
   * arguments), and with the variables of every kept helper (the guide's runs between two saves
   * check other lessons too). Spares made for other lessons are replaced: after a switch to lesson
   * 08, a spare with zod alone would leave its run to load onnxruntime.
   */
  refill(lessons: Lesson[], root = ROOT): void {
    const { packages, helpers } = suiteImports(lessons, root);
    const kept = this.keep(helpers, root);
    const recipe = this.lastRecipe;
    this.spares = this.spares.filter((spare) => {
      if (spare.packages.join('\n') === packages.join('\n')) return isAlive(spare.process);
      spare.process.kill('SIGKILL');
      return false;
    });
    this.paused = false;
    for (const spare of this.spares) signal(spare.process, 'SIGCONT');
    if (!recipe) return;
    for (let count = this.spares.length + this.starting.size; count < SPARE_COUNT; count++) {
      const starting = Symbol('a spare');
      this.starting.add(starting);
      void Promise.all(kept.map((helper) => helper.env)).then((envs) => {
        // Dropped meanwhile: the guide is leaving.
        if (!this.starting.delete(starting)) return;
        const child = fork(recipe.entrypoint, packages, {
          env: Object.assign({}, recipe.env, ...envs),
          execArgv: [...recipe.execArgv, '--import', pathToFileURL(PRELOAD).href],
          stdio: 'pipe',
          serialization: 'advanced',
        });
        // An idle spare must not keep the guide's process alive, nor die noisily when it is stopped.
        child.on('error', () => {});
        if (child.pid !== undefined) lowerPriority(child.pid, NICENESS.worker);
        if (this.paused) signal(child, 'SIGSTOP');
        child.unref();
        child.channel?.unref();
        this.spares.push({ process: child, recipe, packages });
        endWithTheGuide();
      });
    }
  }

  /** Every kept helper, with those in `files` started when missing or dead (a browser that crashed). */
  private keep(files: string[], root: string): KeptHelper[] {
    for (const file of files) {
      const helper = this.helpers.get(file);
      if (!helper || !isAlive(helper.process)) this.helpers.set(file, new KeptHelper(file, root));
    }
    return [...this.helpers.values()];
  }

  /** The process id of the spare the next run takes. */
  pid(): number | undefined {
    return this.spares[0]?.process.pid;
  }

  /** The processes that run no test, the spares and the kept helpers: stopping a run's workers must leave them alone. */
  idle(): Set<number> {
    const processes = [...this.spares, ...this.helpers.values()].map((each) => each.process);
    return new Set(processes.flatMap((child) => (child.pid === undefined ? [] : [child.pid])));
  }

  /** Stops the spares and the kept helpers, for leaving the process or closing vitest. */
  drop(): void {
    this.starting.clear();
    this.paused = false;
    for (const spare of this.spares) spare.process.kill('SIGKILL');
    this.spares = [];
    for (const helper of this.helpers.values()) helper.stop();
    this.helpers.clear();
  }
}

/** Sends a pause or a go-on; Windows has neither (Node would throw). */
function signal(child: ChildProcess, name: 'SIGSTOP' | 'SIGCONT'): void {
  if (process.platform !== 'win32') child.kill(name);
}

let endingWithTheGuide = false;

/**
 * Kills the spares when the guide's process ends, however it ends short of a SIGKILL: a paused
 * spare cannot notice that its IPC channel has closed. On a signal the handler then lets the
 * signal do what it does by default.
 */
function endWithTheGuide(): void {
  if (endingWithTheGuide) return;
  endingWithTheGuide = true;
  process.once('exit', () => spares.drop());
  for (const name of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    const onSignal = () => {
      spares.drop();
      // Only ours left: the default (the process ends by this signal).
      if (process.listenerCount(name) === 0) process.kill(process.pid, name);
    };
    process.once(name, onSignal);
  }
}

const PRELOAD = path.join(ROOT, 'workbook', 'warm-preload.mjs');

const IMPORT = /^\s*import\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/**
 * What a run of these lessons loads, read from the imports of their run-time suites, the test
 * helpers those import and their exercises: the packages, by name (`zod`, `playwright-core`; not
 * `node:` modules, vitest or the exercise), and the kept helpers of those test helpers.
 */
function suiteImports(lessons: Lesson[], root: string): { packages: string[]; helpers: string[] } {
  const files = new Set<string>();
  for (const lesson of lessons) {
    files.add(path.join(root, 'tests', `${lesson.id}.test.ts`));
    files.add(lesson.exercise);
  }
  const packages = new Set<string>();
  const helpers = new Set<string>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (specifier!.startsWith('./support/')) {
        const support = path.join(path.dirname(file), specifier!);
        files.add(support);
        const kept = support.replace(/\.ts$/, '.kept.ts');
        if (kept !== support && fs.existsSync(kept)) helpers.add(kept);
      } else if (!/^(\.|\/|#|node:|vitest)/.test(specifier!)) packages.add(specifier!);
    }
  }
  return { packages: [...packages].sort(), helpers: [...helpers].sort() };
}

/**
 * The packages a run of these lessons loads. A spare that has them loaded saves the run that
 * time: playwright-core alone takes about 0.6 s.
 */
export function packagesOf(lessons: Lesson[], root = ROOT): string[] {
  return suiteImports(lessons, root).packages;
}

export const spares = new Spares();

const POOL_NAME = 'workbook-forks';

class WorkbookForksPoolWorker extends ForksPoolWorker {
  override readonly name = POOL_NAME;

  constructor(
    options: PoolOptions,
    private readonly how: ForksPoolOptions,
  ) {
    super(options);
  }

  override async start(): Promise<void> {
    // `_fork` is private to vitest (pinned to an exact version): set, it is used instead of a
    // new fork. workbook/test/run-suites.test.ts fails if the spare stops being used.
    const internal = this as unknown as { _fork?: ChildProcess };
    const spare = this.how.warm ? spares.take({ entrypoint: this.entrypoint, execArgv: this.execArgv, env: this.env }) : undefined;
    if (spare) {
      // Taken over by vitest from here on: it keeps the process alive and stops it itself.
      spare.ref();
      spare.channel?.ref();
      internal._fork = spare;
    }
    await super.start();
    if (!internal._fork) return;
    // A worker started now, with no spare ready, yields to the guide as a spare does.
    if (this.how.warm && !spare && internal._fork.pid !== undefined) lowerPriority(internal._fork.pid, NICENESS.worker);
    this.how.onFork(internal._fork);
  }
}

export interface ForksPoolOptions {
  /** Take a spare (and `spares.refill()` after each run keeps two ready): for the guide. */
  warm: boolean;
  /** Told each worker process a run takes: stopping a run stops those, not another vitest's. */
  onFork: (child: ChildProcess) => void;
}

/** vitest's forks pool, to hand vitest (`pool` option): one per vitest instance. */
export function forksPool(how: ForksPoolOptions): PoolRunnerInitializer {
  return { name: POOL_NAME, createPoolWorker: (options: PoolOptions) => new WorkbookForksPoolWorker(options, how) };
}
