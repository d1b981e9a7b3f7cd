import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { currentTarget, exerciseAlias, typeTestsTsconfigFor } from './workbook/target.ts';

const target = currentTarget();

export default defineConfig({
  resolve: { alias: [exerciseAlias(target)] },
  test: {
    include: ['tests/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['tests/**/*.test-d.ts'],
      tsconfig: typeTestsTsconfigFor(target),
      // tsc, with the colons in its messages kept (vitest drops them: `{ a number }`).
      checker: fileURLToPath(new URL('./workbook/tsc-keep-colons.mjs', import.meta.url)),
      // A type error in another lesson's exercise must not fail this lesson's run. Errors inside
      // the type tests still fail them, test by test, and `npm run check` type-checks everything.
      ignoreSourceErrors: true,
    },
    // Failure messages quote what came back; the default cuts strings after 40 characters.
    chaiConfig: { truncateThreshold: 300 },
    // Lesson suites start real servers and sockets; a slow, loaded machine still finishes in time.
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
