// Explanations: every panel says what it shows, with the paper's terms and sections, and a
// hovered term shows its glossary entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

test('every panel explains itself with the paper\'s sections', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  for (const name of ['Controls', 'Machine', 'NUMA policy', 'Scheduling timeline', 'Overhead ledger', 'Consoles', 'Kernel services', 'Memory sharing']) {
    const panel = page.getByRole(name === 'Controls' ? 'complementary' : 'region', { name });
    await panel.locator('summary[aria-label="What am I looking at?"]').click();
    const text = await panel.getByTestId('explain').textContent();
    assert.match(text, /§\d/, `${name} cites the paper`);
    assert.ok(text.length > 200, `${name} explains in a paragraph`);
    await panel.locator('summary[aria-label="What am I looking at?"]').click();
  }
  expectClean(page);
  await page.close();
});

test('hovering a term shows its glossary entry', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`);
  await loaded(page);
  const ledger = page.getByRole('region', { name: 'Overhead ledger' });
  const term = ledger.locator('caption .term[data-term="l2tlb"]');
  const tip = term.locator('.tip');
  assert.equal(await tip.isVisible(), false);
  await term.hover();
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.textContent(), /second-level software TLB.*§4\.2\.2/);
  // In an explanation: the pmap.
  const machine = page.getByRole('region', { name: 'Machine' });
  await machine.locator('summary[aria-label="What am I looking at?"]').click();
  const pmap = machine.locator('.term[data-term="pmap"]');
  await pmap.hover();
  await pmap.locator('.tip').waitFor({ state: 'visible' });
  assert.match(await pmap.locator('.tip').textContent(), /guest-physical pages to machine pages/);
  // The glossary lists every term.
  await page.getByRole('region', { name: 'Glossary' }).locator('summary').click();
  assert.ok((await page.locator('.glossary dt').count()) >= 20);
  expectClean(page);
  await page.close();
});
