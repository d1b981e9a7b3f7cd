import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ItemSchema, parseItem, priceWithTax, validateItem, type ErrorDetail, type Item } from '#exercise/01-models';

const valid = { name: 'Notebook', price: 4.5, tax: 0.5, tags: ['paper', 'a5'] };
const show = (value: unknown) => JSON.stringify(value);

/** Hands priceWithTax an item without relying on the learner's Item type (the type tests check it). */
const asItem = (value: unknown) => value as Item;

/** The loc of every detail entry, for messages and comparisons. */
const locs = (detail: ErrorDetail[]) => detail.map((entry) => entry.loc);

describe('ItemSchema', () => {
  test('accepts a complete item and returns it unchanged', () => {
    const result = ItemSchema.safeParse(valid);
    expect(result.success, `ItemSchema.safeParse(${show(valid)}) should succeed`).toBe(true);
    expect(result.data, `parsing ${show(valid)} should give the same item back`).toEqual(valid);
  });

  test('fills in tags with [] and leaves tax out when they are missing', () => {
    const input = { name: 'Pen', price: 1 };
    const result = ItemSchema.safeParse(input);
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
      expect(ItemSchema.safeParse(input).data, `ItemSchema.safeParse(${show(input)}) should succeed unchanged`).toEqual(input);
    }
  });

  test('drops keys it does not know, as pydantic ignores extra fields', () => {
    const input = { ...valid, owner: 'mallory', isAdmin: true };
    const result = ItemSchema.safeParse(input);
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
    ['a repeated tag', { ...valid, tags: ['paper', 'paper'] }, 'tags'],
    ['a missing name', { price: 1 }, 'name'],
    ['a missing price', { name: 'Pen' }, 'price'],
  ])('rejects %s, with an issue on that field', (_label, input, field) => {
    const result = ItemSchema.safeParse(input);
    expect(result.success, `ItemSchema.safeParse(${show(input)}) should fail`).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path[0]) ?? [];
    expect(paths, `the issues for ${show(input)} should point at "${field}"`).toContain(field);
  });
});

describe('parseItem', () => {
  test('returns the parsed item, defaults included', () => {
    const input = { name: 'Pen', price: 1, colour: 'blue' };
    expect(parseItem(input), `parseItem(${show(input)})`).toEqual({ name: 'Pen', price: 1, tags: [] });
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
    expect(paths.sort(), 'one issue for name and one for price').toEqual(['name', 'price']);
  });
});

describe('validateItem', () => {
  test('answers ok with the parsed item for valid input', () => {
    expect(validateItem({ name: 'Pen', price: 2 }), 'validateItem({name: "Pen", price: 2})').toEqual({
      ok: true,
      item: { name: 'Pen', price: 2, tags: [] },
    });
  });

  test('reports every problem at once, each with loc ["body", field]', () => {
    const input = { name: '', price: 0, tax: -1, tags: 'x' };
    const result = validateItem(input);
    expect(result.ok, `validateItem(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    expect(locs(result.detail), `the detail for ${show(input)} should have one entry per bad field`).toEqual(
      expect.arrayContaining([['body', 'name'], ['body', 'price'], ['body', 'tax'], ['body', 'tags']]),
    );
    expect(result.detail, 'exactly four problems').toHaveLength(4);
  });

  test('gives each entry a non-empty msg and a type', () => {
    const result = validateItem({ name: 3, price: 1 });
    expect(result.ok, 'validateItem({name: 3, price: 1}) should not be ok').toBe(false);
    if (result.ok) return;
    for (const entry of result.detail) {
      expect(typeof entry.msg === 'string' && entry.msg.length > 0, `msg of ${show(entry)}`).toBe(true);
      expect(typeof entry.type === 'string' && entry.type.length > 0, `type of ${show(entry)}`).toBe(true);
    }
  });

  test('calls an absent required field "missing", as FastAPI does', () => {
    const result = validateItem({ name: 'Pen' });
    expect(result.ok, 'validateItem({name: "Pen"}) should not be ok').toBe(false);
    if (result.ok) return;
    const price = result.detail.find((entry) => entry.loc.join('.') === 'body.price');
    expect(price, `validateItem({name: "Pen"}) should report ["body", "price"]; got ${show(result.detail)}`).toBeDefined();
    expect(price?.type, 'the type of an absent field').toBe('missing');
  });

  test('calls a field sent as null "invalid_type", not "missing": null is a value', () => {
    const input = { name: null, price: 1 };
    const result = validateItem(input);
    expect(result.ok, `validateItem(${show(input)})`).toBe(false);
    if (result.ok) return;
    const name = result.detail.find((entry) => entry.loc.join('.') === 'body.name');
    expect(name?.type, `the type for name: null; got ${show(result.detail)}`).toBe('invalid_type');
  });

  test('uses zod\'s issue code as the type otherwise, e.g. too_small and invalid_type', () => {
    const result = validateItem({ name: 'Pen', price: -1, tax: 'free' });
    expect(result.ok, 'validateItem({name: "Pen", price: -1, tax: "free"}) should not be ok').toBe(false);
    if (result.ok) return;
    const typeOf = (field: string) => result.detail.find((entry) => entry.loc.join('.') === `body.${field}`)?.type;
    expect(typeOf('price'), `price -1 breaks "greater than 0"; got ${show(result.detail)}`).toBe('too_small');
    expect(typeOf('tax'), `tax "free" is present but not a number; got ${show(result.detail)}`).toBe('invalid_type');
  });

  test('puts the position of a bad array element in loc', () => {
    const result = validateItem({ name: 'Pen', price: 1, tags: ['ok', 5] });
    expect(result.ok, 'validateItem({name: "Pen", price: 1, tags: ["ok", 5]}) should not be ok').toBe(false);
    if (result.ok) return;
    expect(locs(result.detail), 'tags[1] is the number 5').toContainEqual(['body', 'tags', 1]);
  });

  test('puts the repeated-tag rule on loc ["body", "tags"]', () => {
    const result = validateItem({ name: 'Pen', price: 1, tags: ['a', 'b', 'a'] });
    expect(result.ok, 'tags ["a", "b", "a"] repeat "a"').toBe(false);
    if (result.ok) return;
    expect(locs(result.detail), 'one entry, on the tags field itself').toEqual([['body', 'tags']]);
  });

  test.each([
    ['the string "just text"', 'just text'],
    ['null', null],
    ['the number 42', 42],
    ['an array', []],
  ])('answers a body that is %s with one invalid_type entry at loc ["body"], without throwing', (_label, input) => {
    // The issue's path is [] here: looking up a field in null or undefined must not crash.
    const result = validateItem(input);
    expect(result.ok, `validateItem(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    expect(locs(result.detail), `validateItem(${show(input)}): one entry for the whole body`).toEqual([['body']]);
    expect(result.detail[0]?.type, `validateItem(${show(input)}): the body is there, just not an object`).toBe('invalid_type');
  });
});

describe('priceWithTax', () => {
  test('adds the tax to the price', () => {
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tax: 2.5, tags: [] })), 'price 10, tax 2.5').toBeCloseTo(12.5);
  });

  test('is just the price when there is no tax, or a tax of 0', () => {
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tags: [] })), 'price 10, no tax').toBe(10);
    expect(priceWithTax(asItem({ name: 'Pen', price: 10, tax: 0, tags: [] })), 'price 10, tax 0').toBe(10);
  });
});
