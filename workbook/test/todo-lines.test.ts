import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { listLessons } from '../lessons.ts';
import { ROOT } from '../target.ts';
import { todoLines } from '../todo-lines.ts';

const START = `/**
 * Lesson 99. Welcome! TODOs 1–4 below.
 */
import { z } from 'zod';

/** The schema. */
// TODO 1: describe the fields.
export const Schema = z.object({});

/** Given. */
export type Value = z.infer<typeof Schema>;

export function parse(input: unknown): Value {
  // TODO 2: parse it.
  // TODO 3: and report every problem.
  throw new Error('parse is not written yet');
}

// TODO 4: name the two schemas below.

export const First = z.object({});

export const Second = z.object({});

export function serve(): void {
  // TODO 5: serve it.
}

export const Given = 1;

// ---------------------------------------------------------------------------------------------
// Given
// ---------------------------------------------------------------------------------------------

export const AlsoGiven = 2;
`;

/** The line (from 1) where `text` first appears in `source`. */
const lineOf = (source: string, text: string) => source.split('\n').findIndex((line) => line.includes(text)) + 1;

describe('which TODO a line of an exercise belongs to', () => {
  test('a declaration belongs to the TODOs marked in it or in the comment above it', () => {
    const at = todoLines(START, START);
    expect(at(lineOf(START, 'export const Schema'))).toEqual([1]);
    expect(at(lineOf(START, '/** The schema. */')), 'its comment too').toEqual([1]);
    expect(at(lineOf(START, "throw new Error('parse"))).toEqual([2, 3]);
    expect(at(lineOf(START, 'export function parse')), 'a function shared by two TODOs belongs to both').toEqual([2, 3]);
    expect(at(lineOf(START, 'export type Value')), 'given code between them belongs to none').toEqual([]);
    expect(at(lineOf(START, "import { z }")), 'nor do the imports').toEqual([]);
  });

  test('a TODO comment standing on its own covers the unmarked declarations after it, up to the next marked one', () => {
    const at = todoLines(START, START);
    expect(at(lineOf(START, 'export const First'))).toEqual([4]);
    expect(at(lineOf(START, 'export const Second'))).toEqual([4]);
    expect(at(lineOf(START, 'export function serve'))).toEqual([5]);
    expect(at(lineOf(START, 'export const Given')), 'after a declaration with a TODO of its own: none').toEqual([]);
    expect(at(lineOf(START, 'export const AlsoGiven'))).toEqual([]);
  });

  test('found again by name in the learner\'s file, TODO comments gone, code moved and helpers added', () => {
    const solved = `import { z } from 'zod';

function helper(): number {
  return 1;
}

export function parse(input: unknown): Value {
  const value: string = Schema.parse(input);
  return value;
}

export const Schema = z.object({ name: z.string() });

export type Value = z.infer<typeof Schema>;

export const Second = z.object({}).openapi('Second');
`;
    const at = todoLines(solved, START);
    expect(at(lineOf(solved, 'const value: string'))).toEqual([2, 3]);
    expect(at(lineOf(solved, 'z.object({ name'))).toEqual([1]);
    expect(at(lineOf(solved, "openapi('Second')"))).toEqual([4]);
    expect(at(lineOf(solved, 'return 1;')), 'a helper of the learner\'s, with no TODO of its own').toEqual([]);
    expect(at(lineOf(solved, 'export type Value'))).toEqual([]);
  });

  test('without a recorded start, the file\'s own marks count, after code too', () => {
    const stub = "export type Pair = unknown; // TODO 1\nexport function add(a: number, b: number): number {\n  throw new Error('add'); // TODO 2\n}\n";
    const at = todoLines(stub);
    expect([1, 2, 3].map(at)).toEqual([[1], [2], [2]]);
  });

  test('in every lesson, each `// TODO N` line is TODO N\'s code, and so is the line after it', () => {
    for (const lesson of listLessons(ROOT)) {
      const source = fs.readFileSync(lesson.exercise, 'utf8');
      const at = todoLines(source, source);
      source.split('\n').forEach((line, index) => {
        const todo = line.match(/\/\/\s*TODO (\d+)\b/)?.[1];
        if (todo === undefined) return;
        const where = `${path.relative(ROOT, lesson.exercise)}:${index + 1}`;
        expect(at(index + 1), where).toContain(Number(todo));
        expect(at(index + 2), `${where}, the next line`).toContain(Number(todo));
      });
    }
  });
});
