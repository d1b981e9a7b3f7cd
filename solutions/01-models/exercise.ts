/**
 * Lesson 01 — models: the annotated solution.
 * The comments say why each piece is written the way it is.
 */
import { z } from 'zod';

// z.object strips unknown keys by default, which is what pydantic does with extra fields.
// (z.strictObject would reject them instead, like pydantic's `extra="forbid"`.)
export const ItemSchema = z
  .object({
    // .min(1): an empty string is still a string, so "present" and "non-empty" are two rules.
    name: z.string().min(1),
    // z.number() refuses "5": zod never converts types unless you ask with z.coerce.number().
    // .positive() is "> 0"; pydantic writes the same rule as Field(gt=0).
    price: z.number().positive(),
    // .optional() allows the key to be absent (and undefined); .nonnegative() is ">= 0".
    tax: z.number().nonnegative().optional(),
    // .default([]) makes the key optional on input but always present on output.
    tags: z.array(z.string()).default([]),
  })
  // A refinement runs after the shape is valid. `path` puts the issue on the field, so the
  // 422 detail says ["body", "tags"] instead of pointing at the whole body.
  .refine((item) => new Set(item.tags).size === item.tags.length, {
    message: 'tags must not repeat',
    path: ['tags'],
  });

// z.infer reads the *output* type: tags is string[] (never undefined), tax is number | undefined.
export type Item = z.infer<typeof ItemSchema>;

export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export type Validation = { ok: true; item: Item } | { ok: false; detail: ErrorDetail[] };

export function parseItem(input: unknown): Item {
  // .parse throws a ZodError listing every issue: the equivalent of pydantic's ValidationError.
  return ItemSchema.parse(input);
}

export function validateItem(input: unknown): Validation {
  // .safeParse never throws; its result is a discriminated union on `success`.
  const result = ItemSchema.safeParse(input);
  if (result.success) return { ok: true, item: result.data };
  return { ok: false, detail: result.error.issues.map((issue) => toDetail(issue, input)) };
}

function toDetail(issue: z.core.$ZodIssue, input: unknown): ErrorDetail {
  // zod 4 paths may hold symbols (for symbol keys); JSON cannot, so they become strings.
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  return {
    loc: ['body', ...path],
    msg: issue.message,
    // zod calls an absent field "invalid_type" (expected string, got undefined); FastAPI calls
    // it "missing". Looking the value up in the input tells the two cases apart.
    type: issue.code === 'invalid_type' && valueAt(input, path) === undefined ? 'missing' : issue.code,
  };
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export function priceWithTax(item: Item): number {
  // `??` and not `||`: both give the same sum here, but `??` says what is meant — "no tax" is
  // undefined, while a tax of 0 is a real value (lesson 02 shows where `||` goes wrong).
  return item.price + (item.tax ?? 0);
}
