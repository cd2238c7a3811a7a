// The kernel-services panel in the browser: a shell waiting at its prompt takes a timer tick 100
// times a second, and those ticks must not be charged to the few device interrupts (INTERRUPT
// once showed tens of milliseconds per call on shell-2vms, growing as the shell waited).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, runState, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

/** Simulated cycles to wait: 20 s at the default 200 MHz clock. */
const WAIT = 4_000_000_000;

/** µs per call in each guest's INTERRUPT cell once `WAIT` cycles have run. */
async function interruptMeans(query) {
  const page = await openPage(env.browser, `${env.server.url}${query}`);
  await loaded(page);
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.waitForFunction(
    (wait) => Number(document.querySelector('[data-testid="cycles"]').dataset.value) >= wait,
    WAIT,
    { timeout: 120_000 },
  );
  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  const cells = page.getByTestId('services-table').locator('tr[data-service="INTERRUPT"] td[data-count]');
  await cells.first().waitFor();
  const means = [];
  for (const c of await cells.all()) means.push(Number((await c.textContent()).replace(/[^\d.]/g, '')));
  expectClean(page);
  await page.close();
  return means;
}

for (const [what, query] of [
  ['shell-2vms', '?preset=shell-2vms'],
  ['a native shell on 2 CPUs', '?os=native&workload=shell&nodes=1&cpus=2&mem=32'],
]) {
  test(`${what}: INTERRUPT stays microseconds per call while the shells wait`, async () => {
    const means = await interruptMeans(query);
    assert.ok(means.length > 0, "an INTERRUPT row");
    for (const us of means) assert.ok(us < 1000, `INTERRUPT ${us} µs per call: idle ticks charged to it`);
  });
}
