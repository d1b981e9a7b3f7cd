import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ItemSchema, parseItem, priceWithTax, validateItem, type ErrorDetail, type Item } from '#exercise/01-models';
import { pathsAndCodes } from './support/issues.ts';

const valid = { name: 'Notebook', price: 4.5, tax: 0.5, tags: ['paper', 'a5'] };
const show = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value));

/** Hands priceWithTax an item without relying on the learner's Item type (the type tests check it). */
const asItem = (value: unknown) => value as Item;

/** The loc of every detail entry, for messages and comparisons. */
const locs = (detail: ErrorDetail[]) => detail.map((entry) => entry.loc);

/** The detail of a validation that must fail; fails the test with a message when it did not. */
function detailOf(input: unknown): ErrorDetail[] {
  const result = validateItem(input);
  expect(result.ok, `validateItem(${show(input)}) should answer ok: false`).toBe(false);
  return result.ok ? [] : result.detail;
}

/** The type of the detail entry at `loc`, or undefined when there is none. */
const typeAt = (detail: ErrorDetail[], ...loc: (string | number)[]) =>
  detail.find((entry) => JSON.stringify(entry.loc) === JSON.stringify(loc))?.type;

describe('TODO 1: the item schema', () => {
  test('accepts a complete item and returns it unchanged', () => {
    const result = ItemSchema.safeParse(valid);
    expect(result.success, `ItemSchema.safeParse(${show(valid)}) should succeed; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
    expect(result.data, `parsing ${show(valid)} should give the same item back`).toEqual(valid);
  });

  test('fills in tags with [] and leaves tax out when they are missing', () => {
    const input = { name: 'Pen', price: 1 };
    const result = ItemSchema.safeParse(input);
    expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed: tags and tax may be left out; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
    expect(result.data, `parsing ${show(input)}: tags should default to [] (and tax stay absent)`).toEqual({
      name: 'Pen',
      price: 1,
      tags: [],
    });
  });

  test('accepts a tax of 0, a one-character name and prices just above 0', () => {
    // 0.001: "greater than 0" has no smallest step; .min(0.01) would be a different rule.
    const inputs = [{ ...valid, tax: 0 }, { ...valid, price: 0.01 }, { ...valid, price: 0.001 }, { ...valid, name: 'x' }];
    for (const input of inputs) {
      const result = ItemSchema.safeParse(input);
      expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
      expect(result.data, `ItemSchema.safeParse(${show(input)}) should give the item back unchanged`).toEqual(input);
    }
  });

  test('takes any string of one character or more as the name, as it is: " " and "  Pen " are names, not trimmed', () => {
    // A name is "a string with at least one character": no trimming, no rule about blanks.
    for (const name of [' ', '  Pen ', '\t']) {
      const input = { ...valid, name };
      const result = ItemSchema.safeParse(input);
      expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed: ${show(name)} has one character or more; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
      expect(result.data?.name, `ItemSchema.safeParse(${show(input)}): the name should come back exactly as sent (${show(name)}), not trimmed`).toBe(name);
    }
  });

  test('takes any string as a tag, the empty string included', () => {
    // tags is "an array of strings": only the name has a length rule.
    for (const tags of [[''], ['', ' ', 'paper']]) {
      const input = { ...valid, tags };
      const result = ItemSchema.safeParse(input);
      expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed: a tag is any string, "" too (no .min(1) on the tags); issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
      expect(result.data?.tags, `ItemSchema.safeParse(${show(input)}): the tags as sent`).toEqual(tags);
    }
  });

  test('drops keys it does not know, as pydantic ignores extra fields', () => {
    const input = { ...valid, owner: 'mallory', isAdmin: true };
    const result = ItemSchema.safeParse(input);
    expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed: unknown keys are dropped, not refused; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
    expect(result.data, `parsing ${show(input)} should keep only name, price, tax and tags`).toEqual(valid);
  });

  test.each([
    ['an empty name', { ...valid, name: '' }, 'name'],
    ['a name that is not a string', { ...valid, name: 42 }, 'name'],
    ['a price of 0', { ...valid, price: 0 }, 'price'],
    ['a negative price', { ...valid, price: -3 }, 'price'],
    ['a price given as the string "5" (zod does not coerce)', { ...valid, price: '5' }, 'price'],
    ['a negative tax', { ...valid, tax: -0.01 }, 'tax'],
    ['a null tax (optional means absent, not null)', { ...valid, tax: null }, 'tax'],
    ['tags that are not an array', { ...valid, tags: 'paper' }, 'tags'],
    ['a tag that is not a string', { ...valid, tags: ['paper', 7] }, 'tags'],
    ['a missing name', { price: 1 }, 'name'],
    ['a missing price', { name: 'Pen' }, 'price'],
  ])('rejects %s, with an issue on that field', (_label, input, field) => {
    const result = ItemSchema.safeParse(input);
    expect(result.success, `ItemSchema.safeParse(${show(input)}) should fail`).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path[0]) ?? [];
    expect(paths, `the issues for ${show(input)} should point at "${field}"`).toContain(field);
  });
});

describe('TODO 2: no tag repeated', () => {
  test.each([
    ['a tag repeated next to each other', ['paper', 'paper']],
    ['a tag repeated apart', ['a', 'b', 'a']],
    ['a tag there three times', ['a', 'a', 'a']],
    ['two different tags, each repeated', ['a', 'b', 'b', 'a']],
  ])('rejects %s with one issue at path ["tags"], code "custom" (a refinement): however many tags repeat, one issue', (_label, tags) => {
    const input = { ...valid, tags };
    const result = ItemSchema.safeParse(input);
    expect(result.success, `ItemSchema.safeParse(${show(input)}) should fail: a tag repeats`).toBe(false);
    expect(
      pathsAndCodes(result.error?.issues),
      `the issues for ${show(input)}: exactly one, on "tags" itself (set the refinement's path), however many tags repeat — not one per repeat`,
    ).toEqual([{ path: ['tags'], code: 'custom' }]);
  });

  test('still accepts tags that differ, and no tags at all', () => {
    for (const input of [{ ...valid, tags: ['a', 'b', 'A'] }, { ...valid, tags: ['only'] }, { ...valid, tags: [] }]) {
      const result = ItemSchema.safeParse(input);
      expect(result.success, `ItemSchema.safeParse(${show(input)}) should succeed: no tag is there twice ("a" and "A" are two tags); issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
      expect(result.data, `ItemSchema.safeParse(${show(input)}) should give the item back unchanged`).toEqual(input);
    }
  });
});

describe('TODO 3: parseItem', () => {
  test('returns the parsed item, defaults included, unknown keys dropped', () => {
    const input = { name: 'Pen', price: 1, colour: 'blue' };
    expect(parseItem(input), `parseItem(${show(input)})`).toEqual({ name: 'Pen', price: 1, tags: [] });
    expect(parseItem(valid), `parseItem(${show(valid)})`).toEqual(valid);
  });

  test('throws a ZodError whose issues name the bad fields', () => {
    const input = { name: '', price: -1 };
    let thrown: unknown;
    try {
      parseItem(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `parseItem(${show(input)}) should throw a z.ZodError`).toBeInstanceOf(z.ZodError);
    const paths = (thrown as z.ZodError).issues.map((issue) => issue.path.join('.'));
    expect(paths.sort(), `parseItem(${show(input)}): one issue for name and one for price`).toEqual(['name', 'price']);
  });
});

describe('TODO 4: validateItem, zod issues in FastAPI\'s shape', () => {
  test('answers ok with the parsed item for valid input', () => {
    expect(validateItem({ name: 'Pen', price: 2, colour: 'red' }), 'validateItem({"name":"Pen","price":2,"colour":"red"})').toEqual({
      ok: true,
      item: { name: 'Pen', price: 2, tags: [] },
    });
  });

  test('reports every problem at once, each with loc ["body", field]', () => {
    const input = { name: '', price: 0, tax: -1, tags: 'x' };
    const detail = detailOf(input);
    expect(locs(detail), `the detail for ${show(input)} should have one entry per bad field`).toEqual(
      expect.arrayContaining([['body', 'name'], ['body', 'price'], ['body', 'tax'], ['body', 'tags']]),
    );
    expect(detail, `validateItem(${show(input)}): exactly four entries`).toHaveLength(4);
  });

  test('reports a repeated tag beside an empty name: both problems at once', () => {
    const input = { name: '', price: 1, tags: ['a', 'a'] };
    const detail = detailOf(input);
    expect(locs(detail), `the detail for ${show(input)}`).toEqual(expect.arrayContaining([['body', 'name'], ['body', 'tags']]));
    expect(detail, `validateItem(${show(input)}): exactly two entries`).toHaveLength(2);
  });

  test('gives each entry the message of its zod issue as msg', () => {
    // Compared with your own schema's messages, whatever their wording: msg is for humans, so it
    // is the issue's message, not its code or its path.
    const input = { name: 3, price: -1, tags: ['a', 'a'] };
    const issues = ItemSchema.safeParse(input).error?.issues ?? [];
    const detail = detailOf(input);
    expect(detail.length, `validateItem(${show(input)}): one entry per zod issue`).toBe(issues.length);
    for (const issue of issues) {
      const entry = detail.find((candidate) => candidate.loc.slice(1).join('.') === issue.path.join('.'));
      expect(entry?.msg, `msg of the entry at ${show(['body', ...issue.path])}: the issue's message; got ${show(detail)}`).toBe(issue.message);
    }
    for (const entry of detail) expect(entry.msg, `msg of ${show(entry)}: for humans, so never empty`).toMatch(/\S/);
  });

  test('gives each entry loc, msg and type, and nothing else: no input, so nothing the client sent comes back', () => {
    const input = { price: -1, tax: 'secret-tax', tags: ['secret-tag', 5] };
    const detail = detailOf(input);
    expect(detail.length, `validateItem(${show(input)}): one entry per problem; got ${show(detail)}`).toBeGreaterThan(0);
    for (const entry of detail) {
      expect(
        Object.keys(entry).sort(),
        `validateItem(${show(input)}): the entry at ${show(entry.loc)} should have exactly the keys loc, msg and type (the README: the workbook keeps only those, never the value sent as "input"); got the keys ${show(Object.keys(entry))}`,
      ).toEqual(['loc', 'msg', 'type']);
    }
  });

  test('uses zod\'s issue code as the type: too_small, invalid_type', () => {
    const input = { name: 'Pen', price: -1, tax: 'free' };
    const detail = detailOf(input);
    expect(typeAt(detail, 'body', 'price'), `price -1 breaks "greater than 0"; got ${show(detail)}`).toBe('too_small');
    expect(typeAt(detail, 'body', 'tax'), `tax "free" is present but not a number; got ${show(detail)}`).toBe('invalid_type');
  });

  test('puts the repeated-tag rule on loc ["body", "tags"], with type "custom" (a refinement\'s code)', () => {
    const input = { name: 'Pen', price: 1, tags: ['a', 'b', 'a'] };
    const detail = detailOf(input);
    expect(detail.map(({ loc, type }) => ({ loc, type })), `validateItem(${show(input)}): one entry, on the tags field itself`).toEqual([
      { loc: ['body', 'tags'], type: 'custom' },
    ]);
    expect(detail[0]?.msg, `validateItem(${show(input)}): the msg of the repeated-tag entry is for humans, so never empty`).toMatch(/\S/);
  });

  test('puts the position of a bad array element in loc, as a number', () => {
    const input = { name: 'Pen', price: 1, tags: ['ok', 5] };
    expect(locs(detailOf(input)), `validateItem(${show(input)}): tags[1] is the number 5`).toEqual([['body', 'tags', 1]]);
  });

  test.each([
    ['the string "just text"', 'just text'],
    ['null', null],
    ['the number 42', 42],
    ['an array', []],
  ])('answers a body that is %s with one entry at loc ["body"], without throwing', (_label, input) => {
    // The issue's path is [] here: looking up a field in null or a string must not crash.
    expect(locs(detailOf(input)), `validateItem(${show(input)}): one entry for the whole body`).toEqual([['body']]);
  });
});

describe('TODO 5: "missing" for an absent value', () => {
  test('calls an absent required field "missing", as FastAPI does', () => {
    const input = { name: 'Pen' };
    const detail = detailOf(input);
    expect(typeAt(detail, 'body', 'price'), `validateItem(${show(input)}): the type at ["body", "price"]; got ${show(detail)}`).toBe('missing');
  });

  test('calls every absent field "missing": an empty object lacks name and price', () => {
    const detail = detailOf({});
    expect(detail.map(({ loc, type }) => ({ loc, type })), `validateItem({}); got ${show(detail)}`).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'name'], type: 'missing' },
        { loc: ['body', 'price'], type: 'missing' },
      ]),
    );
    expect(detail, 'validateItem({}): exactly two entries').toHaveLength(2);
  });

  test('calls a field sent as null "invalid_type", not "missing": null is a value', () => {
    const input = { name: null, price: 1 };
    const detail = detailOf(input);
    expect(typeAt(detail, 'body', 'name'), `validateItem(${show(input)}): the type at ["body", "name"]; got ${show(detail)}`).toBe('invalid_type');
  });

  test('keeps "invalid_type" for a value of the wrong type next to a missing one', () => {
    const input = { tax: 'free', tags: [1] };
    const detail = detailOf(input);
    expect(detail.map(({ loc, type }) => ({ loc, type })), `validateItem(${show(input)}); got ${show(detail)}`).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'name'], type: 'missing' },
        { loc: ['body', 'price'], type: 'missing' },
        { loc: ['body', 'tax'], type: 'invalid_type' },
        { loc: ['body', 'tags', 0], type: 'invalid_type' },
      ]),
    );
  });

  test.each([
    ['the string "just text"', 'just text'],
    ['null', null],
    ['the number 42', 42],
    ['an array', []],
  ])('calls a body that is %s "invalid_type": it was sent, it is just not an object', (_label, input) => {
    const detail = detailOf(input);
    expect(detail.map(({ loc, type }) => ({ loc, type })), `validateItem(${show(input)}); got ${show(detail)}`).toEqual([
      { loc: ['body'], type: 'invalid_type' },
    ]);
  });

  test('calls no body at all (undefined) "missing" at loc ["body"], as FastAPI does', () => {
    const detail = detailOf(undefined);
    expect(detail.map(({ loc, type }) => ({ loc, type })), `validateItem(undefined); got ${show(detail)}`).toEqual([
      { loc: ['body'], type: 'missing' },
    ]);
  });
});

describe('TODO 6: priceWithTax', () => {
  test('adds the tax to the price', () => {
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tax: 2.5, tags: [] })), 'price 10, tax 2.5').toBeCloseTo(12.5);
    expect(priceWithTax(asItem({ name: 'Pen', price: 0.5, tax: 0.25, tags: [] })), 'price 0.5, tax 0.25').toBeCloseTo(0.75);
  });

  test('adds exactly, fractions of a cent included: nothing is rounded', () => {
    // toBeCloseTo's default (2 digits) would let a sum rounded to cents through; 9 digits do not.
    const sums: [price: number, tax: number, sum: number][] = [
      [0.125, 0.0125, 0.1375],
      [19.999, 0.0005, 19.9995],
      [2.0004, 0.0004, 2.0008],
    ];
    for (const [price, tax, sum] of sums) {
      expect(
        priceWithTax(asItem({ name: 'Pen', price, tax, tags: [] })),
        `price ${price}, tax ${tax} → ${sum}: price + tax as it is, not rounded to cents (a price may hold fractions of a cent)`,
      ).toBeCloseTo(sum, 9);
    }
  });

  test('is just the price when there is no tax, or a tax of 0', () => {
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tags: [] })), 'price 10, no tax').toBe(10);
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tax: 0, tags: [] })), 'price 10, tax 0').toBe(10);
  });
});
