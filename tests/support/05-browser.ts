/**
 * Lesson 05's browser: headless Chromium from the system (never downloaded), driven by
 * playwright-core, with every request that would leave the test server blocked and recorded.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

/** 'run' when Chromium is there; otherwise 'fail' in CI (it must really run there) or 'skip'. */
export function browserMode(env: NodeJS.ProcessEnv = process.env): 'run' | 'fail' | 'skip' {
  if (existsSync(CHROMIUM_PATH)) return 'run';
  return env.CI ? 'fail' : 'skip';
}

export const HOW_TO_ENABLE =
  `the browser tests need Chromium at ${CHROMIUM_PATH}: install it with \`sudo apt-get install chromium\` ` +
  '(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary. Never `npx playwright install`.';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // A fresh temporary profile every launch (Playwright's default); no background traffic of
    // Chromium's own (updates, sync, field trials) that would muddy the count of requests.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
}

export interface Guarded {
  context: BrowserContext;
  /** Requests for another origin that reached the network layer: blocked, and each one a failure. */
  attempted: string[];
  /** Requests for another origin that the page's own Content-Security-Policy refused in the browser. */
  refusedByPolicy: string[];
  close(): Promise<void>;
}

/**
 * A browser context where only `origin` (e.g. http://127.0.0.1:41234) is reachable. Anything else
 * is aborted before it leaves the machine and written down in `attempted`.
 */
export async function guardedContext(browser: Browser, origin: string): Promise<Guarded> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const attempted: string[] = [];
  const refusedByPolicy: string[] = [];
  const routed = new Set<string>();
  const isLocal = (url: string) => url.startsWith(`${origin}/`) || url === origin || /^(data|blob|about):/.test(url);

  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    routed.add(url);
    attempted.push(url);
    await route.abort('blockedbyclient');
  });
  // Requests the router never saw (a worker's, or one refused by CSP): the failure says which.
  context.on('requestfailed', (request) => {
    const url = request.url();
    if (isLocal(url) || routed.has(url)) return;
    if (request.failure()?.errorText === 'csp') refusedByPolicy.push(url);
    else attempted.push(url);
  });
  context.on('requestfinished', (request) => {
    if (!isLocal(request.url())) attempted.push(request.url());
  });
  return { context, attempted, refusedByPolicy, close: () => context.close() };
}
