/**
 * `npm start`: the guide. It runs every suite once to find where the learner is, then shows the
 * current lesson and reruns its tests on every save. Keys: h hint, l list, n next, q quit.
 * Without a terminal (CI, a pipe) it prints the status once and exits 0.
 */
import fs from 'node:fs';
import { describeFailure, paint, progressBar } from './format.ts';
import { formatHint, nextHint } from './hints.ts';
import { listLessons, relative, type Lesson } from './lessons.ts';
import { passed, SuiteRunner, type LessonReport } from './run-suites.ts';

const DEBOUNCE_MS = 80;
/** A save during a run older than this stops that run and starts a fresh one. */
const ABORT_STUCK_RUN_MS = 3_000;

/** Everything the screen shows, so that rendering is a plain function of it. */
interface GuideView {
  reports: Map<string, LessonReport>;
  lessons: Lesson[];
  current: Lesson | undefined;
  /** A line or two above the lesson: a lesson just passed, a hint, the list. */
  notice?: string;
  running?: boolean;
  /** How long the last run of the current lesson took, in milliseconds. */
  lastRunMs?: number;
}

/** Room for the screen: `columns` matters because a long line wraps onto several rows. */
interface ScreenSize {
  rows: number;
  columns: number;
}

/**
 * The whole screen as text, at most `size.rows` rows tall: when the failures do not fit (a small
 * terminal, a hint shown above them), the list is cut and says where to see all of it.
 */
function renderStatus(view: GuideView, size: ScreenSize = { rows: 40, columns: Infinity }): string {
  const done = view.lessons.filter((lesson) => isDone(view, lesson)).length;
  const head = [paint('bold', 'FastAPI ways in TypeScript — the guide'), progressBar(done, view.lessons.length), ''];
  if (view.notice) head.push(...view.notice.split('\n'), '');
  const lesson = view.current;
  if (!lesson) {
    head.push(paint('green', 'Every lesson passes. Well done!'), 'Read any solution in solutions/, or reset a lesson with `npm run reset -- NN` to do it again.');
    return head.join('\n');
  }
  head.push(
    paint('cyan', `Lesson ${lesson.number} — ${lesson.title}`),
    `  read  ${relative(lesson.readme)}`,
    `  edit  ${relative(lesson.exercise)}`,
    `  try   npm run example -- ${lesson.number}`,
    '',
  );
  const report = view.reports.get(lesson.id);
  let body = [...(view.running ? [paint('dim', 'Running the tests…')] : []), ...(report ? describeReport(report) : [])];
  const tail = view.lastRunMs === undefined ? [] : ['', paint('dim', `(tests ran in ${(view.lastRunMs / 1000).toFixed(2)} s)`)];
  const rowsOf = (lines: string[]) => lines.reduce((sum, line) => sum + rowsTaken(line, size.columns), 0);
  let room = size.rows - rowsOf(head) - rowsOf(tail) - 1;
  if (rowsOf(body) > room) {
    const kept: string[] = [];
    for (const line of body) {
      room -= rowsTaken(line, size.columns);
      if (room < 0) break;
      kept.push(line);
    }
    body = [...kept, paint('dim', `  … more with \`npm test -- ${lesson.number}\``)];
  }
  return [...head, ...body, ...tail].join('\n');
}

/** How many terminal rows a line fills, colour codes not counted. */
function rowsTaken(line: string, columns: number): number {
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '').length;
  return Math.max(1, Math.ceil(visible / columns));
}

function describeReport(report: LessonReport): string[] {
  const { lesson, tests, errors, typeErrors } = report;
  if (passed(report)) {
    return [`${paint('green', `✓ All ${tests.length} tests pass.`)} Read the annotated solution: ${relative(lesson.solution)}`];
  }
  const out: string[] = [];
  if (errors.length > 0) {
    // When the suite cannot even load, test counts and compiler messages about it only mislead.
    const missing = !fs.existsSync(lesson.exercise);
    out.push(paint('red', missing ? `✗ ${relative(lesson.exercise)} is missing: \`npm run reset -- ${lesson.number}\` restores it.` : '✗ The tests could not run:'));
    if (!missing) for (const error of errors) out.push(...indent(error));
    return out;
  }
  if (typeErrors.length > 0) {
    out.push(paint('red', `✗ TypeScript finds ${typeErrors.length} error(s) in ${relative(lesson.exercise)}`) + ' (fix these too):');
    for (const error of typeErrors) out.push(...indent(error));
    out.push('');
  }
  // Behaviour first: a type test's compiler message means more once the run-time tests pass.
  const failing = tests
    .filter((test) => test.state === 'failed')
    .sort((a, b) => Number(isTypeTest(a.file)) - Number(isTypeTest(b.file)))
    .map((test) => (isTypeTest(test.file) ? { ...test, name: `(type test) ${test.name}` } : test));
  const ok = tests.filter((test) => test.state === 'passed').length;
  out.push(failing.length > 0 ? `${ok} of ${tests.length} tests pass. To fix next:` : `All ${tests.length} tests pass.`);
  for (const test of failing) out.push(...describeFailure(test).split('\n'));
  return out;
}

function indent(text: string): string[] {
  return text.split('\n').map((line) => `    ${line}`);
}

function isTypeTest(file: string): boolean {
  return file.endsWith('.test-d.ts');
}

function isDone(view: GuideView, lesson: Lesson): boolean {
  const report = view.reports.get(lesson.id);
  return report !== undefined && passed(report);
}

function firstUnfinished(view: GuideView): Lesson | undefined {
  return view.lessons.find((lesson) => !isDone(view, lesson));
}

function formatLessonList(view: GuideView): string {
  const rows = view.lessons.map((lesson) => {
    const mark = isDone(view, lesson) ? paint('green', '✓') : view.reports.has(lesson.id) ? paint('red', '✗') : ' ';
    const here = lesson === view.current ? paint('cyan', ' ← you are here') : '';
    return `  ${mark} ${lesson.id.padEnd(24)} ${lesson.title}${here}`;
  });
  return ['Lessons:', ...rows].join('\n');
}

/** Runs every suite once and returns the view: the starting point of both modes. */
async function survey(runner: SuiteRunner): Promise<GuideView> {
  const lessons = listLessons();
  const view: GuideView = { lessons, reports: new Map(), current: undefined };
  for (const report of await runner.run(lessons)) view.reports.set(report.lesson.id, report);
  view.current = firstUnfinished(view);
  return view;
}

export async function runGuide(interactive: boolean): Promise<void> {
  const runner = await SuiteRunner.open('lessons');
  if (!interactive) {
    try {
      console.log(renderStatus(await survey(runner)));
      console.log(`\n(No terminal here, so the guide printed the status once. Run \`npm start\` in a terminal to keep it open.)`);
    } finally {
      await runner.close();
    }
    return;
  }
  process.stdout.write("Checking where you are: running every lesson's tests once…\n");
  await new Guide(runner, await survey(runner)).start();
}

class Guide {
  private watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private runStarted = 0;
  private aborted = false;
  private rerunWanted = false;

  constructor(
    private readonly runner: SuiteRunner,
    private readonly view: GuideView,
  ) {}

  async start(): Promise<void> {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key: string) => void this.onKey(key));
    process.stdout.on('resize', () => this.render());
    this.watchEveryLesson();
    this.render();
    await new Promise<void>(() => {
      // Runs until the learner presses q; quit() exits the process.
    });
  }

  private render(): void {
    const keys = paint('dim', '[h] hint  [l] list  [n] next lesson  [q] quit   — save the exercise to rerun its tests');
    // Two rows stay free for the keys, so nothing scrolls off the top of a small terminal (no
    // newline after the keys: on the last row it would scroll the screen by one).
    const screen = renderStatus(this.view, { rows: (process.stdout.rows || 40) - 2, columns: process.stdout.columns || 80 });
    process.stdout.write(`\x1b[2J\x1b[H${screen}\n\n${keys}`);
  }

  /** A save in any lesson's exercise reruns that lesson, and makes it the current one. */
  private watchEveryLesson(): void {
    for (const lesson of this.view.lessons) {
      // Watch the folder, not the file: editors often save by writing a new file and renaming
      // it, which a watch on the old file would miss.
      const watcher = fs.watch(lesson.dir, (_event, name) => {
        if (name !== null && name !== 'exercise.ts') return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => (lesson === this.view.current ? void this.rerun() : this.goTo(lesson)), DEBOUNCE_MS);
      });
      this.watchers.push(watcher);
    }
  }

  private async rerun(): Promise<void> {
    const lesson = this.view.current;
    if (!lesson) return;
    if (this.running) {
      this.rerunWanted = true;
      // A run this long is most likely stuck in an endless loop, which this save may have fixed.
      if (performance.now() - this.runStarted > ABORT_STUCK_RUN_MS) {
        this.aborted = true;
        this.runner.abort();
      }
      return;
    }
    this.running = true;
    this.view.running = true;
    this.runStarted = performance.now();
    this.render();
    try {
      const passedBefore = isDone(this.view, lesson);
      const [report] = await this.runner.run([lesson]);
      if (!this.aborted) {
        this.view.lastRunMs = performance.now() - this.runStarted;
        this.view.reports.set(lesson.id, report!);
        if (passed(report!) && !passedBefore) this.moveOn(lesson);
      }
    } finally {
      this.running = false;
      this.view.running = false;
      this.aborted = false;
    }
    this.render();
    if (this.rerunWanted) {
      this.rerunWanted = false;
      await this.rerun();
    }
  }

  /** A lesson just passed: say so, point to its solution, go to the next unfinished one. */
  private moveOn(lesson: Lesson): void {
    this.view.notice = `${paint('green', `✓ Lesson ${lesson.number} passes!`)} Read the annotated solution: ${relative(lesson.solution)}`;
    const next = firstUnfinished(this.view);
    if (next !== lesson) this.goTo(next);
  }

  private goTo(lesson: Lesson | undefined): void {
    this.view.current = lesson;
    if (lesson) void this.rerun();
  }

  private async onKey(key: string): Promise<void> {
    const lesson = this.view.current;
    switch (key) {
      case 'q':
      case '\u0003': // Ctrl-C arrives as a key in raw mode
        return this.quit();
      case 'h':
        this.view.notice = lesson ? this.hintFor(lesson) : undefined;
        break;
      case 'l':
        this.view.notice = formatLessonList(this.view);
        break;
      case 'n': {
        const at = lesson ? this.view.lessons.indexOf(lesson) : -1;
        this.view.notice = undefined;
        this.goTo(this.view.lessons[(at + 1) % this.view.lessons.length]);
        break;
      }
      default:
        return;
    }
    this.render();
  }

  private hintFor(lesson: Lesson): string {
    try {
      return formatHint(lesson, nextHint(lesson), 'press h');
    } catch (error) {
      return (error as Error).message;
    }
  }

  private async quit(): Promise<void> {
    for (const watcher of this.watchers) watcher.close();
    clearTimeout(this.timer);
    process.stdin.setRawMode(false);
    // A run stuck in an endless loop would keep close() waiting for ever.
    if (this.running) this.runner.abort();
    await Promise.race([this.runner.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    process.stdout.write('\nBye! `npm start` picks up where you left off.\n');
    process.exit(0);
  }
}
