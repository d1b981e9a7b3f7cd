/**
 * The lessons, found on disk, and how a learner names one: `1`, `01` or `01-models`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { language, say, type Language } from './messages.ts';
import { ROOT } from './target.ts';

export interface Lesson {
  /** Two digits, e.g. "01". */
  number: string;
  /** The folder name, e.g. "01-models". */
  id: string;
  /** The first heading of the lesson's README, or the folder name. */
  title: string;
  dir: string;
  readme: string;
  exercise: string;
  solution: string;
  hints: string;
  example: string;
}

const LESSON_FOLDER = /^(\d{2})-[a-z0-9-]+$/;

/** Every lesson under `root/lessons`, in order. */
export function listLessons(root = ROOT): Lesson[] {
  const lessonsDir = path.join(root, 'lessons');
  if (!fs.existsSync(lessonsDir)) return [];
  return fs
    .readdirSync(lessonsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && LESSON_FOLDER.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((id) => describeLesson(root, id));
}

function describeLesson(root: string, id: string): Lesson {
  const dir = path.join(root, 'lessons', id);
  const readme = inLanguage(path.join(dir, 'README.md'));
  return {
    number: id.slice(0, 2),
    id,
    title: readTitle(readme) ?? id,
    dir,
    readme,
    exercise: path.join(dir, 'exercise.ts'),
    solution: path.join(root, 'solutions', id, 'exercise.ts'),
    hints: inLanguage(path.join(dir, 'hints.md')),
    example: path.join(dir, 'example.ts'),
  };
}

/** In Korean, `README.ko.md` for `README.md` where the lesson has one; else the English file. */
function inLanguage(file: string): string {
  if (language === 'en') return file;
  const twin = twinOf(file, language);
  return fs.existsSync(twin) ? twin : file;
}

/** The file of `english` (a `.md`) in another language: `README.md` → `README.ko.md`. */
export function twinOf(english: string, other: Exclude<Language, 'en'>): string {
  return english.replace(/\.md$/, `.${other}.md`);
}

function readTitle(readme: string): string | undefined {
  if (!fs.existsSync(readme)) return undefined;
  const heading = fs.readFileSync(readme, 'utf8').match(/^#\s+(.+)$/m);
  return heading?.[1]?.trim();
}

/** Thrown for a lesson name that matches nothing; its message lists the lessons. */
export class UnknownLessonError extends Error {
  constructor(name: string | undefined, lessons: Lesson[]) {
    const asked = name === undefined ? say.needsLesson : say.noSuchLesson(name);
    super(`${asked} ${say.nameALesson(lessons[0]?.id ?? '01-models')}\n${formatList(lessons)}`);
    this.name = 'UnknownLessonError';
  }
}

/** The lesson a learner means by `1`, `01` or `01-models`. */
export function findLesson(name: string | undefined, lessons = listLessons()): Lesson {
  const wanted = name?.trim() ?? '';
  const byNumber = /^\d{1,2}$/.test(wanted) ? wanted.padStart(2, '0') : undefined;
  const lesson = lessons.find((candidate) => candidate.id === wanted || candidate.number === byNumber);
  if (!lesson) throw new UnknownLessonError(name, lessons);
  return lesson;
}

function formatList(lessons: Lesson[]): string {
  return lessons.map((lesson) => `  ${lesson.id.padEnd(24)} ${lesson.title}`).join('\n');
}

/** Paths as a learner types them: relative to the workbook's folder. */
export function relative(file: string, root = ROOT): string {
  return path.relative(root, file) || '.';
}
