// Memory sharing between VMs (paper §4.2.5, Fig. 6) in the page: four VMs booting one
// copy-on-write pmake image share the disk blocks they read, so the Sharing panel shows V above
// M, copy-on-write breaks as VMs write shared pages, the most shared pages with their disk
// blocks; the page map marks shared pages and says, on hover, which block and which VMs. Every
// figure is the one `disco run` prints for the same scenario.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage, expectClean, loaded, runState, servedBrowser, valueOf, screenshot, screenshotOf,
} from '../lib/harness.mjs';

const env = servedBrowser();

// pmake-tiny in four 2-VCPU VMs on the pmake-4vms machine (4 nodes × 2 CPUs × 32 MB): the same
// sharing as the preset, in a few seconds.
const VMS = Array(4).fill('pmake-tiny:2:28').join(',');
const QUERY = `?nodes=4&cpus=2&mem=32&os=disco&vms=${VMS}`;

// What `cargo run --release -p cli -- run --query 'nodes=4&cpus=2&mem=32&os=disco&vms=
// pmake-tiny:2:28,pmake-tiny:2:28,pmake-tiny:2:28,pmake-tiny:2:28'` prints at the end:
// "memory: V 7.6 MB, M 4.5 MB, saved 3.1 MB, cow breaks 16". A change to the simulation
// that moves the golden runs may move these too: run the command and copy its line.
const CLI = { v: '7.6 MB', m: '4.5 MB', saved: '3.1 MB', breaks: 16 };

/** WCAG 2 contrast of every text in `selector` against the background it is drawn on. */
async function worstContrast(page, selector) {
  return page.evaluate((sel) => {
    const rgb = (s) => (s.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
      }
      return [255, 255, 255];
    };
    let worst = { ratio: Infinity, text: '' };
    for (const el of document.querySelectorAll(`${sel} *`)) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || el.closest('svg') || el.closest('.tip') || el.offsetParent === null) continue;
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < worst.ratio) worst = { ratio, text: el.textContent.trim().slice(0, 40) };
    }
    return worst;
  }, selector);
}

test('four VMs from one image: V above M, copy-on-write breaks, shared pages and their blocks', async () => {
  const page = await openPage(env.browser, `${env.server.url}${QUERY}`, { width: 1440, height: 1900 });
  await loaded(page);
  const panel = page.locator('section.sharing');
  assert.equal(await valueOf(page, 'sharing-cow'), 0);
  await page.getByTestId('btn-run').click();

  // V above M, and a break listed — and split in the page map (the only marks there: the
  // NUMA policy is off) — while the run goes on or once it ends.
  await page.waitForFunction(
    () => {
      const v = (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.dataset.value);
      const split = [...document.querySelectorAll('.pagemap-moves')].some((c) => Number(c.dataset.marks) > 0);
      return v('sharing-v') > v('sharing-m') && v('sharing-cow') > 0 && split
        && document.querySelector('[data-testid="cow-break"]') !== null;
    },
    null,
    { timeout: 60_000, polling: 'raf' },
  );
  await screenshotOf(page.locator('section.machine'), 'sharing-cow-split.png');
  const brk = await panel.getByTestId('cow-break').first().textContent();
  assert.match(brk, /vm\d wrote its page \d+: page \d+ (→ private copy \d+ \(node \d\)|kept: it was the last sharer); \d+ left sharing/, brk);
  await runState(page, 'finished', 120_000);

  // The figures are the command line's.
  const text = async (id) => (await page.getByTestId(id).textContent()).trim();
  assert.equal(await text('sharing-v'), CLI.v);
  assert.equal(await text('sharing-m'), CLI.m);
  assert.equal(await text('sharing-saved'), CLI.saved);
  assert.equal(await valueOf(page, 'sharing-cow'), CLI.breaks);
  assert.ok((await valueOf(page, 'sharing-hits')) > 0, 'the disk cache served reads');
  // V per VM adds up to V; each VM is named beside its colour.
  const perVm = await panel.locator('[data-testid^="sharing-v-vm"]').evaluateAll(
    (els) => els.map((e) => Number(e.dataset.value)),
  );
  assert.equal(perVm.length, 4);
  assert.equal(perVm.reduce((a, b) => a + b, 0), await valueOf(page, 'sharing-v'));
  assert.equal(await panel.getByTestId('sharing-bars').locator('rect.seg').count(), 4);
  // The saving over time was drawn, and its most is at least what is left at the end.
  assert.equal(await panel.locator('.saved-line').count(), 1);

  // The figures' terms explain themselves, their tips inside the window.
  await panel.locator('.figures .term[data-term="cow-break"]').scrollIntoViewIfNeeded();
  await panel.locator('.figures .term[data-term="cow-break"]').hover();
  const tip = panel.locator('.figures .term[data-term="cow-break"] .tip');
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.textContent(), /private copy.*§4\.2\.5/);
  const tipBox = await tip.boundingBox();
  assert.ok(tipBox.x >= 0 && tipBox.x + tipBox.width <= 1440, `the tip fits the window: ${JSON.stringify(tipBox)}`);
  await page.mouse.move(0, 0);

  // The most shared pages name their block and at least two VMs.
  const row = panel.getByTestId('shared-page').first();
  await row.waitFor();
  assert.ok(Number(await row.getAttribute('data-guests')) >= 2);
  assert.equal(await panel.getByTestId('shared-image').textContent(), 'block of pmake-tiny');
  assert.match(await row.textContent(), /sector \d+/);
  assert.match(await row.textContent(), /vm\d.*vm\d/);

  // In the page map the page is marked, and its details say the block and the sharers.
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="shared-legend"]')?.dataset.pages) > 0,
    null,
    { timeout: 10_000 },
  );
  const shared = Number(await row.getAttribute('data-page'));
  const pagesPerNode = 8192; // 32 MB per node
  const node = Math.floor(shared / pagesPerNode);
  const i = shared % pagesPerNode;
  const map = page.getByTestId(`pagemap-node${node}`);
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  const [cols, cell, width] = [128, 3, 384]; // page_map::Grid::for_pages(8192)
  const scale = box.width / width;
  await map.hover({ position: { x: ((i % cols) + 0.5) * cell * scale, y: (Math.floor(i / cols) + 0.5) * cell * scale } });
  const block = page.getByTestId('page-block');
  await block.waitFor({ timeout: 5_000 });
  assert.match(await block.textContent(), /holds disk 0 \(pmake-tiny\), sector \d+/);
  assert.match(await page.getByTestId('page-shared').textContent(), /shared copy-on-write, read-only, by vm\d(, vm\d)+/);
  await screenshot(page, 'sharing-hover.png', false);

  // Text in the panel is readable in both themes (WCAG AA, 4.5:1).
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') {
      await page.getByTestId('theme-toggle').click();
      await page.waitForTimeout(300);
    }
    const worst = await worstContrast(page, 'section.sharing');
    assert.ok(worst.ratio >= 4.5, `${theme}: "${worst.text}" at ${worst.ratio.toFixed(2)}:1`);
    // The panel's top at the window's top: the status strip, fixed at the bottom, stays off it.
    await panel.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await screenshotOf(panel, `sharing-panel-${theme}.png`);
  }
  expectClean(page);
  await page.close();
});

test('a native scenario has nothing to share, and says so', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=pmake-native`);
  await loaded(page);
  assert.match(await page.getByTestId('sharing-native').textContent(), /monitor's/);
  expectClean(page);
  await page.close();
});
