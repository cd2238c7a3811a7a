// A/B compare mode: two scenarios in two workers, advanced together in simulated time and shown
// side by side with the difference B − A. The pair lives in the URL (?a=…&b=…, each side a
// scenario as the single view's URL has it, percent-encoded), so a link reproduces it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, expectClean, loaded, runState, servedBrowser, screenshot } from '../lib/harness.mjs';

const env = servedBrowser();

// The quickest preset (two small VMs on a two-node machine), with the NUMA policy off (A) and on
// (B).
const A = 'preset=tiny-2vms';
const B = 'preset=tiny-2vms&numa=both';
const PAIR = `?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`;

const side = (page, s) => page.getByTestId(`compare-${s}`);

async function sideState(page, s, state, timeout = 60_000) {
  await side(page, s).locator(`[data-testid="side-state"][data-state="${state}"]`).waitFor({ timeout });
}

async function cycleOf(page, s) {
  return Number(await side(page, s).getByTestId('side-cycle').getAttribute('data-value'));
}

async function hashOf(page, s) {
  return side(page, s).getByTestId('side-hash').getAttribute('data-value');
}

/** Opens the pair, waits for both boots, runs both to the end; resolves to their hashes. */
async function runPair(page, check) {
  await sideState(page, 'a', 'idle');
  await sideState(page, 'b', 'idle');
  await page.getByTestId('compare-run').click();
  if (check) await check();
  await sideState(page, 'a', 'finished', 180_000);
  await sideState(page, 'b', 'finished', 180_000);
  await page.locator('[data-testid="compare-state"][data-state="both finished"]').waitFor({ timeout: 10_000 });
  return [await hashOf(page, 'a'), await hashOf(page, 'b')];
}

let first;

test('two scenarios run in lockstep, side by side, with the difference highlighted', async () => {
  const page = await openPage(env.browser, `${env.server.url}${PAIR}`, { width: 1280, height: 900 });
  await sideState(page, 'a', 'idle');
  await sideState(page, 'b', 'idle');
  assert.match(await side(page, 'a').getByTestId('side-scenario').textContent(), /tiny-2vms/);
  assert.match(await side(page, 'b').getByTestId('side-scenario').textContent(), /NUMA both/);
  first = await runPair(page, async () => {
    // Both sides advance, and neither runs ahead of the other by more than the step under way.
    await page.waitForFunction(() => {
      const c = (s) => Number(document.querySelector(`[data-testid="compare-${s}"] [data-testid="side-cycle"]`)?.dataset.value);
      return c('a') > 2_000_000 && c('b') > 2_000_000;
    }, null, { timeout: 60_000 });
    await page.getByTestId('compare-pause').click();
    await sideState(page, 'a', 'paused');
    await sideState(page, 'b', 'paused');
    const head = page.getByTestId('compare');
    const [from, target] = [Number(await head.getAttribute('data-from')), Number(await head.getAttribute('data-target'))];
    const [a, b] = [await cycleOf(page, 'a'), await cycleOf(page, 'b')];
    assert.ok(a >= from && b >= from, `both reached the step's start ${from}: A ${a}, B ${b}`);
    assert.ok(Math.abs(a - b) <= target - from + 100_000, `A at ${a}, B at ${b}, one step is ${target - from} cycles`);
    // The diff is there while running: local misses in percentage points, in words too.
    const local = page.locator('[data-testid="diff-row"][data-key="local-share"]');
    assert.match(await local.getByTestId('diff-value').textContent(), /^([+−]\d+\.\d pts|±0\.0 pts|—)$/);
    await page.getByTestId('compare-run').click();
  });
  assert.match(first[0], /^[0-9a-f]{16}$/);
  assert.match(first[1], /^[0-9a-f]{16}$/);

  // Once both finished the run time is compared, with sign, colour class and words.
  const time = page.locator('[data-testid="diff-row"][data-key="run-time"]');
  const tone = await time.getAttribute('data-tone');
  const words = await time.locator('td.words').textContent();
  const delta = await time.getByTestId('diff-value').textContent();
  assert.match(words, /B [\d.]+% (faster|slower)|the same/, words);
  assert.ok(['better', 'worse', 'same'].includes(tone), tone);
  assert.match(delta, /^[+−±][\d.]+ ms$/, delta);
  for (const key of ['local-share', 'monitor-time', 'memory', 'migrations', 'replications', 'saved']) {
    assert.equal(await page.locator(`[data-testid="diff-row"][data-key="${key}"]`).count(), 1, key);
  }
  // Each side shows the single view's panels, fed with its own run.
  for (const s of ['a', 'b']) {
    for (const panel of ['ledger', 'numa', 'sharing', 'timeline', 'machine']) {
      assert.equal(await side(page, s).locator(`section.panel.${panel}`).count(), 1, `${s}: ${panel}`);
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'compare-1280.png');
  expectClean(page);
  await page.close();
});

test('the same pair again gives the same hashes, and A the hash of its single run', async () => {
  assert.ok(first, 'the first test ran');
  const page = await openPage(env.browser, `${env.server.url}${PAIR}`);
  assert.deepEqual(await runPair(page), first);
  expectClean(page);
  await page.close();

  const single = await openPage(env.browser, `${env.server.url}?${A}`);
  await loaded(single);
  await single.getByTestId('btn-run').click();
  await runState(single, 'finished', 120_000);
  assert.equal(await single.getByTestId('run-hash').getAttribute('data-value'), first[0]);
  expectClean(single);
  await single.close();
});

test('a bad b= is explained in the form\'s words and the comparison still opens', async () => {
  const bad = `?a=${encodeURIComponent(A)}&b=${encodeURIComponent('preset=tiny-2vms&nodes=banana')}`;
  const page = await openPage(env.browser, `${env.server.url}${bad}`);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 10_000 });
  const text = await banner.textContent();
  assert.match(text, /Scenario B \(b=\) in the URL is not valid/, text);
  assert.match(text, /Nodes: "banana" is not a number/, text);
  await sideState(page, 'a', 'idle');
  await sideState(page, 'b', 'idle');
  expectClean(page);
  await page.close();
});

test('Compare opens from the single view with a sensible B, and the way back restores A', async () => {
  const page = await openPage(env.browser, `${env.server.url}?${A}`);
  await loaded(page);
  await page.getByTestId('compare-open').click();
  await sideState(page, 'a', 'idle');
  await sideState(page, 'b', 'idle');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('a'), A);
  assert.match(url.searchParams.get('b'), /numa=both/, 'B: the same with the NUMA policy on');
  assert.match(await side(page, 'b').getByTestId('side-scenario').textContent(), /NUMA both/);
  // A preset picked for one side loads there.
  await page.getByTestId('compare-preset-b').selectOption('smoke-native');
  await side(page, 'b').getByTestId('side-scenario').filter({ hasText: 'smoke-native' }).waitFor({ timeout: 60_000 });
  await sideState(page, 'b', 'idle');
  assert.equal(new URL(page.url()).searchParams.get('b'), 'preset=smoke-native');
  await page.getByTestId('compare-back').click();
  await loaded(page);
  assert.equal(new URL(page.url()).search, `?${A}`);
  expectClean(page);
  await page.close();
});
