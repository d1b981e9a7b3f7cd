// `npm run debug` stopped here, once, just before the test: your exercise is loaded and the test
// has not started. Now:
//   1. Open your exercise: Ctrl+P (⌘P on a Mac) and type exercise.ts (in VS Code, open the file).
//   2. Click the number of a line in your code: a breakpoint.
//   3. Resume: F8 in Chrome's DevTools, F5 in VS Code. The test runs and stops at your breakpoint.
// (A vitest setup file, added by workbook/debug.ts only; `npm test` and the guide never load it.)
import { beforeEach } from 'vitest';

let stopped = false;

beforeEach(() => {
  if (stopped) return;
  stopped = true;
  debugger; // the steps are above
});
