/**
 * `npm run debug -- NN`: a failing test one command from a debugger. Runs one test of the
 * lesson's suite (the first failing one of the TODO the learner is on), or the tests a name
 * picks, or the whole suite, in a test process that waits for Chrome's DevTools or VS Code on
 * 127.0.0.1, and says how to attach. Once attached, the test process stops once before the test
 * (workbook/debug-pause.mjs), with the exercise loaded, so breakpoints can be set in it.
 *   debug [NN | a lesson's file] [-t words of a test's name | --all]
 */
import net from 'node:net';
import inspector from 'node:inspector';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createVitest, type TestModule } from 'vitest/node';
import { describeFailure, isTypeTest, paint, wrapLine } from './format.ts';
import { relative, type Lesson } from './lessons.ts';
import type { TestOutcome } from './outcome.ts';
import { stopChildProcesses, suiteFilter, WORKER_HEAP_MB } from './run-suites.ts';
import { currentTarget, ROOT, type Target } from './target.ts';
import { currentTodo, todoNumber } from './todos.ts';
import { lookUp, remember, VerdictKeys, type Verdict } from './verdicts.ts';
import { say } from './messages.ts';

/** Node's own default, the port chrome://inspect and VS Code look at first. */
export const INSPECTOR_PORT = 9229;

/** The file the test process stops in before the test; its comments say what to do next. */
export const PAUSE_FILE = path.join('workbook', 'debug-pause.mjs');

export interface DebugRequest {
  /** A lesson as the learner named it (`3`, `03`, `03-endpoints`), or undefined for the current one. */
  lesson: string | undefined;
  /** Words of a test's name (`-t`): the tests whose name contains them. */
  words: string | undefined;
  /** `--all`: the whole suite. */
  all: boolean;
}

/** A request the command cannot carry out, said in a sentence (exit code 2, as for a wrong lesson). */
export class CannotDebugError extends Error {
  override name = 'CannotDebugError';
}

/** Wrong arguments: the sentence, then how to call the command. */
function misused(sentence: string): CannotDebugError {
  return new CannotDebugError(`${sentence}\n${say.debugUsage}`);
}

/** The lesson folder a path names: `lessons/03-endpoints/exercise.ts`, `tests/03-endpoints.test.ts`. */
export function lessonInPath(file: string): string | undefined {
  return file.match(/(?:^|[\\/])(\d{2}-[a-z0-9-]+?)(?:[\\/]|\.test(?:-d)?\.ts$)/)?.[1];
}

/**
 * Reads `[NN | file] [-t words | --all]`. A file (VS Code's "Debug lesson tests" passes the one
 * open in the editor) stands for its lesson; a file of no lesson, for the current lesson.
 */
export function parseDebugArgs(args: string[]): DebugRequest {
  const request: DebugRequest = { lesson: undefined, words: undefined, all: false };
  let named = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const inline = arg.match(/^(?:-t|--test(?:NamePattern)?)=(.*)$/s);
    if (arg === '-t' || arg === '--test' || inline) {
      const words = (inline ? inline[1] : args[(index += 1)])?.trim();
      if (!words) throw misused(say.debugNeedsWords);
      request.words = words;
    } else if (arg === '--all') request.all = true;
    else if (arg.startsWith('-')) throw misused(say.debugUnknownOption(arg));
    else if (named) throw misused(say.debugOneLesson);
    else {
      named = true;
      const isFile = /[\\/.]/.test(arg);
      request.lesson = isFile ? lessonInPath(arg) : arg;
    }
  }
  if (request.all && request.words !== undefined) throw misused(say.debugAllOrWords);
  return request;
}

/**
 * A vitest name pattern for a test's full name as the runner shows it ("TODO 1: a > b"). vitest
 * matches it against the describe blocks and the name joined by spaces; a " > " may also be part
 * of a name, so either is taken. `whole` matches the entire name, else any part of it.
 */
export function namePattern(name: string, whole: boolean): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = name.split(' > ').map(escape).join('(?: | > )');
  return whole ? new RegExp(`(?:^| )${body}$`) : new RegExp(body, 'i');
}

/** What to run under the debugger, and the sentences that say so. */
export interface Choice {
  /** Undefined for the whole suite. */
  pattern: RegExp | undefined;
  /** What is debugged, in the learner's words, then the test names it covers. */
  lines: string[];
}

/**
 * The test to stop at: by default the first failing run-time test of the TODO the learner is on
 * (as `hint` picks its TODO), from the last verdict; type tests are checked by tsc and never
 * run, so there is nothing there to stop in.
 */
export function chooseTests(lesson: Lesson, verdict: Verdict | undefined, request: DebugRequest): Choice {
  const runtime = verdict?.tests.filter((test) => !isTypeTest(test)) ?? [];
  const others = say.debugOthers(lesson.number);
  if (request.all) return { pattern: undefined, lines: [say.debugWholeSuite] };
  if (request.words !== undefined) {
    const pattern = namePattern(request.words, false);
    const matching = runtime.filter((test) => pattern.test(test.name) || pattern.test(test.name.replaceAll(' > ', ' ')));
    if (verdict && matching.length === 0) throw new CannotDebugError(say.debugNoMatch(lesson.number, request.words));
    return { pattern, lines: [say.debugMatching(request.words), ...matching.map((test) => `  ${test.name}`)] };
  }
  const interrupted = (verdict?.errors.length ?? 0) > 0;
  const unfinished = runtime.filter((test) => test.state === 'failed' || (interrupted && test.state === 'skipped'));
  const todo = verdict ? currentTodo(verdict) : undefined;
  const chosen = unfinished.find((test) => todoNumber(test) === todo) ?? unfinished[0];
  if (!chosen) {
    // Without a verdict (the solutions, say) nothing is known to fail.
    const why = !verdict ? [] : [verdict.tests.some((test) => test.state === 'failed') ? say.debugOnlyTypeTestsFail : say.debugNothingFails];
    return { pattern: undefined, lines: [[...why, say.debugWholeSuite].join(' '), others] };
  }
  const chosenTodo = todoNumber(chosen);
  return { pattern: namePattern(chosen.name, true), lines: [say.debugFirstFailing(chosenTodo, chosenTodo === todo), `  ${chosen.name}`, others] };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first port from `first` on that nothing listens to on 127.0.0.1 (another debugger may hold 9229). */
export async function freePort(first = INSPECTOR_PORT, tries = 20): Promise<number> {
  for (let port = first; port < first + tries; port += 1) if (await canListen(port)) return port;
  throw new CannotDebugError(say.debugNoFreePort(first, first + tries - 1));
}

interface InspectorTarget {
  webSocketDebuggerUrl: string;
  devtoolsFrontendUrl: string;
}

/** The test process's inspector, once it listens; undefined if the run ends first. */
async function inspectorOn(port: number, ended: () => boolean): Promise<InspectorTarget | undefined> {
  while (!ended()) {
    try {
      const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as InspectorTarget[];
      if (target) return target;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Prints at the terminal's width; a line that is only a URL stays whole, so that it can be copied. */
function print(...lines: string[]): void {
  const columns = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
  for (const line of lines) console.log(/^\s*\S+:\/\/\S+$/.test(line) ? line : wrapLine(line, columns).join('\n'));
}

/** How to attach, for a learner who has never done it. */
export function attachSteps(port: number, target: InspectorTarget, file: string): string[] {
  // DevTools' own link asks for experimental features and a URL scheme terminals do not open; the plain one is enough.
  const devtools = `devtools://devtools/bundled/js_app.html?ws=${target.webSocketDebuggerUrl.replace(/^ws:\/\//, '')}`;
  return [
    paint('bold', say.debugWaiting(target.webSocketDebuggerUrl)),
    `  ${say.debugChrome}`,
    ...(port === INSPECTOR_PORT ? [] : [`    ${say.debugChromePort(port)}`]),
    `    ${say.debugDevtoolsUrl}`,
    `      ${devtools}`,
    `  ${say.debugVsCode(port, INSPECTOR_PORT)}`,
    '',
    say.debugThen(PAUSE_FILE, file),
    paint('dim', say.debugStop),
  ];
}

/** What vitest reports for the tests that ran (a test left out by the name pattern is skipped). */
function outcomes(modules: readonly TestModule[]): { tests: TestOutcome[]; errors: string[] } {
  const tests: TestOutcome[] = [];
  const errors: string[] = [];
  for (const module of modules) {
    const file = path.relative(ROOT, module.moduleId);
    for (const error of module.errors()) errors.push(`${file}: ${error.message}`);
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state === 'skipped' || result.state === 'pending') continue;
      tests.push({ file, name: test.fullName, state: result.state, ...(result.state === 'failed' ? { message: result.errors[0]?.message } : {}) });
    }
  }
  return { tests, errors };
}

/**
 * The verdict of the learner's files as they are now. To find the failing test (not for `-t`,
 * which only checks its words against it), the suite runs first when there is none.
 */
async function verdictFor(lesson: Lesson, request: DebugRequest, target: Target): Promise<Verdict | undefined> {
  if (target !== 'lessons' || request.all) return undefined;
  const key = new VerdictKeys().of(lesson);
  const known = lookUp(lesson, key);
  if (known || request.words !== undefined) return known;
  print(paint('dim', say.debugRunningFirst(lesson.number)));
  const { runSuites } = await import('./run-suites.ts');
  remember(await runSuites(target, [lesson]), new Map([[lesson.id, key]]));
  return lookUp(lesson, key);
}

/** `debug [NN | file] [-t words | --all]`: resolves to the exit code (0 when the tests debugged pass). */
export async function runDebugCommand(args: string[], lessonFrom: (args: string[]) => Lesson): Promise<number> {
  try {
    const request = parseDebugArgs(args);
    return await runDebug(lessonFrom(request.lesson === undefined ? [] : [request.lesson]), request);
  } catch (error) {
    if (!(error instanceof CannotDebugError)) throw error;
    console.error(error.message);
    return 2;
  }
}

async function runDebug(lesson: Lesson, request: DebugRequest): Promise<number> {
  const target = currentTarget();
  const file = relative(target === 'solutions' ? lesson.solution : lesson.exercise);
  const choice = chooseTests(lesson, await verdictFor(lesson, request, target), request);
  const port = await freePort();

  print('', paint('bold', say.lessonHeading(lesson.number, lesson.title)), ...choice.lines, '');
  if (inspector.url() !== undefined) print(say.debugUnderDebugger);

  // vitest's own printing (a banner about type testing, among others) is not for the learner;
  // the exercise's console output still shows, straight from the test process.
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const vitest = await createVitest(
    'test',
    {
      root: ROOT,
      config: path.join(ROOT, 'vitest.config.ts'),
      watch: false,
      // A reporter that reports nothing: the results are read from the run below.
      reporters: [{}],
      pool: 'forks',
      // The heap of every run's test process: a loop that fills an array stops there.
      execArgv: [`--max-old-space-size=${WORKER_HEAP_MB}`],
      // vitest's own recipe for a debugger: one test process, no timeouts while paused. `inspect`
      // with waitForDebugger rather than `inspectBrk`, which would stop on the suite's first line,
      // before the exercise is loaded; debug-pause.mjs stops later, where it is.
      fileParallelism: false,
      inspect: `127.0.0.1:${port}`,
      inspector: { waitForDebugger: true },
      testTimeout: 0,
      hookTimeout: 0,
      disableConsoleIntercept: true,
      setupFiles: [path.join(ROOT, PAUSE_FILE)],
      ...(choice.pattern ? { testNamePattern: choice.pattern } : {}),
    },
    {},
    { stdout: quiet, stderr: quiet },
  );
  // Ctrl-C reaches the test process too, but a process paused in a debugger may outlive it.
  const stop = () => {
    stopChildProcesses();
    print('', say.debugStopped);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  try {
    const specifications = (await vitest.globTestSpecifications([suiteFilter(lesson)])).filter((spec) => !spec.moduleId.endsWith('.test-d.ts'));
    if (specifications.length === 0) throw new CannotDebugError(say.debugNoSuite(lesson.id));
    let ended = false;
    const told = inspectorOn(port, () => ended).then((found) => {
      if (found) print(...attachSteps(port, found, file));
    });
    const run = await vitest.runTestSpecifications(specifications).finally(() => (ended = true));
    await told;
    const { tests, errors } = outcomes(run.testModules);
    errors.push(...run.unhandledErrors.map((error) => String((error as { message?: unknown }).message ?? error)));
    print('', ...errors.map((error) => paint('red', error)));
    if (tests.length === 0 && errors.length === 0) print(say.debugNoTestRan);
    for (const test of tests) print(...(test.state === 'failed' ? describeFailure(test, test.name, Infinity) : [`  ${paint('green', '✓')} ${test.name}`]));
    return errors.length === 0 && tests.length > 0 && tests.every((test) => test.state === 'passed') ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await vitest.close();
  }
}
