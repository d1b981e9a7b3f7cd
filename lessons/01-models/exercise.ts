/**
 * Lesson 01 — models. Welcome! Here you turn pydantic's BaseModel habits into zod.
 *
 * Fill in the TODOs in order, then run `npm test -- 01` (or keep `npm start` open: it reruns on
 * save). The tests are grouped by TODO, so you see TODO 1 pass before you start TODO 2.
 * The README beside this file explains every idea used here.
 */
import { z } from 'zod';

/**
 * An item for sale, the FastAPI tutorial's `Item(BaseModel)`:
 * - `name`: a string with at least one character
 * - `price`: a number greater than 0 (a string like "5" is NOT a number here)
 * - `tax`: optional; when present, a number of at least 0 (`null` is not "absent")
 * - `tags`: an array of strings, `[]` when missing, with no tag repeated: however many tags
 *   repeat (["a", "a", "a"], or ["a", "b", "a", "b"]), that is one issue, on `tags` itself, at
 *   path ["tags"]
 * Keys the schema does not know are dropped, as pydantic ignores extra fields.
 */
// TODO 1: describe the four fields with z.object({...}).
// TODO 2: add the rule "no tag repeated" as a refinement, with its issue on ["tags"].
export const ItemSchema = z.object({});

/** A valid item: derived from the schema, never written by hand (this line needs no change). */
export type Item = z.infer<typeof ItemSchema>;

/**
 * One error in the shape FastAPI answers with in a 422 body.
 * - `loc`: "body", then the path: ["body", "tags", 1] (an array index stays a number)
 * - `msg`: the message, for humans
 * - `type`: zod's issue code ("too_small", "invalid_type", "custom", ...), except "missing" when
 *   the value is absent, as FastAPI says (TODO 5)
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
  // TODO 3: let the schema parse it (the throwing way).
  throw new Error('parseItem is not written yet');
}

/**
 * Validates without throwing, and reports every problem at once (not only the first).
 * @param input anything
 * @returns `{ ok: true, item }` (the parsed item) or `{ ok: false, detail }` with one ErrorDetail
 *   per zod issue. A body that is not an object (null, 42, "text", []) is one entry at ["body"].
 *   "missing" (TODO 5) is for a value that is absent: `{ "name": "Pen" }` lacks price, and no
 *   body at all (undefined) lacks the whole body. A null was sent, so it stays "invalid_type".
 */
export function validateItem(input: unknown): Validation {
  // TODO 4: use safeParse and turn each zod issue into an ErrorDetail (type: the code).
  // TODO 5: make `type` "missing" for an invalid_type issue whose value is absent (undefined).
  throw new Error('validateItem is not written yet');
}

/**
 * The price a customer pays: price plus tax, or just the price when there is no tax.
 * @param item a valid item
 * @returns price + tax, as the sum comes out: not rounded (a price may hold fractions of a cent,
 *   as 0.125 + 0.0125 = 0.1375 does)
 */
export function priceWithTax(item: Item): number {
  // TODO 6: add the tax when there is one.
  throw new Error('priceWithTax is not written yet');
}
