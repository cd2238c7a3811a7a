// The browser shell: the page loads without errors, the worker completes its ready handshake,
// and run / pause / resume / step / reset round-trip through the worker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, expectClean, numberOf, screenshot } from '../lib/harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function ready(page) {
  await page.locator('[data-testid="worker-status"][data-state="ready"]').waitFor({ timeout: 20_000 });
  // The default scenario is fetched and booted: the run state leaves "loading".
  await page.locator('[data-testid="run-state"][data-state="idle"]').waitFor({ timeout: 30_000 });
}

async function runState(page, state) {
  await page.locator(`[data-testid="run-state"][data-state="${state}"]`).waitFor({ timeout: 10_000 });
}

test('page loads and the worker answers the handshake', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  assert.match(await page.locator('h1').textContent(), /Disco in the browser/);
  assert.match(await page.getByTestId('worker-status').textContent(), /sim v\d+\.\d+\.\d+/);
  for (const title of ['Machine', 'Scheduling timeline', 'Overhead ledger', 'Consoles']) {
    assert.equal(await page.getByRole('region', { name: title }).count(), 1, `panel ${title}`);
  }
  await screenshot(page, 'shell.png');
  expectClean(page);
  await page.close();
});

test('run, pause and resume round-trip through the worker', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  assert.equal(await numberOf(page, 'work'), 0);

  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="work"]').textContent) > 0);

  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  const paused = await numberOf(page, 'work');
  await page.waitForTimeout(400);
  assert.equal(await numberOf(page, 'work'), paused, 'work must not advance while paused');

  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.waitForFunction(
    (p) => Number(document.querySelector('[data-testid="work"]').textContent) > p,
    paused,
  );
  // Space pauses (nothing focused but the page body).
  await page.locator('h1').click();
  await page.keyboard.press(' ');
  await runState(page, 'paused');
  expectClean(page);
  await page.close();
});

test('step runs a fixed number of cycles, reset returns to zero', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await page.getByTestId('btn-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="work"]').textContent) > 0);
  await runState(page, 'paused');
  assert.equal(await numberOf(page, 'cycles'), 1_000_000);

  await page.getByTestId('btn-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="cycles"]').textContent) === 2_000_000);

  await page.getByTestId('btn-reset').click();
  await runState(page, 'idle');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="work"]').textContent) === 0);
  expectClean(page);
  await page.close();
});

test('theme toggle switches between dark and light', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByTestId('theme-toggle').click();
  const afterToggle = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.notEqual(afterToggle, before);
  assert.ok(['dark', 'light'].includes(afterToggle));
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByTestId('theme-toggle').click();
  const bg2 = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, bg2, 'the background colour follows the theme');
  expectClean(page);
  await page.close();
});
