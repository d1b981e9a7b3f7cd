import { describe, expect, test } from 'vitest';
import { area, greet, measure, ShapeSchema, type Measured, type Shape } from '#exercise/02-union-types';
import { pathsAndCodes } from './support/issues.ts';

/** JSON for objects and strings; undefined, NaN and ±Infinity as themselves (JSON would say nothing or null). */
const show = (value: unknown): string =>
  value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? String(value) : JSON.stringify(value);

/** Hands area a value without relying on the learner's Shape type (the type tests check that). */
const asShape = (value: unknown) => value as Shape;

/** Calls greet and turns a crash into a string, so the failure shows what went wrong for that input. */
const greeting = (...args: Parameters<typeof greet>): string => {
  try {
    return greet(...args);
  } catch (error) {
    return `(greet threw ${String(error)})`;
  }
};

const circle = { kind: 'circle', radius: 3 };
const rectangle = { kind: 'rectangle', width: 2, height: 5 };
const triangle = { kind: 'triangle', base: 4, height: 3 };

describe('TODO 1: greet, with both kinds of nothing', () => {
  test('greets a name', () => {
    expect(greeting('Ada'), 'greet("Ada")').toBe('Hello, Ada');
  });

  test('says "Hello, Guest" for null (Python\'s None)', () => {
    expect(greeting(null), 'greet(null)').toBe('Hello, Guest');
  });

  test('says "Hello, Guest" for undefined and when called with no argument — the second "None"', () => {
    expect(greeting(undefined), 'greet(undefined)').toBe('Hello, Guest');
    expect(greeting(), 'greet() with no argument').toBe('Hello, Guest');
  });

  test.each([
    ['an empty name', ''],
    ['a name of spaces', '   '],
    ['a name of tabs and newlines', '\t\n '],
  ])('treats %s as no name: "Hello, Guest"', (_label, name) => {
    expect(greeting(name), `greet(${show(name)})`).toBe('Hello, Guest');
  });

  test('removes the whitespace around a name', () => {
    expect(greeting('  Ada  '), 'greet("  Ada  ")').toBe('Hello, Ada');
    expect(greeting('Ada Lovelace'), 'greet("Ada Lovelace") keeps the space inside').toBe('Hello, Ada Lovelace');
  });

  test('keeps the whitespace inside a name as it was sent: only the whitespace around it goes', () => {
    for (const [name, expected] of [
      ['Ada  Lovelace', 'Hello, Ada  Lovelace'],
      [' Ada\tLovelace ', 'Hello, Ada\tLovelace'],
      ['Ada \n Lovelace', 'Hello, Ada \n Lovelace'],
    ]) {
      expect(greeting(name), `greet(${show(name)}): the whitespace inside the name stays exactly as sent (two spaces stay two, a tab stays a tab); only the whitespace around it is removed`).toBe(expected);
    }
  });

  test('removes every kind of whitespace around a name, tabs and line breaks too, not only spaces', () => {
    // "The name with the whitespace around it removed": the same whitespace that makes a name blank.
    for (const [name, expected] of [
      ['\tAda\n', 'Hello, Ada'],
      ['\r\n Ada Lovelace \t', 'Hello, Ada Lovelace'],
      ['\n\nGrace', 'Hello, Grace'],
    ]) {
      expect(greeting(name), `greet(${show(name)}): tabs, newlines and carriage returns around the name go too (String.prototype.trim removes them all)`).toBe(expected);
    }
  });

  test('greets the strings "null", "undefined" and "None" as names: only a real null or undefined is no name', () => {
    for (const name of ['null', 'undefined', 'None']) {
      expect(greeting(name), `greet(${show(name)}): a string is a name, whatever it spells (any other string is a real name)`).toBe(`Hello, ${name}`);
    }
  });

  test('greets names that only look false-ish, like "0" and "false"', () => {
    expect(greeting('0'), 'greet("0"): "0" is a non-empty string, so it is a name').toBe('Hello, 0');
    expect(greeting('false'), 'greet("false")').toBe('Hello, false');
  });
});

describe('TODO 3: area, an exhaustive switch', () => {
  test('of a circle is π·radius²', () => {
    expect(area(asShape(circle)), `area(${show(circle)}) should be 9π`).toBeCloseTo(9 * Math.PI);
  });

  test('of a rectangle is width·height', () => {
    expect(area(asShape(rectangle)), `area(${show(rectangle)})`).toBe(10);
  });

  test('of a triangle is base·height / 2', () => {
    expect(area(asShape(triangle)), `area(${show(triangle)})`).toBe(6);
  });

  test('throws an Error naming the kind when the kind is none of the three', () => {
    const hexagon = { kind: 'hexagon', side: 2 };
    let threw = false;
    let thrown: unknown;
    let returned: unknown;
    try {
      returned = area(asShape(hexagon));
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const outcome = threw
      ? `threw ${typeof thrown === 'string' ? `the string ${show(thrown)}` : show(thrown)}, which is not an Error: throw new Error(...)`
      : `returned ${show(returned)} instead of throwing`;
    expect(thrown, `area(${show(hexagon)}) should throw an Error (the never branch); it ${outcome}`).toBeInstanceOf(Error);
    expect((thrown as Error).message, `the error thrown by area(${show(hexagon)}) should name the kind "hexagon"`).toContain('hexagon');
  });
});

describe('TODO 4: ShapeSchema, a discriminated union at run time', () => {
  test.each([
    ['a circle', circle],
    ['a rectangle', rectangle],
    ['a triangle', triangle],
    ['a shape with fractional sizes', { kind: 'rectangle', width: 0.5, height: 0.25 }],
  ])('accepts %s and returns it unchanged', (_label, input) => {
    const result = ShapeSchema.safeParse(input);
    expect(result.success, `ShapeSchema.safeParse(${show(input)}) should succeed; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
    expect(result.data, `parsing ${show(input)} should give the same shape back`).toEqual(input);
  });

  test('drops keys that no variant declares (z.object\'s default), instead of refusing or keeping them', () => {
    const input = { kind: 'circle', radius: 1, color: 'red' };
    const result = ShapeSchema.safeParse(input);
    expect(result.success, `ShapeSchema.safeParse(${show(input)}) should succeed; issues: ${show(pathsAndCodes(result.error?.issues))}`).toBe(true);
    expect(result.data, `parsing ${show(input)} should give {"kind":"circle","radius":1}, without "color"`).toEqual({ kind: 'circle', radius: 1 });
  });

  test.each([
    ['a circle with a negative radius', { kind: 'circle', radius: -1 }, [{ path: ['radius'], code: 'too_small' }]],
    ['a rectangle with a width of 0', { kind: 'rectangle', width: 0, height: 5 }, [{ path: ['width'], code: 'too_small' }]],
    ['a circle whose radius is the string "2"', { kind: 'circle', radius: '2' }, [{ path: ['radius'], code: 'invalid_type' }]],
    ['a triangle without a height', { kind: 'triangle', base: 4 }, [{ path: ['height'], code: 'invalid_type' }]],
    [
      'a rectangle with no sizes at all',
      { kind: 'rectangle' },
      [
        { path: ['width'], code: 'invalid_type' },
        { path: ['height'], code: 'invalid_type' },
      ],
    ],
    [
      'a rectangle with two bad sizes (every problem, not only the first)',
      { kind: 'rectangle', width: -1, height: 'tall' },
      [
        { path: ['width'], code: 'too_small' },
        { path: ['height'], code: 'invalid_type' },
      ],
    ],
  ])('rejects %s with an issue at the bad field', (_label, input, expected) => {
    const result = ShapeSchema.safeParse(input);
    expect(result.success, `ShapeSchema.safeParse(${show(input)}) should fail`).toBe(false);
    const got = pathsAndCodes(result.error?.issues);
    expect(got, `the issues (path and code) for ${show(input)}`).toEqual(expect.arrayContaining(expected));
    expect(got, `exactly ${expected.length} issue(s) for ${show(input)}`).toHaveLength(expected.length);
  });

  test.each([
    ['radius', { kind: 'circle', radius: 0 }],
    ['width', { kind: 'rectangle', width: 0, height: 5 }],
    ['height', { kind: 'rectangle', width: 2, height: 0 }],
    ['base', { kind: 'triangle', base: 0, height: 3 }],
    ['height', { kind: 'triangle', base: 4, height: 0 }],
  ])('rejects a %s of 0 (every dimension of every kind must be greater than 0): %j', (field, input) => {
    const result = ShapeSchema.safeParse(input);
    expect(result.success, `ShapeSchema.safeParse(${show(input)}) should fail: ${field} must be greater than 0`).toBe(false);
    expect(pathsAndCodes(result.error?.issues), `the issues (path and code) for ${show(input)}`).toEqual([
      { path: [field], code: 'too_small' },
    ]);
  });

  test.each([
    ['an unknown kind', { kind: 'hexagon', side: 2 }],
    ['a kind in the wrong case', { kind: 'Circle', radius: 1 }],
    ['no kind at all', { radius: 1 }],
    ['a kind that is not a string', { kind: 3, radius: 1 }],
  ])('rejects %s with one issue at path ["kind"], not a vague one at the root', (_label, input) => {
    const result = ShapeSchema.safeParse(input);
    expect(result.success, `ShapeSchema.safeParse(${show(input)}) should fail`).toBe(false);
    const paths = pathsAndCodes(result.error?.issues).map((issue) => issue.path);
    expect(paths, `issue paths for ${show(input)} (a z.union says [] here; z.discriminatedUnion says ["kind"])`).toEqual([['kind']]);
  });
});

describe('TODO 5: measure', () => {
  test('answers ok with the shape and its area', () => {
    const input: unknown = JSON.parse('{"kind": "triangle", "base": 4, "height": 3}');
    const result: Measured = measure(input);
    expect(result, `measure(${show(input)})`).toEqual({ ok: true, shape: triangle, area: 6 });
  });

  test('measures every kind', () => {
    const got = [circle, rectangle].map((input) => measure(input));
    expect(got[0], `measure(${show(circle)})`).toEqual({ ok: true, shape: circle, area: expect.closeTo(9 * Math.PI) });
    expect(got[1], `measure(${show(rectangle)})`).toEqual({ ok: true, shape: rectangle, area: 10 });
  });

  test('answers with the parsed shape, not the input: keys no variant declares are gone', () => {
    const input = { kind: 'circle', radius: 1, color: 'red' };
    const result = measure(input);
    expect(result.ok, `measure(${show(input)}) should be ok; issues: ${show(result.ok ? [] : pathsAndCodes(result.issues))}`).toBe(true);
    if (!result.ok) return;
    expect(result.shape, `measure(${show(input)}).shape should be the schema's output {"kind":"circle","radius":1}, not the input itself`).toEqual({ kind: 'circle', radius: 1 });
    expect(result.area, `measure(${show(input)}).area should be π`).toBeCloseTo(Math.PI);
  });

  test('answers ok: false with one issue per problem, each with its path and code', () => {
    const input = { kind: 'rectangle', width: -1, height: 'tall' };
    const result = measure(input);
    expect(result.ok, `measure(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    const got = pathsAndCodes(result.issues);
    expect(got, `the issues of measure(${show(input)})`).toEqual(
      expect.arrayContaining([
        { path: ['width'], code: 'too_small' },
        { path: ['height'], code: 'invalid_type' },
      ]),
    );
    expect(got, 'exactly two issues').toHaveLength(2);
  });

  test('answers an unknown kind with one issue at ["kind"]', () => {
    const input = { kind: 'hexagon', side: 2 };
    const result = measure(input);
    expect(result.ok, `measure(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path), `issue paths of measure(${show(input)})`).toEqual([['kind']]);
  });

  test.each([
    ['a string', 'circle'],
    ['null', null],
    ['a number', 42],
    ['undefined', undefined],
  ])('answers input that is not an object (%s) with one issue at path [], code invalid_type', (_label, input) => {
    const result = measure(input);
    expect(result.ok, `measure(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    expect(pathsAndCodes(result.issues), `the issues of measure(${show(input)})`).toEqual([{ path: [], code: 'invalid_type' }]);
  });

  test('keeps each zod issue\'s message as its message', () => {
    // Compared with your own schema's messages, whatever their wording: the message is for
    // humans, so it is the issue's message, not its code.
    const input = { kind: 'rectangle', width: 'wide' };
    const expected = (ShapeSchema.safeParse(input).error?.issues ?? []).map((issue) => ({ path: [...issue.path], message: issue.message }));
    const result = measure(input);
    expect(result.ok, `measure(${show(input)}) should not be ok`).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(({ path, message }) => ({ path, message })), `the issues of measure(${show(input)}): path and message`).toEqual(expected);
  });
});
