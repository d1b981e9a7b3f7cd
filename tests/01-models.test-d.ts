import { describe, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { ItemSchema, parseItem, validateItem, type Item } from '#exercise/01-models';

describe('types derived from ItemSchema', () => {
  test('Item has exactly name, price, optional tax and tags', () => {
    expectTypeOf<Item>().toEqualTypeOf<{ name: string; price: number; tax?: number | undefined; tags: string[] }>();
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

  test('parseItem returns an Item, and validateItem narrows on ok', () => {
    expectTypeOf(parseItem).returns.toEqualTypeOf<Item>();
    const result = validateItem({});
    if (result.ok) expectTypeOf(result.item.tags).toEqualTypeOf<string[]>();
    else expectTypeOf(result.detail[0]!.loc).toEqualTypeOf<(string | number)[]>();
  });
});
