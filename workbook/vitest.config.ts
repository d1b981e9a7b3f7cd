// The runner's own tests (npm run check runs them); the lesson suites use ../vitest.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['workbook/test/**/*.test.ts'],
    testTimeout: 60_000,
    // The tests read the runner's English words; those in Korean switch with useLanguage('ko').
    env: { WORKBOOK_LANG: 'en' },
  },
});
