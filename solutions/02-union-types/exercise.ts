/**
 * Lesson 02 — union types: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import { z } from 'zod';

export function greet(name?: string | null): string {
  // `name?:` lets a caller leave the argument out (undefined); `| null` lets them pass null.
  // Python has one None; here "no name" comes in two spellings, and `== null` is the one loose
  // comparison worth knowing: it is true for null and for undefined, and for nothing else.
  if (name == null) return 'Hello, Guest';
  // After the check above TypeScript has narrowed `name` to string, so .trim() type-checks.
  const trimmed = name.trim();
  // `=== ''` rather than `!trimmed`: for a string both mean the same, but the comparison says
  // what is meant, and it does not silently change meaning if the type ever grows a number (0 is
  // falsy too). Note that "0" and "false" are non-empty strings, so they are truthy and greeted.
  if (trimmed === '') return 'Hello, Guest';
  return `Hello, ${trimmed}`;
}

// Each variant carries a literal `kind`. A literal type ('circle') instead of `string` is what
// makes this a *discriminated* union: checking `kind` tells TypeScript which variant it holds.
export type Shape =
  | { kind: 'circle'; radius: number }
  | { kind: 'rectangle'; width: number; height: number }
  | { kind: 'triangle'; base: number; height: number };

export function area(shape: Shape): number {
  switch (shape.kind) {
    // Inside each case `shape` is narrowed to one variant: `shape.radius` only exists here.
    case 'circle':
      return Math.PI * shape.radius ** 2;
    case 'rectangle':
      return shape.width * shape.height;
    case 'triangle':
      return (shape.base * shape.height) / 2;
    default:
      // Every kind has been handled, so `shape` is `never` here. Add a fourth variant to Shape
      // and forget its case: this call stops compiling, which is the point of the `never` check.
      return unknownShape(shape);
  }
}

function unknownShape(shape: never): never {
  // The types say this cannot happen, but data from outside (JSON cast with `as`) can still bring
  // a kind nobody planned for. Throwing beats returning undefined or NaN into later arithmetic.
  const kind = (shape as { kind?: unknown }).kind;
  throw new Error(`area: unknown shape kind ${JSON.stringify(kind)}`);
}

// One rule used by every dimension. zod 4's z.number() already refuses NaN and Infinity.
const length = z.number().positive();

// z.discriminatedUnion reads `kind` first and then checks only the matching variant. So a bad
// circle gets an issue at ["radius"], and an unknown kind one issue at ["kind"]. A plain z.union
// tries every variant; only when one of them gets past its type checks (a circle with radius -1)
// does it pass on that variant's issue. Otherwise (an unknown kind, a radius "2", a missing
// height) all it can report is one vague "invalid_union" at the root, the details nested inside.
// z.object drops keys no variant declares, so the parsed shape carries only its own fields.
export const ShapeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('circle'), radius: length }),
  z.object({ kind: z.literal('rectangle'), width: length, height: length }),
  z.object({ kind: z.literal('triangle'), base: length, height: length }),
]);

export interface ShapeIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

export type Measured = { ok: true; shape: Shape; area: number } | { ok: false; issues: ShapeIssue[] };

export function measure(input: unknown): Measured {
  // safeParse answers a discriminated union too (on `success`), so `result.data` is only
  // reachable once success is known to be true.
  const result = ShapeSchema.safeParse(input);
  if (!result.success) {
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        // zod 4 paths may hold symbols (for symbol keys); keep the result JSON-friendly.
        path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
        code: issue.code,
        message: issue.message,
      })),
    };
  }
  // result.data is already typed as Shape (the schema's inferred type equals it), so area() takes
  // it with no cast: the run-time check is what earns the compile-time type. It is also the
  // cleaned-up value (unknown keys dropped); `input as Shape` would hand back whatever came in.
  return { ok: true, shape: result.data, area: area(result.data) };
}
