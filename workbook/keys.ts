/**
 * What a key does in the guide, as a plain function of the view, so navigation can be tested
 * without a terminal: h hint, d how to debug, l the list (↑/↓ or j/k, a number, Enter, Esc), n next,
 * p previous, a digit that lesson, q or Ctrl-C quit; any other key shows the keys.
 */
import type { Lesson } from './lessons.ts';
import { isDone, type GuideView } from './screen.ts';
import { say } from './messages.ts';

export type KeyAction = { kind: 'quit' } | { kind: 'hint'; lesson: Lesson } | { kind: 'go'; lesson: Lesson } | { kind: 'show' };

/** The keys in one chunk of terminal input: keys typed fast (or pasted) arrive together. */
export function splitKeys(chunk: string): string[] {
  return chunk.match(/\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|[\s\S]/gu) ?? [];
}

/** Applies a key to the view (the list, a message) and says what the guide must do besides. */
export function applyKey(view: GuideView, key: string): KeyAction {
  if (key === 'q' || key === '\u0003') return { kind: 'quit' }; // Ctrl-C arrives as a key in raw mode
  if (view.list) return listKey(view, view.list, key);
  const { lessons, current } = view;
  const at = current ? lessons.indexOf(current) : lessons.length;
  const tell = (text: string): KeyAction => {
    view.notice = { lesson: current?.id, text, transient: true };
    return { kind: 'show' };
  };
  switch (key) {
    case 'h':
      return current ? { kind: 'hint', lesson: current } : tell(say.nothingToHint);
    case 'd':
      // The command, not a session here: the debugger holds its terminal for as long as the learner
      // steps, while this screen keeps the failure in view and reruns on save.
      return tell(current ? say.debugInAnotherTerminal(current.number) : say.nothingToDebug);
    case 'l':
      view.list = { selected: Math.min(at, lessons.length - 1) };
      return { kind: 'show' };
    case 'n':
      if (at >= lessons.length - 1) return tell(say.lastLesson(lessons.at(-1)?.number ?? ''));
      return { kind: 'go', lesson: lessons[at + 1]! };
    case 'p':
      if (at === 0) return tell(say.firstLesson);
      return { kind: 'go', lesson: lessons[at - 1]! };
    default: {
      // A digit goes straight to that lesson, as it chooses one in the list.
      const chosen = /^\d$/.test(key) ? lessons.find((lesson) => Number(lesson.number) === Number(key)) : undefined;
      if (chosen) return { kind: 'go', lesson: chosen };
      return tell(say.keys(say.keysLine));
    }
  }
}

function listKey(view: GuideView, list: NonNullable<GuideView['list']>, key: string): KeyAction {
  const last = view.lessons.length - 1;
  if (key === '\x1b[A' || key === 'k') list.selected = Math.max(0, list.selected - 1);
  else if (key === '\x1b[B' || key === 'j') list.selected = Math.min(last, list.selected + 1);
  else if (/^\d$/.test(key)) {
    const index = view.lessons.findIndex((lesson) => Number(lesson.number) === Number(key));
    if (index !== -1) list.selected = index;
  } else if (key === '\r' || key === '\n') {
    view.list = undefined;
    return { kind: 'go', lesson: view.lessons[list.selected]! };
  } else if (key === '\x1b' || key === 'l') view.list = undefined;
  return { kind: 'show' };
}

/** Where to go once a lesson passes: the lesson after it, or the first one still unfinished. */
export function lessonAfterPass(view: GuideView, lesson: Lesson): Lesson | undefined {
  const { lessons } = view;
  return lessons[lessons.indexOf(lesson) + 1] ?? lessons.find((candidate) => !isDone(view, candidate));
}
