/**
 * Type errors in exercises. The suites run the code through a transform that drops types, and the
 * type tests only look inside *.test-d.ts files, so an exercise that does not compile could still
 * pass. This runs tsc over just the exercises asked for and gives each lesson its errors, each
 * with the TODO whose code it is in (todo-lines.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { capture, type Captured, type CaptureOptions } from './capture.ts';
import type { Lesson } from './lessons.ts';
import { language, say } from './messages.ts';
import { NICENESS } from './priority.ts';
import type { CompileError } from './outcome.ts';
import { stateDir } from './state.ts';
import { ROOT, type Target } from './target.ts';
import { todoLinesOf } from './todo-lines.ts';
import { tscCommand } from './tsc-command.mjs';

/** The file of a lesson that a target means: the learner's exercise or the solution. */
export function exerciseFile(lesson: Lesson, target: Target): string {
  return target === 'solutions' ? lesson.solution : lesson.exercise;
}

let configs = 0;

/**
 * Lesson id → tsc's errors in that lesson's exercise, each with the TODOs whose code holds it, for
 * lessons that have any. `signal` stops tsc (a save made its answer useless): what it said so far is used.
 * `lowPriority`: tsc yields the cores to the rest (the guide's spare worker getting ready for the
 * next save) and takes what they leave.
 */
export async function typeErrors(target: Target, lessons: Lesson[], root = ROOT, signal?: AbortSignal, { lowPriority = false } = {}): Promise<Map<string, CompileError[]>> {
  const files = new Map(lessons.map((lesson) => [exerciseFile(lesson, target), lesson]));
  const existing = [...files.keys()].filter((file) => fs.existsSync(file));
  const found = new Map<string, CompileError[]>();
  if (existing.length === 0) return found;

  // A config of its own per call (runs may overlap: the guide and `npm test` at once).
  const dir = stateDir(root);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, `tsconfig.exercises-${process.pid}-${(configs += 1)}.json`);
  fs.writeFileSync(config, JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: [], files: existing }));
  try {
    // In Korean, so are tsc's messages: typescript ships them (`--locale ko`).
    const locale = language === 'en' ? [] : ['--locale', language];
    const result = await runTsc(root, config, locale, { signal, niceness: lowPriority ? NICENESS.compileCheck : undefined });
    // A tsc that did not check (it could not start, or crashed) found no errors, and said none:
    // each exercise gets that as its error rather than passing unchecked.
    const failure = signal?.aborted ? undefined : tscFailure(result);
    if (failure !== undefined) {
      for (const file of existing) found.set(files.get(file)!.id, [{ text: say.compileCheckFailed(failure), todos: [] }]);
      return found;
    }
    const { output } = result;
    const todoAt = new Map<string, (line: number) => number[]>();
    let current: CompileError[] | undefined;
    for (const line of output.split('\n')) {
      const error = line.match(/^(.+?)\((\d+),(\d+)\): error TS\d+: (.*)$/);
      if (error) {
        const file = path.resolve(root, error[1]!);
        const lesson = files.get(file);
        current = undefined;
        if (!lesson) continue;
        if (!todoAt.has(file)) todoAt.set(file, todoLinesOf(lesson, file, root));
        current = found.get(lesson.id) ?? found.set(lesson.id, []).get(lesson.id)!;
        current.push({ text: `${error[1]}:${error[2]}:${error[3]} ${error[4]}`, todos: todoAt.get(file)!(Number(error[2])) });
      } else if (current && line.startsWith(' ')) {
        current[current.length - 1]!.text += `\n${line}`;
      }
    }
    return found;
  } finally {
    fs.rmSync(config, { force: true });
  }
}

/** tsc over the project `config`, to its end: its errors one per line (`--pretty false`); `options`: more of tsc's. */
export function runTsc(root: string, config: string, options: string[] = [], how: Omit<CaptureOptions, 'cwd'> = {}): Promise<Captured> {
  const [command, ...before] = tscCommand(root);
  return capture(command, [...before, '-p', config, '--pretty', 'false', ...options], { cwd: root, ...how });
}

/**
 * Why a run of tsc checked nothing, if it did not: it could not start, or it ended without
 * reporting an error yet not with 0 (a crash, a signal). tsc exits non-zero when it finds errors.
 */
export function tscFailure({ code, signal, output, startError }: Captured): string | undefined {
  if (startError !== undefined) return startError;
  if (code === 0 || /\berror TS\d+/.test(output)) return undefined;
  const said = output.trim().split('\n').slice(0, 3).join('\n');
  return `${signal ? `ended by ${signal}` : `exit code ${code}`}${said ? `: ${said}` : ''}`;
}
