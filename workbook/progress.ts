/**
 * `npm run progress`: every lesson, done or not. Remembered verdicts are used as they are; lessons
 * changed since are run again (all of them with --fresh), one tick per lesson as they finish.
 */
import { padToWidth, paint, progressBar, truncate, visibleLength } from './format.ts';
import { relative, type Lesson } from './lessons.ts';
import { passed, type LessonReport } from './outcome.ts';
import { ROOT } from './target.ts';
import { lookUp, remember, toReport, VerdictKeys } from './verdicts.ts';
import { say } from './messages.ts';

export async function runProgress(lessons: Lesson[], fresh: boolean, root = ROOT): Promise<string> {
  const keys = new VerdictKeys(root);
  const reports = new Map<string, LessonReport>();
  const stale: Lesson[] = [];
  for (const lesson of lessons) {
    const verdict = fresh ? undefined : lookUp(lesson, keys.of(lesson), root);
    if (verdict) reports.set(lesson.id, toReport(lesson, verdict));
    else stale.push(lesson);
  }
  if (stale.length > 0) {
    const { SuiteRunner } = await import('./run-suites.ts');
    process.stdout.write(paint('dim', say.checkingLessons(stale.length === lessons.length ? undefined : stale.map((lesson) => lesson.number).join(', '))));
    const runner = await SuiteRunner.open('lessons', { root });
    try {
      for (const lesson of stale) {
        const [report] = await runner.run([lesson]);
        remember([report!], new Map([[lesson.id, keys.of(lesson)]]), root);
        reports.set(lesson.id, report!);
        process.stdout.write(` ${lesson.number} ${passed(report!) ? paint('green', '✓') : paint('red', '✗')}`);
      }
    } finally {
      process.stdout.write('\n\n');
      await runner.close();
    }
  }
  return formatProgress(lessons.map((lesson) => reports.get(lesson.id)!));
}

export function formatProgress(reports: LessonReport[]): string {
  const done = reports.filter(passed).length;
  const counts = reports.map((report) => {
    const ok = report.tests.filter((test) => test.state === 'passed').length;
    return report.errors.length > 0 ? say.suiteDidNotLoad : say.testCounts(ok, report.tests.length, report.typeErrors.length > 0);
  });
  // As wide as the widest count, so that titles keep as much of the window as they can.
  const countsWidth = Math.max(...counts.map(visibleLength));
  const rows = reports.map((report, index) => {
    const mark = passed(report) ? paint('green', '✓') : paint('red', '✗');
    const row = `  ${mark} ${report.lesson.id.padEnd(24)} ${padToWidth(counts[index]!, countsWidth)}  ${report.lesson.title}`;
    // On a terminal a row longer than the window is cut rather than wrapped mid-word.
    const columns = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
    return truncate(row, columns);
  });
  const next = reports.find((report) => !passed(report));
  const footer = next
    ? say.nextLesson(next.lesson.id, relative(next.lesson.exercise), next.lesson.number)
    : paint('green', say.everyLessonPasses);
  return [progressBar(done, reports.length), '', ...rows, '', footer, paint('dim', say.rememberedResults)].join('\n');
}
