/**
 * vitest's `forks` pool with one worker process started ahead of time. A fresh worker spends
 * about a quarter of a second loading vitest before it can take a test file, and more loading
 * the packages the suite imports; the guide reruns a lesson on every save, so it keeps a spare
 * that has done both already. Each run still gets a
 * process of its own (nothing leaks from one run into the next), with the same heap cap and the
 * same way to be stopped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ForksPoolWorker } from 'vitest/node';
import type { PoolOptions, PoolRunnerInitializer } from 'vitest/node';
import type { Lesson } from './lessons.ts';
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

/** One spare worker process and how it was made; the guide has one vitest, so one of these. */
class Spares {
  private spare: { process: ChildProcess; recipe: Recipe } | undefined;
  private lastRecipe: Recipe | undefined;

  /** The spare, if it was made the same way and is still alive; the next one is made by refill(). */
  take(recipe: Recipe): ChildProcess | undefined {
    this.lastRecipe = recipe;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare) return undefined;
    if (isAlive(spare.process) && spare.process.connected && sameRecipe(spare.recipe, recipe)) {
      return spare.process;
    }
    spare.process.kill('SIGKILL');
    return undefined;
  }

  /**
   * Starts a spare like the last worker vitest asked for, unless one is waiting already, with
   * `packages` loaded in it (warm-preload.mjs reads them from its arguments).
   */
  refill(packages: string[]): void {
    const recipe = this.lastRecipe;
    if (!recipe || (this.spare && isAlive(this.spare.process))) return;
    const child = fork(recipe.entrypoint, packages, {
      env: recipe.env,
      execArgv: [...recipe.execArgv, '--import', pathToFileURL(PRELOAD).href],
      stdio: 'pipe',
      serialization: 'advanced',
    });
    // An idle spare must not keep the guide's process alive, nor die noisily when it is stopped.
    child.on('error', () => {});
    child.unref();
    child.channel?.unref();
    this.spare = { process: child, recipe };
  }

  /** The spare's process id: stopping a run's workers must leave it alone. */
  pid(): number | undefined {
    return this.spare?.process.pid;
  }

  /** Stops the spare, for leaving the process or closing vitest. */
  drop(): void {
    this.spare?.process.kill('SIGKILL');
    this.spare = undefined;
  }
}

const PRELOAD = path.join(ROOT, 'workbook', 'warm-preload.mjs');

const IMPORT = /^\s*import\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/**
 * The packages a run of these lessons loads: what their run-time suites, the test helpers those
 * import and their exercises import, by name (`zod`, `playwright-core`; not `node:` modules,
 * vitest or the exercise). A spare that has them loaded saves the run that time: playwright-core
 * alone takes about 0.6 s.
 */
export function packagesOf(lessons: Lesson[], root = ROOT): string[] {
  const files = new Set<string>();
  for (const lesson of lessons) {
    files.add(path.join(root, 'tests', `${lesson.id}.test.ts`));
    files.add(lesson.exercise);
  }
  const packages = new Set<string>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (specifier!.startsWith('./support/')) files.add(path.join(path.dirname(file), specifier!));
      else if (!/^(\.|\/|#|node:|vitest)/.test(specifier!)) packages.add(specifier!);
    }
  }
  return [...packages].sort();
}

export const spares = new Spares();

const POOL_NAME = 'warm-forks';

class WarmForksPoolWorker extends ForksPoolWorker {
  override readonly name = POOL_NAME;

  override async start(): Promise<void> {
    // `_fork` is private to vitest (pinned to an exact version): set, it is used instead of a
    // new fork. workbook/test/run-suites.test.ts fails if the spare stops being used.
    const internal = this as unknown as { _fork?: ChildProcess };
    const spare = spares.take({ entrypoint: this.entrypoint, execArgv: this.execArgv, env: this.env });
    if (spare) {
      // Taken over by vitest from here on: it keeps the process alive and stops it itself.
      spare.ref();
      spare.channel?.ref();
      internal._fork = spare;
    }
    await super.start();
  }
}

/** The pool to hand vitest (`pool` option); `spares.refill()` after each run keeps it warm. */
export const warmForks: PoolRunnerInitializer = {
  name: POOL_NAME,
  createPoolWorker: (options: PoolOptions) => new WarmForksPoolWorker(options),
};
