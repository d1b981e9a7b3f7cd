/**
 * Lesson 05's Chromium, kept by the guide from one run to the next (workbook/warm-forks.ts): each
 * run connects to it instead of starting one (a second or more). A run works in contexts of its
 * own, which Playwright's server closes when the run disconnects or its worker dies, so nothing
 * of one run reaches the next.
 *
 * Chromium hangs on this process by a pipe and ends with it; this process ends when the guide's
 * IPC channel closes, however the guide ended.
 */
import { chromium } from 'playwright-core';
import { browserMode, KEPT_CHROMIUM, LAUNCH_OPTIONS } from './05-browser.ts';

process.on('disconnect', () => process.exit(0));

if (browserMode() === 'run') {
  // Only on loopback: the address is for this machine's test workers.
  const server = await chromium.launchServer({ ...LAUNCH_OPTIONS, host: '127.0.0.1', port: 0 });
  // A browser that died is of no use: ending here lets the guide start a new one.
  server.process().once('exit', () => process.exit(1));
  process.send!({ env: { [KEPT_CHROMIUM]: server.wsEndpoint() } });
} else {
  // Nothing to keep; this process stays all the same, so the guide does not start it again for every run.
  process.send!({ env: {} });
}
