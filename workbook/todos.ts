/**
 * One TODO at a time: suites put each test under a top-level `describe('TODO N: what', …)`, so
 * a report can say which TODOs are done and show the first unfinished one's failures first.
 * Tests outside any TODO block form one more group at the end.
 */
import type { TestOutcome } from './outcome.ts';

export interface TodoGroup {
  /** The TODO's number, or undefined for tests that name no TODO. */
  todo: number | undefined;
  /** What the describe block says after `TODO N:`, e.g. "the schema". */
  label: string;
  tests: TestOutcome[];
  failing: number;
}

const TODO_BLOCK = /^TODO (\d+): *([^>]*?) *(?: > |$)/;

/** The TODO a test belongs to, read from its full name ("TODO 2: parseItem > returns …"). */
export function todoOf(test: TestOutcome): { todo: number; label: string } | undefined {
  const match = test.name.match(TODO_BLOCK);
  return match ? { todo: Number(match[1]), label: match[2] ?? '' } : undefined;
}

/** The test's name as a learner reads it under its TODO: without the "TODO N: … > " prefix. */
export function shortName(test: TestOutcome): string {
  const match = test.name.match(TODO_BLOCK);
  if (!match) return test.name;
  const rest = test.name.slice(match[0].length);
  return rest === '' ? (match[2] ?? test.name) : rest;
}

/** The tests grouped by TODO, in TODO order; a lesson without TODO blocks gives one group. */
export function groupByTodo(tests: TestOutcome[]): TodoGroup[] {
  const groups = new Map<number | undefined, TodoGroup>();
  for (const test of tests) {
    const found = todoOf(test);
    const key = found?.todo;
    let group = groups.get(key);
    if (!group) {
      group = { todo: key, label: found?.label ?? '', tests: [], failing: 0 };
      groups.set(key, group);
    }
    group.tests.push(test);
    if (test.state === 'failed') group.failing += 1;
  }
  return [...groups.values()].sort((a, b) => (a.todo ?? Infinity) - (b.todo ?? Infinity));
}

/**
 * The first TODO with a failing test: where the learner is in the lesson. When the run broke off
 * (`interrupted`: a loop stopped, a crash), tests that never ran count as unfinished too.
 */
export function currentTodo(tests: TestOutcome[], interrupted = false): number | undefined {
  const unfinished = (test: TestOutcome) => test.state === 'failed' || (interrupted && test.state === 'skipped');
  return groupByTodo(tests).find((group) => group.todo !== undefined && group.tests.some(unfinished))?.todo;
}
