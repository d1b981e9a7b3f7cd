/**
 * Each lesson's last verdict, so the guide and `progress` open at once instead of rerunning every
 * suite. A verdict is keyed by a hash of everything it depends on: the exercise, the lesson's
 * suites and their support files, and the runner itself. A changed key means "run it again".
 *
 * Two stores: .workbook/verdicts.json (this copy's runs) and workbook/start-verdicts.json (the
 * untouched exercises' verdicts, recorded by `npm run check -- --update-starts`), so a fresh
 * clone opens with every lesson's failing tests on screen, without a run.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from './lessons.ts';
import type { CompileError, LessonReport, TestOutcome } from './outcome.ts';
import { stateDir, writeFileAtomically } from './state.ts';
import { ROOT } from './target.ts';

export interface Verdict {
  key: string;
  tests: TestOutcome[];
  errors: string[];
  typeErrors: CompileError[];
}

export type Verdicts = Record<string, Verdict>;

/** The runner's own files that shape a report: a change to any of them makes every verdict stale. */
function runnerFiles(root: string): string[] {
  const workbook = path.join(root, 'workbook');
  const own = fs.existsSync(workbook) ? fs.readdirSync(workbook).filter((name) => /\.(ts|json)$/.test(name) && !name.endsWith('verdicts.json') && name !== 'starts.json') : [];
  return [
    ...own.sort().map((name) => path.join(workbook, name)),
    path.join(root, 'vitest.config.ts'),
    path.join(root, 'tsconfig.json'),
    path.join(root, 'package-lock.json'),
  ];
}

function lessonFiles(lesson: Lesson, root: string): string[] {
  const tests = path.join(root, 'tests');
  const suites = fs.existsSync(tests) ? fs.readdirSync(tests).filter((name) => name.startsWith(`${lesson.id}.`)) : [];
  const support = path.join(tests, 'support');
  const helpers = fs.existsSync(support) ? fs.readdirSync(support) : [];
  return [lesson.exercise, ...suites.sort().map((name) => path.join(tests, name)), ...helpers.sort().map((name) => path.join(support, name))];
}

function hashFiles(files: string[], root: string, into = createHash('sha256')) {
  for (const file of files) {
    into.update(path.relative(root, file)).update('\0');
    into.update(fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : '(missing)').update('\0');
  }
  return into;
}

/** Computes lesson keys; the runner's part is hashed once per instance. */
export class VerdictKeys {
  private readonly runnerHash: string;
  constructor(private readonly root = ROOT) {
    this.runnerHash = hashFiles(runnerFiles(root), root).digest('hex');
  }
  of(lesson: Lesson): string {
    return hashFiles(lessonFiles(lesson, this.root), this.root, createHash('sha256').update(this.runnerHash)).digest('hex').slice(0, 32);
  }
}

function savedFile(root: string): string {
  return path.join(stateDir(root), 'verdicts.json');
}

export function startVerdictsFile(root = ROOT): string {
  return path.join(root, 'workbook', 'start-verdicts.json');
}

function readJson(file: string): Verdicts {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Verdicts;
  } catch {
    return {}; // none yet, or damaged: every lesson simply runs again
  }
}

/** The remembered verdict of a lesson, if its key still matches. */
export function lookUp(lesson: Lesson, key: string, root = ROOT): Verdict | undefined {
  for (const store of [readJson(savedFile(root)), readJson(startVerdictsFile(root))]) {
    const verdict = store[lesson.id];
    if (verdict?.key === key) return verdict;
  }
  return undefined;
}

export function toReport(lesson: Lesson, verdict: Verdict): LessonReport {
  return { lesson, tests: verdict.tests, errors: verdict.errors, typeErrors: verdict.typeErrors };
}

/** Paths inside messages as a learner types them, so a verdict reads the same in any copy. */
function portable(text: string, root: string): string {
  return text.replaceAll(`${root}${path.sep}`, '');
}

function toVerdict(report: LessonReport, key: string, root: string): Verdict {
  return {
    key,
    tests: report.tests.map((test) => (test.message === undefined ? test : { ...test, message: portable(test.message, root) })),
    errors: report.errors.map((error) => portable(error, root)),
    typeErrors: report.typeErrors.map((error) => ({ ...error, text: portable(error.text, root) })),
  };
}

/** Remembers these reports in .workbook/ (a run that was stopped by the learner is not worth keeping). */
export function remember(reports: LessonReport[], keys: Map<string, string>, root = ROOT): void {
  const file = savedFile(root);
  const store = readJson(file);
  for (const report of reports) {
    const key = keys.get(report.lesson.id);
    if (key !== undefined) store[report.lesson.id] = toVerdict(report, key, root);
  }
  fs.mkdirSync(stateDir(root), { recursive: true });
  writeFileAtomically(file, `${JSON.stringify(store)}\n`);
}

/** Records the untouched exercises' verdicts (maintainers, through the check). */
export function recordStartVerdicts(reports: LessonReport[], keys: VerdictKeys, root = ROOT): void {
  const store: Verdicts = {};
  for (const report of reports) store[report.lesson.id] = toVerdict(report, keys.of(report.lesson), root);
  fs.writeFileSync(startVerdictsFile(root), `${JSON.stringify(store, null, 1)}\n`);
}

/** Lessons whose recorded start verdict no longer matches their key (the check names them). */
export function staleStartVerdicts(lessons: Lesson[], keys: VerdictKeys, root = ROOT): Lesson[] {
  const store = readJson(startVerdictsFile(root));
  return lessons.filter((lesson) => store[lesson.id]?.key !== keys.of(lesson));
}
