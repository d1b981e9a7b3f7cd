/**
 * Which TODO's code a line of an exercise is, so that a compile error or an error that escaped
 * the tests can be pinned on a TODO. An exercise is a row of top-level declarations, each with
 * the comment right above it; a declaration belongs to the TODOs marked (`// TODO N`) inside it or
 * in that comment. A TODO comment standing on its own (a blank line below it, as in "TODO 1: name
 * the four schemas below") also covers the unmarked declarations after it, up to the next
 * comment standing on its own or the next declaration with TODOs of its own.
 *
 * Learners delete TODO comments as they go, so the TODOs are read from the exercise's starting
 * version and found again in the current file by the declarations' names; a declaration the
 * start does not have (a helper of the learner's) counts by its own marks, usually none.
 */
import fs from 'node:fs';
import type { Lesson } from './lessons.ts';
import { readStarts } from './starts.ts';
import { ROOT } from './target.ts';

interface Segment {
  /** Its first line, counted from 1. */
  line: number;
  /** The declared name; undefined for a comment standing on its own. */
  name: string | undefined;
  /** The TODOs it belongs to. */
  todos: number[];
}

const DECLARATION = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
/** A comment at the top level: `//`, `/*`, or a JSDoc line ` * …` (those of a body are indented more). */
const TOP_LEVEL_COMMENT = /^(?:\/\/|\/\*| \*)/;
/** `// TODO N`, on a line of its own or after code. */
const MARK = /\/\/\s*TODO (\d+)\b/;

/** The file cut into declarations (each from the comment above it) and comments standing on their own. */
function segments(source: string): Segment[] {
  const lines = source.split('\n');
  const found: Segment[] = [];
  let comment: number | undefined;
  lines.forEach((text, index) => {
    if (TOP_LEVEL_COMMENT.test(text)) {
      comment ??= index;
      return;
    }
    const name = text.match(DECLARATION)?.[1];
    if (name !== undefined) found.push({ line: (comment ?? index) + 1, name, todos: [] });
    else if (comment !== undefined) found.push({ line: comment + 1, name: undefined, todos: [] });
    comment = undefined;
  });
  if (comment !== undefined) found.push({ line: comment + 1, name: undefined, todos: [] });

  lines.forEach((text, index) => {
    const todo = text.match(MARK)?.[1];
    const segment = segmentAt(found, index + 1);
    if (todo !== undefined && segment && !segment.todos.includes(Number(todo))) segment.todos.push(Number(todo));
  });
  // A comment standing on its own hands its TODOs to the unmarked declarations after it.
  let heading: number[] = [];
  for (const segment of found) {
    if (segment.name === undefined) heading = segment.todos;
    else if (segment.todos.length > 0) heading = [];
    else segment.todos = heading;
  }
  return found;
}

function segmentAt(found: Segment[], line: number): Segment | undefined {
  return found.findLast((segment) => segment.line <= line);
}

/**
 * For an exercise's source (and its starting version, when recorded), a function from a line
 * (counted from 1) to the TODOs whose code holds it, in order; none outside any TODO's code.
 */
export function todoLines(source: string, start?: string): (line: number) => number[] {
  const current = segments(source);
  const byName = new Map<string, number[]>();
  for (const segment of start === undefined ? [] : segments(start)) {
    if (segment.name !== undefined) byName.set(segment.name, [...(byName.get(segment.name) ?? []), ...segment.todos]);
  }
  return (line) => {
    const segment = segmentAt(current, line);
    if (!segment) return [];
    const todos = (segment.name !== undefined && byName.get(segment.name)) || segment.todos;
    return [...new Set(todos)].sort((a, b) => a - b);
  };
}

/** todoLines for a file of a lesson (its exercise, or its solution) as it is now on disk. */
export function todoLinesOf(lesson: Lesson, file: string, root = ROOT): (line: number) => number[] {
  const source = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return todoLines(source, readStarts(root)[lesson.id]);
}
