/**
 * `npm start`: the guide. It opens at once with each lesson's remembered verdict (verdicts.ts),
 * rechecks in the background whatever changed since, and reruns the lesson on screen on every
 * save. Keys: h hint, d how to debug, l list, n next, p previous, q quit. Without a terminal (CI,
 * a pipe) it prints the status once and exits 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import { catchUp, rememberedReports } from './catch-up.ts';
import { paint, wrapForTerminal } from './format.ts';
import { formatHint, nextHint } from './hints.ts';
import { listLessons, relative, type Lesson } from './lessons.ts';
import { passed, type LessonReport } from './outcome.ts';
import type { SuiteRunner } from './run-suites.ts';
import { applyKey, lessonAfterPass, splitKeys } from './keys.ts';
import { isDone, renderScreen, runOf, type GuideView } from './screen.ts';
import { untouchedLessons } from './starts.ts';
import { readState, updateState } from './state.ts';
import { currentTodo } from './todos.ts';
import { remember, VerdictKeys } from './verdicts.ts';
import { say } from './messages.ts';

const DEBOUNCE_MS = 30;
/** A save during a run older than this stops that run and starts a fresh one. */
const ABORT_STUCK_RUN_MS = 3_000;

/** The view at start-up, from remembered verdicts only: no test runs before the first screen. */
function openView(keys: VerdictKeys): GuideView {
  const lessons = listLessons();
  const { reports, stale } = rememberedReports(lessons, keys);
  const ids = stale.map((lesson) => lesson.id);
  const view: GuideView = { lessons, reports, stale: new Set(ids), rechecked: ids, untouched: untouchedLessons(lessons), current: undefined };
  const remembered = lessons.find((lesson) => lesson.id === readState().current);
  view.current = remembered ?? lessons.find((lesson) => !isDone(view, lesson));
  return view;
}

export async function runGuide(interactive: boolean): Promise<void> {
  const keys = new VerdictKeys();
  const view = openView(keys);
  if (interactive) return new Guide(view, keys).start();

  // No terminal: bring every verdict up to date as `progress` does, print the screen once, and stop.
  if (view.stale.size > 0) {
    await catchUp({ reports: view.reports, stale: view.lessons.filter((lesson) => view.stale.has(lesson.id)) }, { keys, untouched: view.untouched });
    view.stale.clear();
    if (!view.current || isDone(view, view.current)) view.current = view.lessons.find((lesson) => !isDone(view, lesson));
  }
  console.log(renderScreen(view, { rows: 40, columns: Infinity }).slice(0, -2).join('\n'));
  console.log(`\n${say.printedOnce}`);
}

class Guide {
  private runner: SuiteRunner | undefined;
  private watchers: fs.FSWatcher[] = [];
  private timers = new Map<string, NodeJS.Timeout>();
  /** The lesson being run, whether it was saved (foreground) or is a background check. */
  private running: { lesson: Lesson; foreground: boolean; aborted: boolean; startedAt: number; verdictShown: boolean } | undefined;
  private queue: Lesson[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly view: GuideView,
    private readonly keys: VerdictKeys,
  ) {}

  async start(): Promise<void> {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => splitKeys(chunk).forEach((key) => this.onKey(key)));
    process.stdout.on('resize', () => this.render());
    // `npm run hint` and the like without a number mean the lesson on screen, from the first screen on.
    const shown = this.view.current;
    if (shown) updateState((state) => (state.current = shown.id));
    this.watch();
    this.render();
    // vitest loads after the first screen: the learner reads while it starts.
    const { SuiteRunner } = await import('./run-suites.ts');
    this.runner = await SuiteRunner.open('lessons', { warm: true });
    // Stale lessons are checked one by one, the one on screen first; the one on screen is run
    // even when its verdict is fresh, which also warms vitest up for the first save.
    // Saves made while vitest was starting are queued already and go first.
    const current = this.view.current;
    const saved = this.queue;
    const rest = this.view.lessons.filter((lesson) => this.view.stale.has(lesson.id) && lesson !== current && !saved.includes(lesson));
    this.queue = [...saved, ...(current && !saved.includes(current) ? [current] : []), ...rest];
    void this.next();
    await new Promise<void>(() => {
      // Runs until the learner presses q; quit() exits the process.
    });
  }

  private render(): void {
    const size = { rows: process.stdout.rows || 24, columns: process.stdout.columns || 80 };
    // No newline after the last row: on the bottom row it would scroll the screen by one.
    process.stdout.write(`\x1b[2J\x1b[H${renderScreen(this.view, size).join('\n')}`);
  }

  /** A save in a lesson's exercise reruns that lesson and brings it on screen. */
  private watch(): void {
    for (const lesson of this.view.lessons) {
      // Watch the folder, not the file: editors often save by writing a new file and renaming
      // it, which a watch on the old file would miss.
      this.watchers.push(fs.watch(lesson.dir, (_event, name) => name === 'exercise.ts' && this.debounce(lesson.id, () => this.saved(lesson))));
      const solutionDir = path.dirname(lesson.solution);
      if (fs.existsSync(solutionDir)) {
        this.watchers.push(fs.watch(solutionDir, (_event, name) => name === 'exercise.ts' && this.debounce(`solution ${lesson.id}`, () => this.savedSolution(lesson))));
      }
    }
  }

  private debounce(id: string, then: () => void): void {
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(then, DEBOUNCE_MS));
  }

  private saved(lesson: Lesson): void {
    if (lesson !== this.view.current) this.goTo(lesson);
    // Back at its start (`npm run reset`) it is "not started" again; any other change starts it.
    if (untouchedLessons([lesson]).size > 0) this.view.untouched.add(lesson.id);
    else this.view.untouched.delete(lesson.id);
    if (this.view.notice?.transient) this.view.notice = undefined;
    this.view.stale.add(lesson.id);
    this.queue = [lesson, ...this.queue.filter((queued) => queued !== lesson)];
    // The screen answers the save at once, even while an earlier run is being stopped. A run
    // whose verdict is on screen already is over for the learner: the count starts again.
    const run = runOf(this.view, lesson);
    const verdictOnScreen = run?.stillRunning !== undefined || run?.typesPending === true;
    if (!run || verdictOnScreen) this.view.run = { lesson: lesson.id, startedAt: performance.now() };
    this.render();
    const running = this.running;
    if (running && (!running.foreground || performance.now() - running.startedAt > ABORT_STUCK_RUN_MS)) {
      // A background check can wait; a run this long is most likely stuck, which this save may fix.
      running.aborted = true;
      if (running.lesson !== lesson) this.queue.push(running.lesson);
      this.runner?.abort();
    } else if (running?.lesson === lesson && running.verdictShown) {
      // Its verdict is on screen and the rest of the run (later TODOs' tests, the type checks) is
      // for the file before this save: stop it rather than make this save wait for it.
      running.aborted = true;
      this.runner?.abort();
    }
    void this.next();
  }

  private savedSolution(lesson: Lesson): void {
    this.view.notice = {
      lesson: this.view.current?.id,
      text: say.savedSolution(relative(lesson.solution), relative(lesson.exercise)),
      transient: true,
    };
    this.render();
  }

  /** Runs the next lesson in the queue, one run at a time. */
  private async next(): Promise<void> {
    const runner = this.runner;
    // While a run goes, the queue waits for it: that run's end calls next() again.
    if (!runner || this.running) return;
    const lesson = this.queue.shift();
    if (!lesson) return;
    const onScreen = () => lesson === this.view.current && this.view.stale.has(lesson.id);
    // Foreground: the learner waits for this verdict. Background: a check a save may interrupt.
    const foreground = onScreen();
    const startedAt = performance.now();
    const running = { lesson, foreground, aborted: false, startedAt, verdictShown: false };
    this.running = running;
    // A lesson passes "now" only if it did not before this run (a remembered pass does not count twice).
    const before = this.view.reports.get(lesson.id);
    const wasDone = before !== undefined && passed(before);
    const key = this.keys.of(lesson);
    // The TODO the learner was on, by the verdict on screen: its tests go first.
    const atHand = before && foreground ? currentTodo(before) : undefined;
    if (foreground) this.startTicker(lesson);
    // Whatever this run checks, the next save is most likely in the lesson on screen: the spare
    // workers get ready for that one.
    const sparesFor = this.view.current ? [this.view.current] : [lesson];
    let report: LessonReport | undefined;
    try {
      [report] = await runner.run([lesson], {
        testStarted: (name) => {
          if (this.view.run) this.view.run.test = name;
        },
        // The TODO at hand has its verdict: on screen now, while other TODOs' tests still run.
        todoAtHand: (partial, stillRunning) => {
          if (!onScreen() || running.aborted || this.savedOver(running)) return;
          this.view.reports.set(lesson.id, partial);
          this.view.run = { ...this.view.run!, stillRunning };
          running.verdictShown = true;
          this.render();
        },
        runtimeDone: ([partial]) => {
          if (!onScreen() || running.aborted || !partial || this.savedOver(running)) return;
          this.view.reports.set(lesson.id, partial);
          this.view.run = { ...this.view.run!, stillRunning: undefined, typesPending: true };
          running.verdictShown = true;
          this.render();
        },
      }, { order: atHand === undefined ? 'written' : { from: atHand }, sparesFor });
    } finally {
      this.running = undefined;
      clearInterval(this.ticker);
      // Saved again during the run: "Running" stays on screen until the next run's verdict.
      if (runOf(this.view, lesson) && !this.queue.includes(lesson)) this.view.run = undefined;
    }
    if (!running.aborted && report) {
      remember([report], new Map([[lesson.id, key]]));
      this.view.reports.set(lesson.id, report);
      this.view.stale.delete(lesson.id);
      if (lesson === this.view.current) this.view.lastRunMs = performance.now() - startedAt;
      if (this.queue.includes(lesson)) this.view.stale.add(lesson.id); // saved again meanwhile
      const nowDone = isDone(this.view, lesson);
      if (this.view.notice?.passed === lesson.id && !nowDone) this.view.notice = undefined;
      if (nowDone && !wasDone && lesson === this.view.current && foreground) this.moveOn(lesson);
    }
    this.render();
    void this.next();
  }

  /**
   * A verdict about to be shown is for a file saved over during its run: the run is stopped and
   * the screen keeps "Running" for the run the save queued.
   */
  private savedOver(running: NonNullable<Guide['running']>): boolean {
    if (!this.queue.includes(running.lesson)) return false;
    running.aborted = true;
    this.runner?.abort();
    return true;
  }

  private startTicker(lesson: Lesson): void {
    this.view.run = { lesson: lesson.id, startedAt: runOf(this.view, lesson)?.startedAt ?? performance.now() };
    this.render();
    // The elapsed count appears after 2 s; a run that long deserves to show it is alive.
    this.ticker = setInterval(() => this.render(), 1_000);
  }

  /** A lesson just passed: say so on the next lesson's screen and go there. */
  private moveOn(lesson: Lesson): void {
    const next = lessonAfterPass(this.view, lesson);
    const banner = `${paint('green', say.lessonPasses(lesson.number))} ${say.readSolution(relative(lesson.solution))}`;
    this.goTo(next);
    this.view.notice = { lesson: next?.id, passed: lesson.id, text: banner };
  }

  private goTo(lesson: Lesson | undefined): void {
    if (lesson === this.view.current && lesson !== undefined) return;
    this.view.current = lesson;
    this.view.notice = undefined;
    this.view.lastRunMs = undefined;
    if (lesson) updateState((state) => (state.current = lesson.id));
    if (lesson && this.view.stale.has(lesson.id)) {
      this.queue = [lesson, ...this.queue.filter((queued) => queued !== lesson)];
      void this.next();
    }
  }

  private onKey(key: string): void {
    const action = applyKey(this.view, key);
    if (action.kind === 'quit') return this.quit();
    if (action.kind === 'hint') this.view.notice = { lesson: action.lesson.id, text: this.hintFor(action.lesson), hint: true };
    if (action.kind === 'go') this.goTo(action.lesson);
    this.render();
  }

  private hintFor(lesson: Lesson): string {
    const report = this.view.reports.get(lesson.id);
    try {
      return formatHint(lesson, nextHint(lesson, report ? currentTodo(report) : undefined), say.pressH);
    } catch (error) {
      return (error as Error).message;
    }
  }

  private quit(): void {
    for (const watcher of this.watchers) watcher.close();
    process.stdin.setRawMode(false);
    // Stop any run at once (a test stuck in a loop would otherwise hold the exit), then leave.
    this.runner?.stopNow();
    process.stdout.write(`\x1b[2J\x1b[H\n${wrapForTerminal(say.bye)}\n`);
    process.exit(0);
  }
}
