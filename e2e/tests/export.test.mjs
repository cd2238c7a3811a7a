// Export (issue 17): every panel's Export menu lists what the panel shows and writes it as a
// file — a table or a time series as CSV, an SVG chart as SVG (valid XML, with its colours
// inlined) and as PNG, a canvas (the page map, the timeline) as PNG.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { servedBrowser, openPage, expectClean, loaded, runState } from '../lib/harness.mjs';

const env = servedBrowser();

/** Opens the Export menu of the panel titled `title`; its items' texts. */
async function menu(page, title) {
  const panel = page.locator(`section[aria-label="${title}"]`);
  await panel.getByTestId('export').click();
  await panel.getByTestId('export-item').first().waitFor();
  return { panel, labels: await panel.getByTestId('export-item').allTextContents() };
}

/** Clicks the item whose text matches `re` and returns the downloaded file's name and bytes. */
async function download(page, panel, re) {
  const item = panel.getByTestId('export-item').filter({ hasText: re }).first();
  const [dl] = await Promise.all([page.waitForEvent('download'), item.click()]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

const isPng = (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

test('panels export their tables, series, charts and drawings as files', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  await page.getByTestId('step-size').selectOption('3');
  await page.getByTestId('btn-step').click();
  await runState(page, 'paused');

  // The ledger's table as CSV: a header and a row per guest at least.
  let { panel, labels } = await menu(page, 'Overhead ledger');
  assert.ok(labels.some((l) => /\(CSV\)/.test(l)), `ledger: ${labels}`);
  let f = await download(page, panel, /\(CSV\)/);
  assert.match(f.name, /^overhead-ledger-.*\.csv$/);
  const lines = f.bytes.toString('utf8').trim().split('\n');
  assert.ok(lines.length >= 2 && lines[0].includes(','), `CSV: ${lines.slice(0, 3)}`);
  await page.keyboard.press('Escape');

  // The machine: the page map of node 0 as PNG.
  ({ panel, labels } = await menu(page, 'Machine'));
  f = await download(page, panel, /^memory of node 0 \(PNG\)$/);
  assert.equal(f.name, 'machine-memory-of-node-0.png');
  assert.ok(isPng(f.bytes), `${f.name} is a PNG`);
  await page.keyboard.press('Escape');

  // The NUMA panel's local-share chart as a time series.
  ({ panel, labels } = await menu(page, 'NUMA policy'));
  f = await download(page, panel, /local-miss share.*\(CSV\)/);
  const series = f.bytes.toString('utf8').trim().split('\n');
  assert.match(series[0], /^from_ms,to_ms,local_pct_all,local_pct_n0,local_pct_n1,remote_misses/);
  assert.ok(series.length >= 2, 'at least one interval');
  await page.keyboard.press('Escape');

  // The sharing panel's charts: SVG that parses as XML, and PNG.
  ({ panel, labels } = await menu(page, 'Memory sharing'));
  f = await download(page, panel, /\(SVG\)/);
  const ok = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return !doc.querySelector('parsererror') && doc.documentElement.nodeName === 'svg' && /fill:/.test(text);
  }, f.bytes.toString('utf8'));
  assert.ok(ok, `${f.name} is valid SVG with inline styles`);
  f = await download(page, panel, /\(PNG\)/);
  assert.ok(isPng(f.bytes), `${f.name} is a PNG`);
  expectClean(page);
  await page.close();
});
