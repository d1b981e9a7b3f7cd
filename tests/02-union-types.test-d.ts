/**
 * Type tests: vitest type-checks this file (it is never run). How to read a failure:
 * - "Unused '@ts-expect-error' directive": your type ACCEPTED a value the comment beside it says
 *   must be refused — the type is too loose (any, unknown, a string kind, optional fields).
 * - "Expected: ..., Actual: ..." or "does not satisfy the constraint": the type differs from the
 *   one asked for; the message lists the differing parts.
 */
import { describe, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { area, measure, ShapeSchema, type Shape } from '#exercise/02-union-types';

// The three variants the exercise asks for, written out here so a loose Shape cannot match them.
type Circle = { kind: 'circle'; radius: number };
type Rectangle = { kind: 'rectangle'; width: number; height: number };
type Triangle = { kind: 'triangle'; base: number; height: number };

describe('TODO 2: the Shape type', () => {
  test('is exactly a circle, a rectangle or a triangle (not any, not unknown, no variant missing)', () => {
    // An error on one of these two lines means Shape is still `any` or `unknown`.
    expectTypeOf<Shape>().not.toBeAny();
    expectTypeOf<Shape>().not.toBeUnknown();
    expectTypeOf<Shape>().toEqualTypeOf<Circle | Rectangle | Triangle>();
  });

  test('tags every variant with a literal kind, not a plain string', () => {
    expectTypeOf<Shape['kind']>().toEqualTypeOf<'circle' | 'rectangle' | 'triangle'>();
  });

  test('refuses values that match no variant', () => {
    // @ts-expect-error a circle needs a radius
    const noRadius: Shape = { kind: 'circle' };
    // @ts-expect-error "square" is not one of the kinds
    const square: Shape = { kind: 'square', side: 2 };
    // @ts-expect-error a radius is a number, not a string
    const textRadius: Shape = { kind: 'circle', radius: '2' };
    // @ts-expect-error a triangle has a base and a height, not a width
    const mixed: Shape = { kind: 'triangle', width: 2, height: 3 };
    // @ts-expect-error a rectangle needs both sides
    const halfRectangle: Shape = { kind: 'rectangle', width: 2 };
    expectTypeOf([noRadius, square, textRadius, mixed, halfRectangle]).toBeArray();
  });

  test('narrows to one variant when kind is checked', () => {
    const inspect = (shape: Shape) => {
      if (shape.kind === 'circle') expectTypeOf(shape).toEqualTypeOf<Circle>();
      else if (shape.kind === 'rectangle') expectTypeOf(shape).toEqualTypeOf<Rectangle>();
      else expectTypeOf(shape).toEqualTypeOf<Triangle>();
    };
    expectTypeOf(inspect).parameter(0).toEqualTypeOf<Shape>();
  });
});

describe('TODO 3: area, an exhaustive switch', () => {
  test('takes a Shape and nothing looser, and returns a number', () => {
    expectTypeOf(area).parameter(0).toEqualTypeOf<Circle | Rectangle | Triangle>();
    expectTypeOf(area).returns.toBeNumber();
    // @ts-expect-error an object without a kind is not a Shape
    area({ radius: 1 });
    // @ts-expect-error a string is not a Shape
    area('circle');
  });
});

describe('TODO 4: ShapeSchema, a discriminated union at run time', () => {
  test('infers exactly Shape, so the run-time check and the type agree', () => {
    expectTypeOf<z.infer<typeof ShapeSchema>>().toEqualTypeOf<Circle | Rectangle | Triangle>();
    expectTypeOf<z.input<typeof ShapeSchema>>().toEqualTypeOf<Circle | Rectangle | Triangle>();
  });

  test('gives back data that narrows on kind after a successful safeParse', () => {
    const result = ShapeSchema.safeParse({});
    if (result.success && result.data.kind === 'triangle') expectTypeOf(result.data.base).toBeNumber();
  });
});

describe('TODO 5: measure', () => {
  test('answers a union that narrows on ok: a Shape and its area, or the issues', () => {
    const result = measure({});
    if (result.ok) {
      expectTypeOf(result.shape).toEqualTypeOf<Circle | Rectangle | Triangle>();
      expectTypeOf(result.area).toBeNumber();
      if (result.shape.kind === 'circle') expectTypeOf(result.shape.radius).toBeNumber();
    } else {
      expectTypeOf(result.issues[0]!.path).toEqualTypeOf<(string | number)[]>();
      expectTypeOf(result.issues[0]!.code).toBeString();
    }
  });
});
