/**
 * One TODO at a time: suites put each test under a top-level `describe('TODO N: what', …)`, so
 * a report can say which TODOs are done and show the first unfinished one's failures first.
 * Tests outside any TODO block form one more group at the end. A compile error joins the TODO
 * whose code holds it: a TODO is done when its tests pass and its code compiles.
 */
import type { CompileError, LessonReport, TestOutcome } from './outcome.ts';

export interface TodoGroup {
  /** The TODO's number, or undefined for tests that name no TODO. */
  todo: number | undefined;
  /** What the describe block says after `TODO N:`, e.g. "the schema". */
  label: string;
  tests: TestOutcome[];
  failing: number;
  /** tsc's errors in this TODO's code. */
  compileErrors: CompileError[];
}

const TODO_BLOCK = /^TODO (\d+): *([^>]*?) *(?: > |$)/;

/** The TODO a test belongs to, read from its full name ("TODO 2: parseItem > returns …"). */
export function todoOf(test: Pick<TestOutcome, 'name'>): { todo: number; label: string } | undefined {
  const match = test.name.match(TODO_BLOCK);
  return match ? { todo: Number(match[1]), label: match[2] ?? '' } : undefined;
}

/** The TODO number of a suite's block or test, by its name. */
export function todoNumber(block: { name: string }): number | undefined {
  return todoOf(block)?.todo;
}

/** The test's name as a learner reads it under its TODO: without the "TODO N: … > " prefix. */
export function shortName(test: TestOutcome): string {
  const match = test.name.match(TODO_BLOCK);
  if (!match) return test.name;
  const rest = test.name.slice(match[0].length);
  return rest === '' ? (match[2] ?? test.name) : rest;
}

/**
 * The tests grouped by TODO, in TODO order; a lesson without TODO blocks gives one group. Each
 * compile error goes to its TODO; one in code that several TODOs share (one function holds
 * TODOs 8 and 9) goes to the first of them with a failing test, or else to the last of them.
 * Errors outside any TODO's code are in no group.
 */
export function groupByTodo(tests: TestOutcome[], compileErrors: CompileError[] = []): TodoGroup[] {
  const groups = new Map<number | undefined, TodoGroup>();
  const groupOf = (todo: number | undefined, label = '') => {
    let group = groups.get(todo);
    if (!group) {
      group = { todo, label, tests: [], failing: 0, compileErrors: [] };
      groups.set(todo, group);
    }
    return group;
  };
  for (const test of tests) {
    const found = todoOf(test);
    const group = groupOf(found?.todo, found?.label);
    group.tests.push(test);
    if (test.state === 'failed') group.failing += 1;
  }
  for (const error of compileErrors) {
    const todo = error.todos.find((candidate) => (groups.get(candidate)?.failing ?? 0) > 0) ?? error.todos.at(-1);
    if (todo !== undefined) groupOf(todo).compileErrors.push(error);
  }
  return [...groups.values()].sort((a, b) => (a.todo ?? Infinity) - (b.todo ?? Infinity));
}

/**
 * The first TODO with a failing test or a compile error: where the learner is in the lesson. When
 * the run broke off (an error outside the tests: a loop stopped, a crash), it broke off in the
 * first TODO, in the order the run took them, with a test that never ran: that one counts too.
 */
export function currentTodo(report: Pick<LessonReport, 'tests' | 'errors' | 'typeErrors' | 'order'>): number | undefined {
  const groups = groupByTodo(report.tests, report.typeErrors).filter((group) => group.todo !== undefined);
  const failing = groups.find((group) => group.failing > 0 || group.compileErrors.length > 0)?.todo;
  if (report.errors.length === 0) return failing;
  const brokeIn = inTodoOrder(groups, report.order ?? 'written', (group) => group.todo).find((group) => group.tests.some((test) => test.state === 'skipped'))?.todo;
  return brokeIn === undefined || (failing !== undefined && failing < brokeIn) ? failing : brokeIn;
}

/**
 * While a run goes, the TODO the learner is on as far as the tests finished so far tell: the first
 * TODO with a failing test, once all of its own tests have finished (`unfinished` names the tests
 * still to come). Tests of later TODOs cannot change that answer, only the count (the type checks
 * after them can: a compile error in an earlier TODO's code). Tests of earlier TODOs still to come
 * can, when the run took the TODO at hand first (`inTodoOrder`): the caller says they still run.
 * Undefined while that TODO has tests to come, and when no TODO has failed yet.
 */
export function todoAtHand(finished: TestOutcome[], unfinished: string[]): number | undefined {
  const first = groupByTodo(finished).find((group) => group.todo !== undefined && group.failing > 0)?.todo;
  if (first === undefined) return undefined;
  return unfinished.some((name) => todoOf({ name })?.todo === first) ? undefined : first;
}

/**
 * The order a run takes a suite's top-level blocks in: as written; from the TODO the learner is on
 * (the guide: that TODO and the ones after it, then the TODOs before it, which passed last time,
 * checked again last); or last TODO first (the check: no TODO's tests may rely on another TODO's
 * having run before them, or the guide's order could change a verdict). Tests outside any TODO
 * come last, and each block keeps its tests' written order.
 */
export type TodoOrder = 'written' | 'reverse' | { from: number };

/** The key under which a run provides its TodoOrder to the test worker (vitest-runner.ts). */
export const TODO_ORDER = 'workbookTodoOrder';

declare module 'vitest' {
  interface ProvidedContext {
    [TODO_ORDER]: TodoOrder;
  }
}

export function inTodoOrder<T>(blocks: T[], order: TodoOrder, todoOfBlock: (block: T) => number | undefined): T[] {
  if (order === 'written') return blocks;
  const numbered = blocks.filter((block) => todoOfBlock(block) !== undefined);
  const outside = blocks.filter((block) => todoOfBlock(block) === undefined);
  const todo = (block: T) => todoOfBlock(block)!;
  if (order === 'reverse') return [...numbered.sort((a, b) => todo(b) - todo(a)), ...outside];
  return [...numbered.filter((block) => todo(block) >= order.from), ...numbered.filter((block) => todo(block) < order.from), ...outside];
}
