/**
 * Lesson 02 — union types. Welcome! Here Python's `Union[str, None]` and `str | None` become
 * TypeScript unions: two kinds of "nothing", narrowing, and unions tagged with a `kind`.
 *
 * Fill in the TODOs in order, then run `npm test -- 02` (or keep `npm start` open: it reruns on
 * save). The tests are grouped by TODO, so you see TODO 1 pass before you start TODO 2.
 * Some tests here check *types*, not values: they pass only when your types are as precise as
 * the JSDoc asks (no `any`, no `unknown`, no variant missing). The README explains every idea.
 */
import { z } from 'zod';

/**
 * The greeting of the study note this workbook grew from, `def greet(name: str | None) -> str` in
 * Python, for a language with two Nones.
 * @param name a name; or null, or undefined, or left out — all three mean "no name"
 * @returns "Hello, Guest" when there is no name, and also when the name is empty or only
 *   whitespace (a blank form field is not a name); otherwise "Hello, " and the name with the
 *   whitespace around it removed: greet("  Ada ") is "Hello, Ada". Whitespace inside the name is
 *   kept as it is: greet("Ada  Lovelace") is "Hello, Ada  Lovelace", two spaces and all. Any other
 *   string is a real name, even one that looks "false-ish": greet("0") is "Hello, 0".
 */
export function greet(name?: string | null): string {
  // TODO 1: handle both kinds of "no name", then blank names, then greet the real ones.
  throw new Error('greet is not written yet');
}

/**
 * A shape, told apart by its `kind` tag. Exactly these three variants, with these fields:
 * - `{ kind: 'circle'; radius: number }`
 * - `{ kind: 'rectangle'; width: number; height: number }`
 * - `{ kind: 'triangle'; base: number; height: number }`
 */
// TODO 2: replace `unknown` with the union of the three variants (a discriminated union).
export type Shape = unknown;

/**
 * The area of a shape: π·radius² for a circle, width·height for a rectangle, base·height/2 for a
 * triangle.
 * @param shape a Shape
 * @returns its area
 * @throws Error whose message contains the kind, for a kind that is none of the three (the types
 *   forbid it, but a value cast from JSON can still carry one: area({kind: "hexagon"} as Shape))
 */
export function area(shape: Shape): number {
  // TODO 3: a `switch` on shape.kind with one case per variant, and a `default` that checks the
  // switch is exhaustive with `never`, then throws. (The tests only run your code, so they cannot
  // see the `never` check; your editor and `npx tsc -p tsconfig.json` can — see the README.)
  throw new Error('area is not written yet');
}

/**
 * Checks unknown input (e.g. a JSON body) and turns it into a Shape. Every dimension is a number
 * greater than 0. Errors are precise:
 * - a bad field gives an issue at that field: a circle with radius -1 → path ["radius"], code
 *   "too_small"; a rectangle without a height → path ["height"], code "invalid_type";
 * - a missing or unknown kind gives one issue at path ["kind"] (not a vague one at the root);
 * - input that is not an object gives one issue at path [], code "invalid_type".
 * Keys that no variant declares are dropped (z.object's default), neither refused nor kept:
 * { kind: "circle", radius: 1, color: "red" } parses to { kind: "circle", radius: 1 }.
 * Its inferred type, z.infer<typeof ShapeSchema>, is exactly Shape.
 */
// TODO 4: build it with z.discriminatedUnion('kind', [...]) — one z.object per variant.
export const ShapeSchema = z.never();

/** One problem found in the input: where (path), which rule (zod's issue code) and a message. */
export interface ShapeIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/** What measure answers: the shape and its area, or every issue found. */
export type Measured = { ok: true; shape: Shape; area: number } | { ok: false; issues: ShapeIssue[] };

/**
 * Validates unknown input and, when it is a shape, measures it. Never throws for bad input.
 * @param input anything, e.g. JSON.parse of a request body
 * @returns `{ ok: true, shape, area }` for a valid shape, where `shape` is what ShapeSchema
 *   parsed (unknown keys dropped), not the input itself; otherwise `{ ok: false, issues }` with
 *   one ShapeIssue per zod issue (its path, code and message, as zod gives them)
 */
export function measure(input: unknown): Measured {
  // TODO 5: safeParse with ShapeSchema; map the issues, or return the shape with its area.
  throw new Error('measure is not written yet');
}
