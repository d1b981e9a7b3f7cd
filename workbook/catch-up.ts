/**
 * Every lesson's verdict brought up to date, one way for the commands that show them all at once:
 * `npm run progress` and the guide without a terminal. Remembered verdicts are used where they
 * still hold; the other lessons run one at a time, each verdict remembered as soon as it is in
 * (a run stopped half-way keeps what it finished), with a mark per lesson on stdout meanwhile.
 * The guide on a terminal opens with the remembered verdicts too and runs the rest itself.
 */
import { lessonMark, paint } from './format.ts';
import type { Lesson } from './lessons.ts';
import { passed, type LessonReport } from './outcome.ts';
import { ROOT } from './target.ts';
import { lookUp, remember, toReport, type VerdictKeys } from './verdicts.ts';
import { say } from './messages.ts';

export interface Known {
  /** Lesson id → its report, for the lessons whose verdict is known. */
  reports: Map<string, LessonReport>;
  /** The lessons whose verdict is out of date (or never made), in order. */
  stale: Lesson[];
}

/** The remembered verdicts that still hold (none when `fresh`), and the lessons to run again. */
export function rememberedReports(lessons: Lesson[], keys: VerdictKeys, { fresh = false, root = ROOT } = {}): Known {
  const known: Known = { reports: new Map(), stale: [] };
  for (const lesson of lessons) {
    const verdict = fresh ? undefined : lookUp(lesson, keys.of(lesson), root);
    if (verdict) known.reports.set(lesson.id, toReport(lesson, verdict));
    else known.stale.push(lesson);
  }
  return known;
}

export interface CatchUpOptions {
  keys: VerdictKeys;
  /** Lessons still at their start, marked ○ rather than ✗ (starts.ts). */
  untouched: Set<string>;
  root?: string;
}

/** Runs the stale lessons against the learner's files and adds their reports to `known`; nothing stays stale. */
export async function catchUp(known: Known, { keys, untouched, root = ROOT }: CatchUpOptions): Promise<void> {
  if (known.stale.length === 0) return;
  // vitest loads only when something must run.
  const { SuiteRunner } = await import('./run-suites.ts');
  const which = known.reports.size === 0 ? undefined : known.stale.map((lesson) => lesson.number).join(', ');
  process.stdout.write(paint('dim', say.checkingLessons(which)));
  const runner = await SuiteRunner.open('lessons', { root });
  try {
    for (const lesson of known.stale) {
      const [report] = await runner.run([lesson]);
      remember([report!], new Map([[lesson.id, keys.of(lesson)]]), root);
      known.reports.set(lesson.id, report!);
      process.stdout.write(` ${lesson.number} ${lessonMark(passed(report!), untouched.has(lesson.id))}`);
    }
    known.stale = [];
  } finally {
    process.stdout.write('\n\n');
    await runner.close();
  }
}
