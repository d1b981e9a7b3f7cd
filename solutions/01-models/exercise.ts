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
  // An object's refinement runs once every field has the right type (so item.tags is sure to be
  // an array here). `path` puts its issue on the field: the 422 detail says ["body", "tags"]
  // instead of pointing at the whole body, and its code is "custom".
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
  // .safeParse never throws; its result is a discriminated union on `success`. reportInput asks
  // zod to keep, on each issue, the value it checked (it leaves it out by default).
  const result = ItemSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, item: result.data };
  return { ok: false, detail: result.error.issues.map(toDetail) };
}

function toDetail(issue: z.core.$ZodIssue): ErrorDetail {
  return {
    // zod types a path key as PropertyKey, symbols included; JSON has no symbols, so a symbol
    // key becomes a string. Numbers (array positions) stay numbers, as in FastAPI's loc.
    loc: ['body', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    msg: issue.message,
    // zod calls an absent field "invalid_type" (expected string, received undefined); FastAPI
    // calls it "missing". The value checked tells them apart: a null was sent, undefined was not.
    // The value stays out of the detail: an answer never echoes what the client sent.
    type: issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : issue.code,
  };
}

export function priceWithTax(item: Item): number {
  // `??` and not `||`: both give the same sum here, but `??` says what is meant — "no tax" is
  // undefined, while a tax of 0 is a real value (lesson 02 shows where `||` goes wrong).
  return item.price + (item.tax ?? 0);
}
