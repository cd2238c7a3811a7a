// The browser shell: the page loads without errors, the worker completes its ready handshake,
// and run / pause / resume / step / reset round-trip through the worker (default preset).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, screenshot, valueOf, runState, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

const work = () => Number(document.querySelector('[data-testid="work"]').dataset.value);
const cycles = () => Number(document.querySelector('[data-testid="cycles"]').dataset.value);

test('page loads and the worker answers the handshake', async () => {
  const page = await openPage(env.browser, env.server.url);
  await loaded(page);
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
  const page = await openPage(env.browser, env.server.url);
  await loaded(page);
  assert.equal(await valueOf(page, 'work'), 0);

  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.waitForFunction(work);

  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  await page.waitForTimeout(200);
  const paused = await valueOf(page, 'work');
  await page.waitForTimeout(400);
  assert.equal(await valueOf(page, 'work'), paused, 'work must not advance while paused');

  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.waitForFunction((p) => Number(document.querySelector('[data-testid="work"]').dataset.value) > p, paused);
  // Space pauses (nothing focused but the page body).
  await page.locator('h1').click();
  await page.keyboard.press(' ');
  await runState(page, 'paused');
  expectClean(page);
  await page.close();
});

test('step runs the chosen number of cycles, reset returns to zero', async () => {
  const page = await openPage(env.browser, env.server.url);
  await loaded(page);
  await page.getByTestId('btn-step').click();
  await page.waitForFunction(work);
  await runState(page, 'paused');
  assert.equal(await valueOf(page, 'cycles'), 1_000_000);

  await page.getByTestId('btn-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="cycles"]').dataset.value) === 2_000_000);
  // A smaller step: 100 K cycles.
  await page.getByTestId('step-size').selectOption({ index: 1 });
  await page.getByTestId('btn-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="cycles"]').dataset.value) === 2_100_000);

  await page.getByTestId('btn-reset').click();
  await runState(page, 'idle');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="work"]').dataset.value) === 0);
  assert.equal(await page.evaluate(cycles), 0);
  expectClean(page);
  await page.close();
});

test('theme toggle switches between dark and light', async () => {
  const page = await openPage(env.browser, env.server.url);
  await loaded(page);
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
