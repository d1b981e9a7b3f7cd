/**
 * `npm run progress`: every lesson, done or not, from a fresh run of every suite.
 */
import { relative } from './lessons.ts';
import { paint, progressBar } from './format.ts';
import { passed, type LessonReport } from './run-suites.ts';

export function formatProgress(reports: LessonReport[]): string {
  const done = reports.filter(passed).length;
  const rows = reports.map((report) => {
    const total = report.tests.length;
    const ok = report.tests.filter((test) => test.state === 'passed').length;
    const mark = passed(report) ? paint('green', '✓') : paint('red', '✗');
    const counts =
      report.errors.length > 0 ? 'suite did not load' : `${ok}/${total} tests${report.typeErrors.length > 0 ? ', type errors' : ''}`;
    return `  ${mark} ${report.lesson.id.padEnd(24)} ${counts.padEnd(24)} ${report.lesson.title}`;
  });
  const next = reports.find((report) => !passed(report));
  const footer = next
    ? `Next: ${next.lesson.id} — edit ${relative(next.lesson.exercise)}, then \`npm test -- ${next.lesson.number}\` (or \`npm start\`).`
    : paint('green', 'Every lesson passes. Well done!');
  return [progressBar(done, reports.length), '', ...rows, '', footer].join('\n');
}
