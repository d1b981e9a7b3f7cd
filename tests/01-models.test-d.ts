import { describe, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { ItemSchema, parseItem, validateItem, type Item } from '#exercise/01-models';

type ExpectedItem = { name: string; price: number; tax?: number | undefined; tags: string[] };

describe('TODO 1: the item schema', () => {
  test('Item, derived from the schema, has exactly name, price, optional tax and tags', () => {
    expectTypeOf<Item>().toEqualTypeOf<ExpectedItem>();
  });

  test('z.input<typeof ItemSchema> is { name; price; tax?; tags? }: tags may be left out, nothing is coerced', () => {
    // A failure mentioning an index signature ("[x: string]") means z.looseObject or a stub;
    // price as `unknown` means z.coerce.number(), which this exercise does not want.
    expectTypeOf<z.input<typeof ItemSchema>>().toEqualTypeOf<{
      name: string;
      price: number;
      tax?: number | undefined;
      tags?: string[] | undefined;
    }>();
  });
});

describe('TODO 3: parseItem', () => {
  test('parseItem returns an Item', () => {
    expectTypeOf(parseItem).returns.toEqualTypeOf<ExpectedItem>();
  });
});

describe('TODO 4: validateItem, zod issues in FastAPI\'s shape', () => {
  test('validateItem narrows on ok: an item with its tags, or a detail whose loc holds strings and numbers', () => {
    const result = validateItem({});
    if (result.ok) expectTypeOf(result.item.tags).toEqualTypeOf<string[]>();
    else expectTypeOf(result.detail[0]!.loc).toEqualTypeOf<(string | number)[]>();
  });
});
