/**
 * `npm run hint` and the guide's h: one more hint each time, from a nudge to nearly the answer.
 * Hints written per TODO (`## TODO 3, hint 1`) are given for the TODO the learner is on, so a
 * hint never gives away another TODO; plain `## Hint N` sections are given in order.
 */
import fs from 'node:fs';
import { paint } from './format.ts';
import { relative, type Lesson } from './lessons.ts';
import { readState, updateState } from './state.ts';
import { ROOT } from './target.ts';
import { say } from './messages.ts';

export interface HintSection {
  /** The TODO the hint is for, when the heading names one. */
  todo?: number;
  text: string;
}

const HEADING = /^## +(?:TODO (\d+), *hint \d+|Hint\b.*)$/gim;

/** The hint sections of a hints.md, in order, without their headings. */
export function parseHints(markdown: string): HintSection[] {
  const sections: HintSection[] = [];
  const headings = [...markdown.matchAll(HEADING)];
  headings.forEach((heading, index) => {
    const end = headings[index + 1]?.index ?? markdown.length;
    const text = markdown.slice(heading.index + heading[0].length, end).trim();
    if (text !== '') sections.push({ ...(heading[1] ? { todo: Number(heading[1]) } : {}), text });
  });
  return sections;
}

export interface ShownHint {
  /** 1-based position of the hint shown, among the hints of its TODO (or of the lesson). */
  number: number;
  total: number;
  text: string;
  /** The TODO these hints are for, if they are written per TODO. */
  todo?: number;
  /** True when every hint had been shown before, and the last one is shown again. */
  repeated: boolean;
}

/**
 * Shows the next hint and remembers that it was shown. With `todo` (the first TODO whose tests
 * fail), hints written for that TODO come first; without it, or when it has none, all in order.
 */
export function nextHint(lesson: Lesson, todo?: number, root = ROOT): ShownHint {
  const all = fs.existsSync(lesson.hints) ? parseHints(fs.readFileSync(lesson.hints, 'utf8')) : [];
  if (all.length === 0) throw new Error(say.noHints(lesson.id, relative(lesson.hints, root)));
  const forTodo = todo === undefined ? [] : all.filter((hint) => hint.todo === todo);
  const hints = forTodo.length > 0 ? forTodo : all;
  const counter = forTodo.length > 0 ? `${lesson.id}:TODO ${todo}` : lesson.id;
  const shown = readState(root).hintsShown[counter] ?? 0;
  const index = Math.min(shown, hints.length - 1);
  updateState((state) => (state.hintsShown[counter] = index + 1), root);
  return {
    number: index + 1,
    total: hints.length,
    text: hints[index]!.text,
    ...(forTodo.length > 0 ? { todo } : {}),
    repeated: shown >= hints.length,
  };
}

/** Forgets which hints of a lesson were shown (reset starts them over). */
export function forgetHints(lesson: Lesson, root = ROOT): void {
  updateState((state) => {
    for (const counter of Object.keys(state.hintsShown)) {
      if (counter === lesson.id || counter.startsWith(`${lesson.id}:`)) delete state.hintsShown[counter];
    }
  }, root);
}

/** A hint with its number; `nextOne` says how to get the next (a command, or a key in the guide). */
export function formatHint(lesson: Lesson, hint: ShownHint, nextOne = say.command(`npm run hint -- ${lesson.number}`), root = ROOT): string {
  const heading = paint('cyan', say.hintHeading(hint.number, hint.total, hint.todo, lesson.id));
  const after =
    hint.number < hint.total
      ? paint('dim', say.nextHintWith(nextOne, relative(lesson.hints, root)))
      : paint('dim', say.lastHint(hint.todo, relative(lesson.solution, root)));
  const again = hint.repeated ? `${paint('dim', say.hintsAllShown)}\n` : '';
  return `${heading}\n${again}\n${reflow(hint.text)}\n\n${after}`;
}

/**
 * Joins the lines of each paragraph, so the terminal (or the guide) wraps a hint to its own
 * width instead of the width hints.md was written at. Code blocks and list items keep their lines.
 */
export function reflow(markdown: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const line of markdown.split('\n')) {
    const fence = line.trimStart().startsWith('```');
    if (fence) inCode = !inCode;
    const previous = out.at(-1);
    const joins =
      !fence && !inCode && previous !== undefined && previous.trim() !== '' && !previous.trimStart().startsWith('```') && line.trim() !== '' && !/^(\s|[-*+] |[|>#]|\d+\. )/.test(line);
    if (joins) out[out.length - 1] = `${previous} ${line}`;
    else out.push(line);
  }
  return out.join('\n');
}
