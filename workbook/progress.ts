/**
 * `npm run progress`: every lesson, done or not. Remembered verdicts are used as they are; lessons
 * changed since are run again (all of them with --fresh), one mark per lesson as they finish
 * (catch-up.ts, as the guide does without a terminal).
 */
import { catchUp, rememberedReports } from './catch-up.ts';
import { lessonMark, padToWidth, paint, progressBar, truncate, visibleLength, wrapForTerminal } from './format.ts';
import { relative, type Lesson } from './lessons.ts';
import { passed, type LessonReport } from './outcome.ts';
import { untouchedLessons } from './starts.ts';
import { ROOT } from './target.ts';
import { groupByTodo } from './todos.ts';
import { VerdictKeys } from './verdicts.ts';
import { say } from './messages.ts';

export async function runProgress(lessons: Lesson[], fresh: boolean, root = ROOT): Promise<string> {
  const keys = new VerdictKeys(root);
  const untouched = untouchedLessons(lessons, root);
  const known = rememberedReports(lessons, keys, { fresh, root });
  await catchUp(known, { keys, untouched, root });
  return formatProgress(lessons.map((lesson) => known.reports.get(lesson.id)!), untouched);
}

/** What a row says of a lesson's tests: how many pass, and which TODOs do not compile. */
function counts(report: LessonReport, untouched: boolean): string {
  const ok = report.tests.filter((test) => test.state === 'passed').length;
  if (report.errors.length > 0) {
    // An error outside the tests (an escaped one, a stall) after tests ran: they did load.
    const ran = report.tests.some((test) => test.state !== 'skipped');
    return ran ? say.testsAndErrorOutside(ok, report.tests.length) : say.suiteDidNotLoad;
  }
  if (untouched) return say.notStarted;
  if (report.typeErrors.length === 0) return say.testCounts(ok, report.tests.length, undefined);
  const todos = groupByTodo(report.tests, report.typeErrors).flatMap((group) => (group.compileErrors.length > 0 && group.todo !== undefined ? [group.todo] : []));
  return say.testCounts(ok, report.tests.length, todos);
}

export function formatProgress(reports: LessonReport[], untouched = new Set<string>()): string {
  const done = reports.filter(passed).length;
  const texts = reports.map((report) => counts(report, untouched.has(report.lesson.id)));
  // As wide as the widest count, so that titles keep as much of the window as they can.
  const countsWidth = Math.max(...texts.map(visibleLength));
  const idWidth = Math.max(...reports.map((report) => report.lesson.id.length));
  const rows = reports.map((report, index) => {
    const mark = lessonMark(passed(report), untouched.has(report.lesson.id));
    const row = `  ${mark} ${report.lesson.id.padEnd(idWidth)} ${padToWidth(texts[index]!, countsWidth)}  ${report.lesson.title}`;
    // On a terminal a row longer than the window is cut rather than wrapped mid-word.
    const columns = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
    return truncate(row, columns);
  });
  const next = reports.find((report) => !passed(report));
  const footer = next
    ? say.nextLesson(next.lesson.id, relative(next.lesson.exercise), next.lesson.number)
    : paint('green', say.everyLessonPasses);
  // The footer names commands on lines of their own, and wraps at spaces, never inside a word.
  return [progressBar(done, reports.length), '', ...rows, '', wrapForTerminal(footer), paint('dim', wrapForTerminal(say.rememberedResults))].join('\n');
}
