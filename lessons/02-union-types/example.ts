/**
 * Lesson 02 — union types, shown by running them: `npm run example -- 02`
 * (or `npx tsx lessons/02-union-types/example.ts`). It prints each idea and exits.
 *
 * The exercise uses shapes; this file uses payments, so the ideas carry over and the answers stay
 * yours to write.
 */
import { z } from 'zod';

function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

// ---------------------------------------------------------------------------------------------
heading('1. Python has one None, TypeScript has two');

// `nickname?:` means "may be left out" (undefined); `| null` means "may be given as null".
function welcome(nickname?: string | null): string {
  // `== null` is true for null and undefined only: the usual way to say `is None`.
  return nickname == null ? 'Welcome, stranger' : `Welcome, ${nickname}`;
}

console.log(welcome('Sam'), '|', welcome(null), '|', welcome(undefined), '|', welcome());
console.log('null === undefined:', null === undefined, '  null == undefined:', null == undefined);
// JSON knows null but not undefined: a key holding undefined disappears on the way out.
console.log('JSON of {a: null, b: undefined}:', JSON.stringify({ a: null, b: undefined }));

// ---------------------------------------------------------------------------------------------
heading('2. The truthiness trap');

// These values are all "falsy": `if (value)` treats each of them like a missing value.
const falsy: unknown[] = [undefined, null, '', 0, Number.NaN, false];
console.log('falsy:', falsy.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value))).join(', '));
// "0" and "false" are non-empty strings, so they are truthy — unlike the number 0.
console.log('Boolean("0") =', Boolean('0'), '  Boolean(0) =', Boolean(0));

function pageSizeWithOr(requested?: number | null): number {
  return requested || 20; // BUG: a request for 0 items becomes 20
}
function pageSizeWithNullish(requested?: number | null): number {
  return requested ?? 20; // only null and undefined fall back to the default
}
console.log('requested 0 → with || :', pageSizeWithOr(0), '  with ?? :', pageSizeWithNullish(0));
console.log('requested undefined → with || :', pageSizeWithOr(), '  with ?? :', pageSizeWithNullish());

// ---------------------------------------------------------------------------------------------
heading('3. Narrowing: typeof, in, instanceof, equality');

function describeId(id: string | number): string {
  // typeof narrows primitives: in each branch `id` has one type.
  if (typeof id === 'number') return `number ${id.toFixed(0)}`;
  return `string "${id.toUpperCase()}"`;
}
console.log(describeId(7), '|', describeId('ab-7'));

type Cat = { meow: () => string };
type Dog = { bark: () => string };
function speak(pet: Cat | Dog): string {
  // `in` narrows object types by a property only one of them has.
  return 'meow' in pet ? pet.meow() : pet.bark();
}
console.log(speak({ meow: () => 'meow' }), '|', speak({ bark: () => 'woof' }));

function when(value: Date | string): string {
  // instanceof narrows to a class.
  return value instanceof Date ? value.toISOString().slice(0, 10) : `as written: ${value}`;
}
console.log(when(new Date(Date.UTC(2024, 0, 31))), '|', when('next Tuesday'));

function direction(step: 'up' | 'down' | number): number {
  // Equality with a literal narrows too: after these two checks only `number` is left.
  if (step === 'up') return 1;
  if (step === 'down') return -1;
  return step;
}
console.log('up, down, 5 →', direction('up'), direction('down'), direction(5));

// ---------------------------------------------------------------------------------------------
heading('4. A discriminated union and the exhaustive switch');

type Payment =
  | { method: 'card'; last4: string }
  | { method: 'cash' }
  | { method: 'transfer'; iban: string; reference?: string };

function receiptLine(payment: Payment): string {
  switch (payment.method) {
    case 'card':
      return `card ending ${payment.last4}`; // payment is the card variant here
    case 'cash':
      return 'cash';
    case 'transfer':
      return `transfer from ${payment.iban}${payment.reference ? ` (${payment.reference})` : ''}`;
    default: {
      // All three are handled, so payment is `never` here. Add a fourth method to Payment and
      // this assignment stops compiling until the switch handles it.
      const unhandled: never = payment;
      throw new Error(`unknown payment method ${JSON.stringify(unhandled)}`);
    }
  }
}
const payments: Payment[] = [
  { method: 'card', last4: '4242' },
  { method: 'cash' },
  { method: 'transfer', iban: 'DE02 1203 0000 0000 2020 51', reference: 'invoice 17' },
];
for (const payment of payments) console.log('-', receiptLine(payment));

try {
  // A cast lies to the compiler; the default branch still catches it at run time.
  receiptLine({ method: 'cheque' } as unknown as Payment);
} catch (error) {
  console.log('a cast-in "cheque" →', (error as Error).message);
}

// ---------------------------------------------------------------------------------------------
heading('5. The same at run time with zod');

// What each modifier lets through (a ✓ means the value parses).
const modifiers = {
  'z.string()': z.string(),
  '.optional()': z.string().optional(),
  '.nullable()': z.string().nullable(),
  '.nullish()': z.string().nullish(),
};
const samples: [string, unknown][] = [
  ['"Sam"', 'Sam'],
  ['undefined', undefined],
  ['null', null],
];
console.log(['modifier'.padEnd(13), ...samples.map(([label]) => label.padEnd(10))].join(''));
for (const [label, schema] of Object.entries(modifiers)) {
  const marks = samples.map(([, value]) => (schema.safeParse(value).success ? '✓' : '✗').padEnd(10));
  console.log([label.padEnd(13), ...marks].join(''));
}

// In an object, .optional() also lets the key be absent altogether.
const Profile = z.object({ nickname: z.string().nullish() });
console.log('Profile.parse({}) →', JSON.stringify(Profile.parse({})));

// z.union: "is it one of these?"  z.discriminatedUnion: "read the tag, then check that variant".
const cardSchema = z.object({ method: z.literal('card'), last4: z.string().regex(/^\d{4}$/) });
const cashSchema = z.object({ method: z.literal('cash') });
const transferSchema = z.object({ method: z.literal('transfer'), iban: z.string().min(15), reference: z.string().optional() });
const PaymentUnion = z.union([cardSchema, cashSchema, transferSchema]);
const PaymentSchema = z.discriminatedUnion('method', [cardSchema, cashSchema, transferSchema]);

// Its inferred type is the Payment union above, written once.
const parsed: Payment = PaymentSchema.parse({ method: 'card', last4: '1881', extra: 'dropped' });
console.log('parsed card →', JSON.stringify(parsed), '→', receiptLine(parsed));

function issues(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) return 'ok';
  return JSON.stringify(result.error.issues.map((issue) => ({ path: issue.path, code: issue.code })));
}
for (const input of [{ method: 'card', last4: '42' }, { method: 'cheque' }, 'card']) {
  console.log(`\ninput ${JSON.stringify(input)}`);
  console.log('  z.union              →', issues(PaymentUnion, input));
  console.log('  z.discriminatedUnion →', issues(PaymentSchema, input));
}

console.log('\nDone. Now open exercise.ts in this folder.');
