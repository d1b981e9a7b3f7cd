/**
 * Lesson 01 — models. Welcome! Here you turn pydantic's BaseModel habits into zod.
 *
 * Fill in each TODO, then run `npm test -- 01` (or keep `npm start` open: it reruns on save).
 * The README beside this file explains every idea used here.
 */
import { z } from 'zod';

/**
 * An item for sale, the FastAPI tutorial's `Item(BaseModel)`:
 * - `name`: a string with at least one character
 * - `price`: a number greater than 0 (a string like "5" is NOT a number here)
 * - `tax`: optional; when present, a number of at least 0
 * - `tags`: an array of strings, `[]` when missing, with no tag repeated (a repeat is one issue
 *   on `tags` itself)
 * Keys the schema does not know are dropped, as pydantic ignores extra fields.
 */
// TODO 1: describe the item with z.object({...}); add the "no tag repeated" rule as a refinement.
export const ItemSchema = z.object({});

/** A valid item: derived from the schema, never written by hand (this line needs no change). */
export type Item = z.infer<typeof ItemSchema>;

/**
 * One error in the shape FastAPI answers with in a 422 body.
 * `loc` starts with "body", then the path to the field: ["body", "tags", 1].
 * `type` is zod's issue code ("too_small", "invalid_type", ...) except "missing" when a required
 * field is absent, as FastAPI says.
 */
export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** What validateItem answers: the item, or every error found. */
export type Validation = { ok: true; item: Item } | { ok: false; detail: ErrorDetail[] };

/**
 * Parses unknown input into an Item, the way `Item(**data)` does in Python.
 * @param input anything, e.g. a JSON body
 * @returns the item, with defaults filled in and unknown keys dropped
 * @throws z.ZodError when the input is not a valid item
 */
export function parseItem(input: unknown): Item {
  // TODO 2: let the schema parse it (the throwing way).
  throw new Error('parseItem is not written yet');
}

/**
 * Validates without throwing, and reports every problem at once (not only the first).
 * @param input anything
 * @returns `{ ok: true, item }` or `{ ok: false, detail }` with one ErrorDetail per problem
 */
export function validateItem(input: unknown): Validation {
  // TODO 3: use safeParse and turn each zod issue into an ErrorDetail.
  throw new Error('validateItem is not written yet');
}

/**
 * The price a customer pays: price plus tax, or just the price when there is no tax.
 * @param item a valid item
 * @returns price + tax
 */
export function priceWithTax(item: Item): number {
  // TODO 4: add the tax when there is one.
  throw new Error('priceWithTax is not written yet');
}
