/**
 * `npm run hint -- NN`: one more hint each time, from a nudge to nearly the answer.
 */
import fs from 'node:fs';
import { relative, type Lesson } from './lessons.ts';
import { paint } from './format.ts';
import { readState, writeState } from './state.ts';
import { ROOT } from './target.ts';

/** The `## Hint N` sections of a hints.md, in order, without their headings. */
export function parseHints(markdown: string): string[] {
  return markdown
    .split(/^## +Hint\b.*$/im)
    .slice(1)
    .map((section) => section.trim())
    .filter((section) => section !== '');
}

export interface ShownHint {
  /** 1-based position of the hint shown. */
  number: number;
  total: number;
  text: string;
  /** True when every hint had been shown before, and the last one is shown again. */
  repeated: boolean;
}

/** Shows the next hint of a lesson and remembers that it was shown. */
export function nextHint(lesson: Lesson, root = ROOT): ShownHint {
  const hints = fs.existsSync(lesson.hints) ? parseHints(fs.readFileSync(lesson.hints, 'utf8')) : [];
  if (hints.length === 0) throw new Error(`Lesson ${lesson.id} has no hints (${relative(lesson.hints, root)}).`);
  const state = readState(root);
  const shown = state.hintsShown[lesson.id] ?? 0;
  const index = Math.min(shown, hints.length - 1);
  state.hintsShown[lesson.id] = index + 1;
  writeState(state, root);
  return { number: index + 1, total: hints.length, text: hints[index]!, repeated: shown >= hints.length };
}

/** A hint with its number; `nextOne` says how to get the next (a command, or a key in the guide). */
export function formatHint(lesson: Lesson, hint: ShownHint, nextOne = `npm run hint -- ${lesson.number}`, root = ROOT): string {
  const heading = paint('cyan', `Hint ${hint.number} of ${hint.total} — lesson ${lesson.id}`);
  const after =
    hint.number < hint.total
      ? paint('dim', `(${nextOne} for the next one; all of them are in ${relative(lesson.hints, root)})`)
      : paint('dim', `That was the last hint. When the tests pass, compare with ${relative(lesson.solution, root)}.`);
  const again = hint.repeated ? `${paint('dim', '(every hint has been shown; here is the last one again)')}\n` : '';
  return `${heading}\n${again}\n${hint.text}\n\n${after}`;
}
