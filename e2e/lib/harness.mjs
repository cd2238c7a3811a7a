// Shared harness of the browser tests: serve the built app (dist/) on a free localhost port and
// drive Debian's Chromium through playwright-core. Every page records page errors and console
// errors; tests end with `expectClean(page)` so that any error fails them.

import { createServer } from 'node:http';
import { before, after } from 'node:test';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Directory of the built app: $DIST_DIR or ../dist. */
export const distDir = resolve(process.env.DIST_DIR ?? join(import.meta.dirname, '..', '..', 'dist'));

/** Where tests leave screenshots and other artifacts. */
export const artifactsDir = resolve(join(import.meta.dirname, '..', 'artifacts'));

/** Serves `dir` on 127.0.0.1 and a free port. Resolves to { url, close }. */
export async function serve(dir = distDir) {
  await stat(join(dir, 'index.html')).catch(() => {
    throw new Error(`${dir}/index.html is missing: run \`cargo xtask web\` first`);
  });
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, rel);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      // Content-Length as static servers send it, for HEAD too: the worker shows the
      // download's bytes of this total.
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium with the flags this machine needs (see TOOLCHAIN.md). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Extra flags for profiling runs (CHROMIUM_EXTRA="--js-flags=--prof ..."), split on white space.
      ...(process.env.CHROMIUM_EXTRA ?? '').split(/\s+/).filter(Boolean),
    ],
  });
}

/** Opens a page that records errors in `page.errors` and long main-thread tasks (over 50 ms, the
 * Long Tasks API's threshold) in `window.__longTasks`; `viewport` defaults to 1366×860. */
export async function openPage(browser, url, viewport = { width: 1366, height: 860 }) {
  const page = await browser.newPage({ viewport });
  await page.addInitScript(() => {
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      window.__longTasks = null;
    }
  });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

/** Fails if the page logged any error. */
export function expectClean(page) {
  assert.deepEqual(page.errors, [], 'the page logged errors');
}

/** Long tasks (over 50 ms) the page's main thread ran since `since` (performance.now() ms). */
export async function longTasks(page, since = 0) {
  const all = await page.evaluate(() => window.__longTasks);
  assert.ok(Array.isArray(all), 'the Long Tasks API is available');
  return all.filter((t) => t.start >= since);
}

/** The `data-value` of a test id, as a number (the status bar's counters carry their raw value
 * there; their text is formatted for reading). */
export async function valueOf(page, testId) {
  const v = Number(await page.getByTestId(testId).getAttribute('data-value'));
  assert.ok(Number.isFinite(v), `${testId} has a numeric data-value`);
  return v;
}

/** Waits until the run state shown is `state`. */
export async function runState(page, state, timeout = 15_000) {
  await page.locator(`[data-testid="run-state"][data-state="${state}"]`).waitFor({ timeout });
}

/** Waits for the worker's handshake and the scenario's boot (run state idle). */
export async function loaded(page) {
  await page.locator('[data-testid="worker-status"][data-state="ready"]').waitFor({ timeout: 20_000 });
  await runState(page, 'idle', 60_000);
}

/** Reads a number from the text of a test id. */
export async function numberOf(page, testId) {
  const text = await page.getByTestId(testId).textContent();
  const n = Number(text.replace(/[^0-9]/g, ''));
  assert.ok(Number.isFinite(n), `${testId} shows "${text}"`);
  return n;
}

/** Saves a screenshot under e2e/artifacts/ (the whole page, or with `fullPage` false only what
 * the window shows). */
export async function screenshot(page, name, fullPage = true) {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, name);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Saves a screenshot of one element (a panel) under e2e/artifacts/. */
export async function screenshotOf(locator, name) {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, name);
  await locator.screenshot({ path });
  return path;
}

/** Waits until the `data-value` of a test id is at least `min`; resolves to the value. */
export async function valueAtLeast(page, testId, min, timeout = 60_000) {
  await page.waitForFunction(
    ([id, min]) => Number(document.querySelector(`[data-testid="${id}"]`)?.dataset.value) >= min,
    [testId, min],
    { timeout },
  );
  return valueOf(page, testId);
}

/**
 * Serves dist/ and launches Chromium once for a test file (node:test before/after hooks);
 * returns the object whose `server` and `browser` the tests use.
 */
export function servedBrowser() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await serve();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Uses the views of a running page as a student would for about six seconds: hovers pages and
 * timeline segments, turns heat on and off, switches console tab, timeline window and theme (it
 * ends in the dark theme). Shared by the live test (which checks that it all works) and
 * tools/responsiveness.mjs (which measures the main thread's tasks meanwhile).
 */
export async function useTheViews(page) {
  await page.waitForTimeout(1500);
  for (let i = 0; i < 20; i++) {
    await page.getByTestId(`pagemap-node${i % 4}`).hover({ position: { x: 5 + i * 7, y: 4 + i } });
    await page.waitForTimeout(40);
  }
  await page.getByTestId('heat-toggle').check();
  await page.waitForTimeout(1200);
  await page.getByTestId('pagemap-node1').hover({ position: { x: 10, y: 5 } });
  await page.getByTestId('heat-toggle').uncheck();
  // The third console tab (vm2 of four VMs), or the last one of fewer.
  const tabs = page.locator('[role="tab"]');
  await tabs.nth(Math.min(2, (await tabs.count()) - 1)).click();
  await page.getByTestId('timeline-window').selectOption('3');
  await page.getByTestId('timeline-canvas').hover({ position: { x: 300, y: 30 } });
  await page.waitForTimeout(1000);
  await page.getByTestId('timeline-window').selectOption('0');
  await page.getByTestId('theme-toggle').click();
  await page.waitForTimeout(800);
}
