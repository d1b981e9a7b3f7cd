// The runner's own tests (npm run check runs them); the lesson suites use ../vitest.config.ts.
import { defineConfig } from 'vitest/config';

/**
 * The watchdog's tests time a run's quiet stretches against limits of a few seconds. Beside another
 * runner test file on 2 cores (spares loading packages, tsc), CI took a finished test for one still
 * running for 8 s (twice, on Node 22; never here, even beside four busy loops): they run last, alone.
 */
const ALONE = ['workbook/test/stall.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // The tests read the runner's English words; those in Korean switch with useLanguage('ko').
    env: { WORKBOOK_LANG: 'en' },
    projects: [
      { extends: true, test: { name: 'runner', include: ['workbook/test/**/*.test.ts'], exclude: ALONE } },
      { extends: true, test: { name: 'runner, alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
