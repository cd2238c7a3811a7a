// The NUMA policy switch (paper §4.2.3): under the monitor the controls offer it, it can be
// changed while the run goes on, the run then spends monitor time on the policy (the ledger's
// "NUMA policy" kind), and the URL keeps the scenario's starting value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, expectClean, loaded, runState, servedBrowser } from '../lib/harness.mjs';

const env = servedBrowser();

// engineering on 4 nodes in one 8-VCPU VM, pages placed round robin (the NUMA-unaware start):
// plenty of pages for the policy to move.
const QUERY = '?nodes=4&cpus=2&mem=32&uma=0&os=disco&vms=engineering-tiny:8:64&l2tlb=1024&slice=2000&placement=round-robin';

test('the NUMA policy switches on while running and the monitor starts moving pages', async () => {
  const page = await openPage(env.browser, `${env.server.url}${QUERY}`);
  await loaded(page);
  const select = page.getByTestId('numa-policy');
  assert.equal(await select.inputValue(), 'off');
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await select.selectOption('migrate');
  await runState(page, 'finished', 120_000);
  assert.equal(await select.inputValue(), 'migrate');
  const legend = await page.locator('.ledger-view .legend.monitor-kinds').textContent();
  const share = /NUMA policy ([\d.]+)%/.exec(legend);
  assert.ok(share, `the ledger lists the NUMA policy's monitor time: ${legend}`);
  assert.ok(Number(share[1]) > 0, `monitor time on the policy: ${share[1]}%`);
  assert.ok(!page.url().includes('numa='), 'the URL keeps the starting policy');
  expectClean(page);
  await page.close();
});

test('a native scenario offers no NUMA policy', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=pmake-native`);
  await loaded(page);
  assert.equal(await page.getByTestId('numa-policy').count(), 0);
  expectClean(page);
  await page.close();
});
