/**
 * `npm test` (every lesson) and `npm test -- NN [NN …]` (some): each lesson's verdict and every
 * failing test's message, in the same words as the guide, against the learner's files unless
 * WORKBOOK_TARGET=solutions. The verdicts are remembered, so the guide opens with them.
 */
import { paint, wrapLine } from './format.ts';
import { listLessons, type Lesson } from './lessons.ts';
import { describeReport } from './report.ts';
import { runSuites } from './run-suites.ts';
import { untouchedLessons } from './starts.ts';
import { currentTarget } from './target.ts';
import { remember, VerdictKeys } from './verdicts.ts';
import { say } from './messages.ts';

/** Runs the suites of the given lessons (all when none are given); resolves to the exit code. */
export async function runTests(chosen: Lesson[]): Promise<number> {
  const target = currentTarget();
  const lessons = chosen.length > 0 ? chosen : listLessons();
  const keys = new VerdictKeys();
  const keyed = new Map(lessons.map((lesson) => [lesson.id, keys.of(lesson)]));
  process.stdout.write(paint('dim', `${say.runningTestsOf(lessons.map((lesson) => lesson.number), target)}\n`));
  const started = performance.now();
  const reports = await runSuites(target, lessons);
  if (target === 'lessons') remember(reports, keyed);
  const untouched = target === 'lessons' ? untouchedLessons(lessons) : new Set<string>();

  const columns = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
  const print = (line: string) => console.log(wrapLine(line, columns).join('\n'));
  let passing = 0;
  for (const report of reports) {
    const text = describeReport(report, { messageLines: Infinity, untouched: untouched.has(report.lesson.id) });
    if (text.passed) passing += 1;
    const title = paint('bold', say.lessonHeading(report.lesson.number, report.lesson.title));
    const lines = ['', title, ...text.status];
    for (const [index, block] of text.failures.entries()) {
      if (index === 1) lines.push(...text.compile);
      lines.push(...block);
    }
    if (text.failures.length <= 1) lines.push(...text.compile);
    for (const line of lines) print(line);
    // On a terminal a long report scrolls its start away: say again where the lesson stands.
    if (process.stdout.isTTY && lines.length > (process.stdout.rows || 24) - 4) {
      print('');
      print(title);
      for (const line of text.status) print(line);
      print(paint('dim', report.errors.length > 0 ? say.errorsAbove : say.failuresOrder));
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  print('');
  print(`${passing === reports.length ? paint('green', '✓') : paint('red', '✗')} ${say.lessonsPass(passing, reports.length, seconds)}`);
  return passing === reports.length ? 0 : 1;
}
