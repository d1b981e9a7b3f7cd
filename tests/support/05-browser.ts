/**
 * Lesson 05's browser: headless Chromium from the system (never downloaded), driven by
 * playwright-core, with every request that would leave the test server blocked and recorded.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Browser, BrowserContext, LaunchOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

/** 'run' when Chromium is there; otherwise 'fail' in CI (it must really run there) or 'skip'. */
export function browserMode(env: NodeJS.ProcessEnv = process.env): 'run' | 'fail' | 'skip' {
  if (existsSync(CHROMIUM_PATH)) return 'run';
  return env.CI ? 'fail' : 'skip';
}

export const HOW_TO_ENABLE =
  `the browser tests need Chromium at ${CHROMIUM_PATH}: install it with \`sudo apt-get install chromium\` ` +
  '(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary. Never `npx playwright install`.';

/** How the suite starts Chromium, itself or kept by the guide (05-browser.kept.ts). */
export const LAUNCH_OPTIONS = {
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
} as const satisfies LaunchOptions;

/**
 * Where the Chromium the guide keeps between runs listens (a ws:// address on 127.0.0.1), set in
 * the guide's spare test worker only.
 */
export const KEPT_CHROMIUM = 'WORKBOOK_KEPT_CHROMIUM';

/**
 * A Chromium of the run's own: the guide's kept one when there is one (connecting takes
 * milliseconds, starting one a second or more), else a new one. Closing it closes every context
 * the run opened in it, as the end of the run's worker does. Playwright is loaded here, not at the
 * top: loading it takes 0.7 s, which a run whose exercise is not far enough for a browser test
 * (a stub, most saves) would pay for nothing, and the guide's spare worker does not preload it.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const kept = process.env[KEPT_CHROMIUM];
  if (kept) {
    try {
      return await chromium.connect(kept, { timeout: 5_000 });
    } catch {
      // Gone since the spare started (the guide restarts it): a browser of our own will do.
    }
  }
  return chromium.launch(LAUNCH_OPTIONS);
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

/**
 * Opens, renders and closes one small page of the test's own in a fresh context, and answers how
 * long that took (ms), or undefined when it failed (the tests then say what is wrong themselves).
 *
 * Why: the first page a new Chromium shows pays for starting a renderer process and for code and
 * files not yet in memory (measured: 0.5–1.5 s more than the next page), and on a loaded machine
 * every page is slower. Lesson 05's docs pages took ~3 s each under a load of 10–12 on two cores
 * (parsing swagger-ui-bundle.js, 1.4 MB, is most of it), where a fixed 15 s per test ran out on
 * the first, cold page. This page takes that first cost out of the tests, and its time is the
 * machine's pace right now: pageBudget() scales the tests' limits with it.
 */
export async function warmUp(browser: Browser, timeoutMs = 20_000): Promise<number | undefined> {
  const started = performance.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  try {
    context.setDefaultTimeout(timeoutMs);
    const page = await context.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title></head>' +
        '<body style="font-family: system-ui, sans-serif"><h1>Warm-up</h1><p>Some <b>text</b>, <code>code</code>.</p>' +
        '<script>document.body.append(JSON.stringify({ ready: true }))</script></body></html>',
    );
    // Layout, paint and raster: the work the first real page would otherwise pay for.
    await page.screenshot();
    return performance.now() - started;
  } catch {
    return undefined;
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Limits for one visit of the browser tests, from warmUp()'s time. */
export interface PageBudget {
  /** For the whole visit: open the page, load it with its scripts and styles, look at it. */
  totalMs: number;
  /** After the page's 'load' event, for the page's own scripts to render the document. */
  renderMs: number;
}

/**
 * 15 s per visit as before on a quiet machine; more when the warm-up showed a slow one: a docs
 * page takes about 2.5–3 times the warm-up page (measured under a load of 10–12), so 12 times the
 * warm-up leaves a wide margin. A page that never renders still fails: after its 'load' event it
 * gets renderMs, seconds, not the whole budget.
 */
export function pageBudget(warmUpMs: number | undefined): PageBudget {
  if (warmUpMs === undefined) return { totalMs: 15_000, renderMs: 10_000 };
  return {
    totalMs: Math.min(60_000, Math.max(15_000, Math.round(12 * warmUpMs))),
    renderMs: Math.min(30_000, Math.max(5_000, Math.round(4 * warmUpMs))),
  };
}
