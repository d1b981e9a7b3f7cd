/**
 * Lesson 01's example: one zod schema that validates, fills defaults, strips unknown keys and
 * reports every problem at once — printed in FastAPI's 422 `detail` shape.
 * Run it with `npm run example -- 01`.
 */
import { z } from 'zod';

const Address = z.object({
  city: z.string().min(1),
  postcode: z.string().regex(/^\d{5}$/),
});

const User = z.object({
  name: z.string().min(1),
  age: z.number().int().nonnegative(),
  email: z.email().optional(),
  roles: z.array(z.enum(['reader', 'editor', 'admin'])).default(['reader']),
  address: Address,
});
type User = z.infer<typeof User>;

/** Prints a title, then the value as JSON: one line per element for a list, so it stays readable. */
function show(title: string, value: unknown): void {
  const lines = Array.isArray(value) ? value.map((element) => `  ${JSON.stringify(element)}`) : [JSON.stringify(value, null, 2)];
  console.log(`\n${title}\n${lines.join('\n')}`);
}

// 1. A valid parse: roles gets its default, the unknown key `password` is dropped.
const alice: User = User.parse({
  name: 'Alice',
  age: 31,
  address: { city: 'Busan', postcode: '48058' },
  password: 'hunter2',
});
show('1. parse() of a valid user (roles defaulted, password dropped):', alice);

// 2. A failing safeParse: every problem at once, each with a path and a code.
const bad = { name: '', age: '31', roles: ['owner'], address: { postcode: '4805' } };
const result = User.safeParse(bad);
if (!result.success) {
  show('2. safeParse() of a bad user — zod issues (path, code):', result.error.issues.map(({ path, code }) => ({ path, code })));

  // 3. The same problems in the shape FastAPI answers with (status 422).
  // zod types a path key as PropertyKey (symbols included); JSON has no symbols, so a symbol key
  // becomes a string and `loc` fits the exercise's ErrorDetail, (string | number)[].
  const detail: { loc: (string | number)[]; msg: string; type: string }[] = result.error.issues.map((issue) => ({
    loc: ['body', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    msg: issue.message,
    type: issue.code,
  }));
  show('3. The same in the shape of FastAPI\'s 422 `detail` (type is zod\'s code here; the exercise calls an absent field "missing"):', detail);
}

// 4. Coercion is opt-in: z.number() refuses "31", z.coerce.number() converts it.
show('4. z.number() vs z.coerce.number() on "31":', {
  number: z.number().safeParse('31').success,
  coerced: z.coerce.number().parse('31'),
});

// 5. Strict objects refuse unknown keys instead of dropping them.
show('5. z.strictObject with an unknown key:', z.strictObject({ id: z.number() }).safeParse({ id: 1, extra: true }).error?.issues.map((issue) => issue.code));
