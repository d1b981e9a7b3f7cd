/**
 * The one switch: which copy of the exercises the suites import.
 *
 * Suites import `#exercise/NN-name`. By default that is the learner's `lessons/NN-name/exercise.ts`;
 * with WORKBOOK_TARGET=solutions it is `solutions/NN-name/exercise.ts`. vitest.config.ts applies
 * it at run time (an alias) and picks the matching tsconfig for the type tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TARGET_VARIABLE = 'WORKBOOK_TARGET';

export type Target = 'lessons' | 'solutions';

/** Whole-project configs, for editors and `npm run check`. */
const TSCONFIG: Record<Target, string> = {
  lessons: 'tsconfig.json',
  solutions: 'tsconfig.solutions.json',
};

/** Configs for vitest's type tests: only the *.test-d.ts files and what they import. */
const TYPETESTS_TSCONFIG: Record<Target, string> = {
  lessons: 'workbook/tsconfig.typetests.lessons.json',
  solutions: 'workbook/tsconfig.typetests.solutions.json',
};

/** Reads the switch from the environment; anything but "solutions" means the learner's files. */
export function currentTarget(env: NodeJS.ProcessEnv = process.env): Target {
  return env[TARGET_VARIABLE] === 'solutions' ? 'solutions' : 'lessons';
}

/** The tsconfig whose `paths` send `#exercise/*` to the same folder as the run-time alias. */
export function tsconfigFor(target: Target): string {
  return path.join(ROOT, TSCONFIG[target]);
}

/** The tsconfig vitest's type-test mode uses for this target. */
export function typeTestsTsconfigFor(target: Target): string {
  return path.join(ROOT, TYPETESTS_TSCONFIG[target]);
}

/** Where `#exercise/NN-name` leads for this target, as a vite alias replacement. */
export function exerciseAlias(target: Target): { find: RegExp; replacement: string } {
  return { find: /^#exercise\/([\w-]+)$/, replacement: path.join(ROOT, target, '$1', 'exercise.ts') };
}
