// A SPLASHOS VM is explained where it shows: the ledger says why its time is all "guest kernel"
// (the program runs in the guest's privileged mode), and the kernel-services panel says SPLASHOS
// keeps no statistics instead of waiting for them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

test('radix-splashos: the ledger explains the kernel time and the services panel does not wait', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=radix-splashos`);
  await loaded(page);
  const note = page.getByTestId('ledger-note');
  await note.waitFor({ state: 'attached' });
  assert.match(await note.textContent(), /^vm0 runs SPLASHOS.*no user\/kernel split/);
  const empty = page.getByTestId('services-empty');
  await empty.waitFor({ state: 'attached' });
  assert.match(await empty.textContent(), /^SPLASHOS keeps no kernel statistics/);
  expectClean(page);
  await page.close();
});
