// The NUMA policy (paper §4.2.3) in the page: under the monitor the controls offer its switch and
// thresholds, which can change while the run goes on; the run then spends monitor time on the
// policy (the ledger's "NUMA policy" kind), the URL keeps the scenario's starting value, and the
// NUMA panel and the page map show what the policy does and why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage, expectClean, loaded, runState, servedBrowser, valueOf, valueAtLeast, screenshot,
  screenshotOf,
} from '../lib/harness.mjs';

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

// The NUMA panel (paper §4.2.3) on the engineering-numa preset: engineering in one 8-VCPU VM
// whose pages start round robin over 4 nodes, so the policy has pages to move.
test('the NUMA panel shows the policy at work, with causes in words; switched off, it stops', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=engineering-numa`);
  await loaded(page);
  const panel = page.locator('section.numa');
  assert.equal(await valueOf(page, 'numa-migrations'), 0);
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');

  // Migrations appear in the figures and in the list, each saying why from the counters.
  await valueAtLeast(page, 'numa-migrations', 5);
  const migrate = panel.locator('[data-testid="numa-event"][data-action="migrate"]');
  await migrate.first().waitFor({ timeout: 20_000 });
  const why = await migrate.first().getByTestId('numa-why').textContent();
  assert.match(why, /^node \d+ took \d+ of \d+ misses? in the interval, \d+ writes? → migrate node \d+ → \d+/, why);
  // Replications only if this run makes some (the preset's mode may be migrate only).
  if ((await valueOf(page, 'numa-replications')) > 0) {
    const replicate = panel.locator('[data-testid="numa-event"][data-action="replicate"] [data-testid="numa-why"]');
    for (const w of await replicate.allTextContents()) {
      assert.match(w, /^nodes [\d, and]+ (both )?(read|use) it \(.*misses\), \d+ writes? → replicate on node \d+$/, w);
    }
  }
  assert.ok((await valueOf(page, 'numa-local-share')) > 0, 'local misses counted');

  // The page map shows moves as they happen: rings where pages arrive and leave.
  await page.waitForFunction(
    () => [...document.querySelectorAll('.pagemap-moves')].some((c) => Number(c.dataset.marks) > 0),
    null,
    { timeout: 20_000 },
  );

  // Screenshots while pages move: the NUMA panel, and the page map with its fading rings.
  await page.waitForTimeout(400);
  await screenshotOf(panel, 'numa-panel.png');
  await screenshotOf(page.locator('section.machine'), 'numa-page-map.png');

  // Paused, a click on the newest migration marks its machine page in the page map, and the
  // page's details list its latest move and why.
  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  const newest = migrate.first();
  const moved = Number(await newest.getAttribute('data-page'));
  await newest.click();
  await page.locator(`[data-selected="${moved}"]`).waitFor({ timeout: 5_000 });
  assert.match(await newest.getAttribute('class'), /selected/);
  const pagesPerNode = 8192; // engineering-numa: 32 MB per node
  const node = Math.floor(moved / pagesPerNode);
  const i = moved % pagesPerNode;
  const map = page.getByTestId(`pagemap-node${node}`);
  const box = await map.boundingBox();
  const [cols, cell, width] = [128, 3, 384]; // page_map::Grid::for_pages(8192)
  const scale = box.width / width;
  await map.hover({ position: { x: ((i % cols) + 0.5) * cell * scale, y: (Math.floor(i / cols) + 0.5) * cell * scale } });
  const moves = page.getByTestId('page-moves');
  await moves.waitFor({ timeout: 5_000 });
  assert.match(await moves.textContent(), /migrate: node \d+ took .* → migrate node \d+ → \d+/);
  await screenshot(page, 'numa-selected.png');

  // A threshold in words: a bad value is refused with a message, a good one accepted.
  const trigger = page.getByTestId('numa-trigger');
  await trigger.fill('0');
  await trigger.press('Enter');
  const error = page.getByTestId('numa-threshold-error');
  await error.waitFor();
  assert.match(await error.textContent(), /^The trigger threshold must be between 1 and \d+ .*; 0 is not\.$/);
  await trigger.fill('64');
  await trigger.press('Enter');
  await error.waitFor({ state: 'detached' });

  // Off: the policy stops acting. Compare two readings some simulated time apart, the first
  // taken once the switch has surely reached the worker (an action in flight may still land).
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.getByTestId('numa-policy').selectOption('off');
  await panel.locator('[data-testid="numa-event"][data-action="policy"]').first().waitFor({ timeout: 20_000 });
  const at = await valueOf(page, 'cycles');
  await valueAtLeast(page, 'cycles', at + 10_000_000);
  const before = { m: await valueOf(page, 'numa-migrations'), r: await valueOf(page, 'numa-replications') };
  const from = await valueOf(page, 'cycles');
  await valueAtLeast(page, 'cycles', from + 60_000_000, 120_000);
  const after = { m: await valueOf(page, 'numa-migrations'), r: await valueOf(page, 'numa-replications') };
  assert.deepEqual(after, before, 'no migration or replication in 60 M cycles with the policy off');
  // Every migration went to some node: the nodes' "moved in" add up to the total.
  const movedIn = await panel.locator('tr[data-moved-in]').evaluateAll(
    (rows) => rows.reduce((sum, r) => sum + Number(r.dataset.movedIn), 0),
  );
  assert.equal(movedIn, after.m, 'migrations per node add up to the total');
  expectClean(page);
  await page.close();
});
