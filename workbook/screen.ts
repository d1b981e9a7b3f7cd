/**
 * The guide's screen as a plain function of what it shows, so its layout can be tested at any
 * size. Whatever the size, the header, the verdict and the first failing test's name stay on screen.
 * A hint (or another message the learner asked for) comes next: the failures shrink to make room
 * for it. The compiler's errors and further failures are cut first, each saying where the rest is.
 */
import { lessonMark, paint, progressBar, wrapLine } from './format.ts';
import { relative, type Lesson } from './lessons.ts';
import { describeReport } from './report.ts';
import { passed, type LessonReport } from './outcome.ts';
import { say } from './messages.ts';

export interface GuideView {
  lessons: Lesson[];
  /** The last known report of each lesson: from this session's runs or remembered verdicts. */
  reports: Map<string, LessonReport>;
  /** Lessons whose remembered verdict is out of date and that wait for a background check. */
  stale: Set<string>;
  /** The lessons that were stale at start-up, for the ticks line. */
  rechecked: string[];
  /** Lessons whose exercise is still its starting version: marked "not started", not failing. */
  untouched: Set<string>;
  current: Lesson | undefined;
  /** A hint, a pass banner or a short message; shown only while its lesson is on screen. */
  notice?: {
    text: string;
    lesson: string | undefined;
    /** For a pass banner: the lesson that passed (the banner goes if it fails again). */
    passed?: string;
    /** A passing remark (the keys, "that was the solution"): gone with the next save. */
    transient?: boolean;
    /** A hint: cut to fit, it says so and names the file that holds all of it. */
    hint?: boolean;
  };
  /** The lesson list, open for choosing, with the highlighted row. */
  list?: { selected: number };
  /**
   * The current lesson's run, while it goes. Once its first failing TODO is settled, the report
   * on screen is the tests finished so far and `stillRunning` the TODOs whose tests are to come;
   * once the run-time tests are done, `typesPending` until the type checks are. Shown only on the
   * screen of its lesson (an id).
   */
  run?: { lesson: string; startedAt: number; test?: string; stillRunning?: number[]; typesPending?: boolean };
  lastRunMs?: number;
}

export interface ScreenSize {
  rows: number;
  columns: number;
}


/** The run on screen for `lesson`, if the view's run is that lesson's. */
export function runOf(view: GuideView, lesson: Lesson): GuideView['run'] {
  return view.run?.lesson === lesson.id ? view.run : undefined;
}

export function isDone(view: GuideView, lesson: Lesson): boolean {
  const report = view.reports.get(lesson.id);
  return report !== undefined && !view.stale.has(lesson.id) && passed(report);
}

/** The screen, at most `size.rows` rows of at most `size.columns` columns, keys line included. */
export function renderScreen(view: GuideView, size: ScreenSize, now = performance.now()): string[] {
  const wrap = (lines: string[]) => lines.flatMap((line) => wrapLine(line, size.columns));
  const done = view.lessons.filter((lesson) => isDone(view, lesson)).length;
  const head = wrap([paint('bold', say.guideTitle), progressBar(done, view.lessons.length), ...ticks(view)]);
  const footer = wrap(['', paint('dim', view.list ? say.listKeysLine : say.keysLine)]);
  const room = size.rows - head.length - footer.length;

  if (view.list) return [...head, ...fit([[''], listLines(view)], room, wrap), ...footer];

  const lesson = view.current;
  const notice = view.notice && view.notice.lesson === lesson?.id ? ['', ...view.notice.text.split('\n')] : [];
  if (!lesson) {
    const end = ['', paint('green', say.everyLessonPasses), say.afterTheLast];
    return [...head, ...fit([notice, end], room, wrap), ...footer];
  }

  // With a message open, the lesson's heading and each failure shrink so that the message has room.
  const compact = notice.length > 0;
  const heading = compact
    ? ['', paint('cyan', say.lessonHeading(lesson.number, lesson.title)), `  ${say.edit}  ${relative(lesson.exercise)}`]
    : [
        '',
        paint('cyan', say.lessonHeading(lesson.number, lesson.title)),
        `  ${say.read}  ${relative(lesson.readme)}`,
        `  ${say.edit}  ${relative(lesson.exercise)}`,
        `  ${say.try}  ${say.command(`npm run example -- ${lesson.number}`)}`,
        '',
      ];
  const report = view.reports.get(lesson.id);
  const run = runOf(view, lesson);
  const text = report
    ? describeReport(report, { typesPending: run?.typesPending, stillRunning: run?.stillRunning, messageLines: compact ? 1 : 4, untouched: view.untouched.has(lesson.id) })
    : undefined;
  // Once a verdict for the TODO at hand is on screen, its status line says what still runs.
  const running = run && !run.typesPending && !run.stillRunning ? [runningLine(run, now)] : [];
  const status = [...running, ...(text?.status ?? (running.length > 0 ? [] : [paint('dim', say.notRunYet)]))];
  const [first = [], ...rest] = text?.failures ?? [];
  const [, ...restKinds] = text?.kinds ?? [];
  const more = say.command(`npm test -- ${lesson.number}`);
  const tail = view.lastRunMs === undefined || run ? [] : [paint('dim', say.testsRanIn((view.lastRunMs / 1000).toFixed(2)))];

  // Always kept: the lesson's heading, the verdict and the first failure (cut only if it alone is too long).
  const kept = wrap([...heading, ...status]);
  const firstWrapped = wrap(first);
  // With a message open, the message comes before the failures: the first failure keeps only its
  // name and the first row of what went wrong (and a row saying what else there is), and the
  // message gets the rest of the room.
  // On a small screen, where that would leave the message hardly any text, the name alone.
  let firstLeast = compact ? Math.min(firstWrapped.length, titleRows(first, wrap) + 1) : firstWrapped.length;
  let moreLeast = compact && (rest.length > 0 || (text?.compile.length ?? 0) > 0) ? 1 : 0;
  const budget = room - kept.length - firstLeast - moreLeast;
  if (compact && wrap(notice).length > budget && budget < 7) {
    firstLeast = Math.min(firstWrapped.length, titleRows(first, wrap));
    moreLeast = 0;
  }
  const noticeRows = fitNotice(notice, Math.max(0, room - kept.length - firstLeast - moreLeast), wrap, view.notice?.hint ? say.hintCut(relative(lesson.hints)) : '…');
  const firstRoom = Math.min(room - kept.length - noticeRows.length - moreLeast, compact ? 5 : Infinity);
  // Cut with a note saying where the rest is, unless the note would take the place of the test's name.
  const firstRows = firstWrapped.length <= firstRoom || firstRoom > firstLeast ? cut(firstWrapped, firstRoom, say.moreWith(more)) : firstWrapped.slice(0, Math.max(0, firstRoom));
  let left = room - kept.length - noticeRows.length - firstRows.length;
  const take = (lines: string[], where: string) => {
    const rows = cut(wrap(lines), left, where);
    left -= rows.length;
    return rows;
  };
  const compileRows = take(text?.compile.length ? ['', ...text.compile] : [], say.moreWith(more));
  // Whole failures only, and a count of those left out: failing tests and type errors apart.
  const leftOut = (from: number) => {
    const kinds = restKinds.slice(from);
    const count = (kind: string) => kinds.filter((candidate) => candidate === kind).length;
    return kinds.length === 0 ? [] : wrap([paint('dim', say.moreFailing(count('test'), count('typeError'), count('error'), more))]);
  };
  const restRows: string[] = [];
  let shown = 0;
  for (const block of rest) {
    const rows = wrap(block);
    if (rows.length + leftOut(shown + 1).length > left) break;
    restRows.push(...rows);
    left -= rows.length;
    shown += 1;
  }
  const note = leftOut(shown);
  if (note.length <= left) {
    restRows.push(...note);
    left -= note.length;
  }
  const tailRows = take(tail.length > 0 ? ['', ...tail] : [], '');
  return [...head, ...noticeRows, ...kept, ...firstRows, ...compileRows, ...restRows, ...tailRows, ...footer];
}

/** The rows of a failure block up to its failing test's name: the TODO's heading and the "✗ name" line. */
function titleRows(block: string[], wrap: (lines: string[]) => string[]): number {
  const name = block.findIndex((line) => /^ *(\x1b\[[0-9;]*m)?✗/.test(line));
  return wrap(block.slice(0, name === -1 ? 1 : name + 1)).length;
}

/** "Running the tests… 4 s — TODO 2: … > the test that is running", the count from 2 s on. */
function runningLine(run: NonNullable<GuideView['run']>, now: number): string {
  const seconds = Math.floor((now - run.startedAt) / 1000);
  return paint('dim', say.runningTests(seconds >= 2 ? seconds : undefined, seconds >= 2 ? run.test : undefined));
}

/** While remembered verdicts are rechecked: one mark per lesson, a dot for those still waiting. */
function ticks(view: GuideView): string[] {
  if (view.rechecked.length === 0 || view.rechecked.every((id) => !view.stale.has(id))) return [];
  const marks = view.rechecked.map((id) => {
    const lesson = view.lessons.find((candidate) => candidate.id === id);
    const mark = view.stale.has(id) ? paint('dim', '…') : lessonMark(isDone(view, lesson!), view.untouched.has(id));
    return `${id.slice(0, 2)} ${mark}`;
  });
  return [paint('dim', say.checkingYourFiles) + marks.join('  ')];
}

function listLines(view: GuideView): string[] {
  const selected = view.list?.selected ?? 0;
  const rows = view.lessons.map((lesson, index) => {
    const report = view.reports.get(lesson.id);
    const mark = view.stale.has(lesson.id) ? paint('dim', '…') : report ? lessonMark(isDone(view, lesson), view.untouched.has(lesson.id)) : ' ';
    const row = `${index === selected ? '›' : ' '} ${mark} ${lesson.number}  ${lesson.title}${lesson === view.current ? `  ${say.onScreen}` : ''}`;
    return index === selected ? paint('inverse', row) : row;
  });
  return [paint('cyan', say.lessonList), '', ...rows];
}

/**
 * A message (a hint, the d key's advice, a pass banner) fitted to `room` rows. Too long, it first
 * loses its blank lines; still too long, it is cut, and `where` (for a hint: that it was cut and
 * the file that holds all of it) stands before its last line, which is kept: for a hint, how to
 * get the next one. With very little room the last line goes too, never `where`.
 */
function fitNotice(lines: string[], room: number, wrap: (lines: string[]) => string[], where: string): string[] {
  if (lines.length === 0 || room <= 0) return [];
  const rows = wrap(lines);
  if (rows.length <= room) return rows;
  const squeezed = wrap(lines.filter((line, index) => index === 0 || line.trim() !== ''));
  if (squeezed.length <= room) return squeezed;
  const note = wrap([paint('dim', where)]);
  const last = wrap(lines.slice(-1));
  // The blank line, the message's heading and at least one row of its text stay above the note.
  if (room - note.length - last.length >= 3) return [...squeezed.slice(0, room - note.length - last.length), ...note, ...last];
  if (room - note.length >= 3) return [...squeezed.slice(0, room - note.length), ...note];
  return cut(squeezed, room, where);
}

/** Rows cut to fit `room`, the last kept row replaced by a note saying where the rest is. */
function cut(rows: string[], room: number, where: string): string[] {
  if (rows.length <= room) return rows;
  if (room <= 0) return [];
  if (where === '') return rows.slice(0, room);
  return [...rows.slice(0, room - 1), paint('dim', where)];
}

function fit(blocks: string[][], room: number, wrap: (lines: string[]) => string[]): string[] {
  return cut(wrap(blocks.flat()), room, '…');
}
