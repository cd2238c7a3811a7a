// The Paper view (issue 17): every figure the build ships renders with both series (ours and
// the paper's), the others say how to measure them, the download links serve the CLI's files
// (the CSV parses with its header, the SVG is well-formed XML), and "Run it live" loads the
// run's scenario into the simulator. Screenshot: e2e/artifacts/paper-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded, screenshot } from '../lib/harness.mjs';

const env = servedBrowser();

test('the Paper view shows each shipped figure beside the paper and runs one live', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  await page.getByTestId('paper-toggle').click();
  await page.getByTestId('paper-view').waitFor();
  assert.match(page.url(), /#paper$/, 'the address says the view is open');
  const shipped = await page.evaluate(async () => (await fetch('results/index.json')).json());
  assert.ok(shipped.length >= 3, `results shipped: ${shipped}`);
  for (const name of ['fig5', 'table2', 'fig6', 'fig7', 'fig8']) {
    await page.getByTestId(`paper-tab-${name}`).click();
    const figure = page.getByTestId('paper-figure');
    if (!shipped.includes(name)) {
      await page.getByTestId('paper-missing').waitFor();
      assert.match(await page.getByTestId('paper-missing').textContent(), new RegExp(`disco experiment ${name}`));
      continue;
    }
    await figure.getByTestId('paper-table').waitFor();
    const ours = await figure.getByTestId('bar-ours').count();
    const paper = await figure.getByTestId('bar-paper').count();
    assert.ok(ours > 0 && paper > 0, `${name}: both series drawn (${ours} ours, ${paper} paper)`);
    // The files behind the figure: the CSV with the experiments' header, the SVG as XML.
    const files = await page.evaluate(async (n) => {
      const csv = await (await fetch(`results/${n}.csv`)).text();
      const svg = await (await fetch(`results/${n}.svg`)).text();
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      return { head: csv.split('\n')[0], rows: csv.trim().split('\n').length, xml: !doc.querySelector('parsererror'), root: doc.documentElement.nodeName };
    }, name);
    assert.equal(files.head, 'figure,config,metric,ours,paper', `${name}.csv`);
    assert.ok(files.rows > 1, `${name}.csv has rows`);
    assert.ok(files.xml && files.root === 'svg', `${name}.svg is valid XML`);
    if (name === 'fig8') await screenshot(page, 'paper-fig8.png');
  }

  // Run one of Fig. 8's runs live: the view closes and the simulator loads its scenario.
  await page.getByTestId('paper-tab-fig8').click();
  const run = page.getByTestId('paper-run-live').first();
  const title = await run.getAttribute('title');
  await run.click();
  await page.getByTestId('paper-view').waitFor({ state: 'detached' });
  await loaded(page);
  assert.match(title, /fig8/);
  assert.match(decodeURIComponent(page.url()), /workload=|vms=|preset=/, 'the scenario is in the address');
  assert.doesNotMatch(page.url(), /#paper/);
  expectClean(page);
  await page.close();
});
