import { describe, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { ItemSchema, parseItem, validateItem, type Item } from '#exercise/01-models';

describe('types derived from ItemSchema', () => {
  test('Item has exactly name, price, optional tax and tags', () => {
    expectTypeOf<Item>().toEqualTypeOf<{ name: string; price: number; tax?: number | undefined; tags: string[] }>();
  });

  test('tags may be left out of the input, because it has a default', () => {
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
