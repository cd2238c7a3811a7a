// The scenario lives in the URL: choosing a preset or editing the scenario rewrites the address,
// reloading it restores the scenario, and a malformed parameter shows a message and falls back to
// a preset instead of leaving a blank page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

const tabs = (page) => page.locator('[role="tab"]').count();

test('a chosen preset goes into the URL and a reload restores it', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  await page.getByTestId('preset').selectOption('pmake-4vms');
  await page.waitForURL(/\?preset=pmake-4vms$/);
  await page.waitForFunction(() => document.querySelectorAll('[role="tab"]').length === 4, null, { timeout: 30_000 });
  await page.reload();
  await loaded(page);
  assert.equal(await page.getByTestId('preset').inputValue(), 'pmake-4vms');
  assert.equal(await tabs(page), 4);
  assert.equal(await page.locator('[data-testid^="node-"]').count(), 4, 'four nodes drawn');
  expectClean(page);
  await page.close();
});

test('an edited scenario is validated, goes into the URL and survives a reload', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  // Three VMs of 24 MB do not fit in 2 x 32 MB: the form says which field and refuses to load.
  await page.getByTestId('vms').fill('3');
  await page.getByTestId('vms').press('Tab');
  await page.getByTestId('form-error').waitFor();
  assert.match(await page.getByTestId('form-error').textContent(), /^VMs: .*MB/);
  assert.ok(await page.getByTestId('apply').isDisabled());
  // More memory per node makes it fit.
  await page.getByTestId('mem').fill('48');
  await page.getByTestId('mem').press('Tab');
  assert.equal(await page.getByTestId('form-error').count(), 0);
  // And another interleaving of the same work.
  await page.getByTestId('seed').fill('42');
  await page.getByTestId('seed').press('Tab');
  await page.getByTestId('apply').click();
  await page.waitForURL(/mem=48/);
  assert.match(page.url(), /vms=pmake-tiny:1:24,db-tiny:1:24,db-tiny:1:24/);
  assert.match(page.url(), /seed=42/);
  await page.waitForFunction(() => document.querySelectorAll('[role="tab"]').length === 3, null, { timeout: 30_000 });
  await page.reload();
  await loaded(page);
  assert.equal(await tabs(page), 3);
  assert.equal(await page.getByTestId('mem').inputValue(), '48');
  assert.equal(await page.getByTestId('seed').inputValue(), '42');
  assert.equal(await page.getByTestId('preset').inputValue(), '', 'a custom scenario');
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  expectClean(page);
  await page.close();
});

test('a malformed URL parameter shows a message and falls back to the preset', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms&nodes=banana`);
  await loaded(page);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Nodes: "banana" is not a number/);
  assert.match(await banner.textContent(), /tiny-2vms/);
  assert.equal(await page.getByTestId('preset').inputValue(), 'tiny-2vms');
  assert.equal(await tabs(page), 2);
  for (const title of ['Machine', 'Scheduling timeline', 'Overhead ledger', 'Consoles']) {
    assert.equal(await page.getByRole('region', { name: title }).count(), 1, `panel ${title}`);
  }
  // An unknown parameter without a preset: the default preset, and the message names it.
  await page.goto(`${env.server.url}?colour=red`);
  await loaded(page);
  assert.match(await page.getByTestId('error-banner').textContent(), /colour: unknown parameter/);
  assert.equal(await page.getByTestId('preset').inputValue(), 'pmake-4vms');
  expectClean(page);
  await page.close();
});

test('a URL scenario beyond the machine falls back to the preset too', async () => {
  // Each field parses, but 8 nodes of 256 MB exceed the machine's physical address map: the
  // scenario's validation (not the machine, later) names the field and the limit.
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms&nodes=8&mem=256`);
  await loaded(page);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(
    await banner.textContent(),
    /MB per node: 256 MB x 8 nodes is 2048 MB; the machine holds at most 448 MB\. Showing.*tiny-2vms/,
  );
  assert.equal(await page.getByTestId('preset').inputValue(), 'tiny-2vms');
  assert.equal(await tabs(page), 2);
  expectClean(page);
  await page.close();
});
