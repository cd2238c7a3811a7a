// The page tells the run's story (issue 15): the run's state and simulated time stay on screen
// at laptop sizes, the consoles say "not started" before Run, a finished run ends with a
// summary that links back to it, switching preset mid-run asks first, the "?" explanations
// behave as popovers, the page map and timeline work from the keyboard, typed console lines
// before Run are shown queued and come back with ArrowUp, and downloads show their bytes.
// Screenshots at 1280×720 and 1440×900 go to e2e/artifacts/ (ux-*.png).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded, runState, screenshot } from '../lib/harness.mjs';

const env = servedBrowser();
const SMALL = { width: 1280, height: 720 };
const LARGE = { width: 1440, height: 900 };

/** True if the element of `testId` lies wholly inside the window as it is scrolled now. */
async function inView(page, testId) {
  return page.getByTestId(testId).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
  });
}

/** Waits until the shown console's text matches `re`. */
async function consoleShows(page, re) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid="console-text"]').textContent),
    re.source,
    { timeout: 30_000 },
  );
}

test('at 1280×720 the status stays in the window; consoles say "not started" before Run; downloads show bytes', async () => {
  const page = await openPage(env.browser, 'about:blank', SMALL);
  // Every text the run state showed, to catch the download's progress, which passes quickly.
  await page.addInitScript(() => {
    window.__states = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="run-state"]')?.textContent;
      if (t && window.__states.at(-1) !== t) window.__states.push(t);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${env.server.url}?preset=pmake-4vms`);
  await loaded(page);
  const states = await page.evaluate(() => window.__states);
  // The guest files travel compressed (dist/assets/*.zst): pmake-4vms's are some 0.5 MB.
  assert.ok(states.some((s) => /^downloading [\d.]+ [KM]?B of [\d.]+ [KM]B$/.test(s)), `download progress shown: ${states}`);

  assert.ok(await inView(page, 'status'), 'the status strip is in the window without scrolling');
  assert.ok(await inView(page, 'run-state'));
  assert.ok(await inView(page, 'sim-time'));
  for (const tab of await page.locator('[role="tab"]').all()) {
    assert.match(await tab.textContent(), /not started/);
    assert.doesNotMatch(await tab.textContent(), /running/);
  }
  assert.equal(await page.getByTestId('run-phase').getAttribute('data-phase'), 'not started');

  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  // What the guests are doing shows in the strip: their latest console line.
  await page.waitForFunction(() => document.querySelector('[data-testid="latest-line"]')?.textContent.length > 4);
  assert.match(await page.locator('[role="tab"]').first().textContent(), /running/);
  // Scrolled down to the consoles, the strip is still there.
  await page.locator('#consoles').scrollIntoViewIfNeeded();
  assert.ok(await inView(page, 'run-state') && await inView(page, 'sim-time'), 'still in the window after scrolling');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1500);
  await screenshot(page, 'ux-1280-running.png', false);
  await page.setViewportSize(LARGE);
  await page.waitForTimeout(800);
  assert.ok(await inView(page, 'run-state') && await inView(page, 'sim-time'), 'in the window at 1440×900 too');
  await screenshot(page, 'ux-1440-running.png', false);
  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  expectClean(page);
  await page.close();
});

test('a finished run ends with a summary that reopens it, and its CPUs idle', async () => {
  for (const [size, name] of [[SMALL, 'ux-1280-summary.png'], [LARGE, 'ux-1440-summary.png']]) {
    const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`, size);
    await loaded(page);
    assert.equal(await page.getByTestId('run-summary').count(), 0, 'no summary before the end');
    await page.getByTestId('btn-run').click();
    await runState(page, 'finished', 60_000);
    const summary = page.getByTestId('run-summary');
    await summary.waitFor();
    assert.ok(await inView(page, 'run-summary'), 'the summary is in the window at the end');
    assert.equal(await summary.getAttribute('data-passed'), '2');
    for (const vm of ['vm0', 'vm1']) {
      assert.equal(await page.getByTestId(`summary-${vm}`).getAttribute('data-passed'), 'true');
      assert.match(await page.getByTestId(`summary-${vm}`).textContent(), /✓ exit 0/);
    }
    assert.match(await page.getByTestId('summary-time').textContent(), /\d (ms|s)$/);
    for (const id of ['summary-user', 'summary-guest-kernel', 'summary-monitor', 'summary-idle', 'summary-local']) {
      assert.match(await page.getByTestId(id).textContent(), /^\d+\.\d%$/, id);
    }
    assert.ok(Number(await page.getByTestId('summary-instructions').getAttribute('data-value')) > 1_000_000);
    const href = await page.getByTestId('summary-link').getAttribute('href');
    assert.equal(href, await page.evaluate(() => window.location.search), 'the link is the scenario in the URL');
    // Every guest powered off: no CPU still shows what it last ran.
    for (const cpu of await page.locator('[data-testid^="cpu-"]').all()) {
      assert.equal(await cpu.getAttribute('data-running'), 'idle');
    }
    await screenshot(page, name, false);
    if (size === SMALL) {
      // The link opens the same scenario, which runs to the same hash.
      const hash = await page.getByTestId('run-hash').getAttribute('data-value');
      await page.getByTestId('summary-link').click();
      await loaded(page);
      await page.getByTestId('btn-run').click();
      await runState(page, 'finished', 60_000);
      assert.equal(await page.getByTestId('run-hash').getAttribute('data-value'), hash);
    }
    expectClean(page);
    await page.close();
  }
});

test('switching preset during a run asks first; Cancel keeps the run', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=pmake-4vms`, SMALL);
  await loaded(page);
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  const cycles = await page.getByTestId('cycles').getAttribute('data-value');

  await page.getByTestId('preset').selectOption('db-1vm');
  const dialog = page.getByTestId('confirm-switch');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /ends and is lost/);
  await page.getByTestId('confirm-keep').click();
  assert.equal(await dialog.count(), 0);
  assert.equal(await page.getByTestId('preset').inputValue(), 'pmake-4vms', 'the picker is put back');
  assert.equal(await page.getByTestId('run-state').getAttribute('data-state'), 'paused', 'the run is kept');
  assert.equal(await page.getByTestId('cycles').getAttribute('data-value'), cycles);
  assert.match(await page.evaluate(() => window.location.search), /pmake-4vms/);

  await page.getByTestId('preset').selectOption('db-1vm');
  await page.getByTestId('confirm-load').click();
  await page.waitForFunction(() => /db-1vm/.test(window.location.search));
  await loaded(page);
  assert.equal(await page.getByTestId('preset').inputValue(), 'db-1vm');
  expectClean(page);
  await page.close();
});

test('the "?" explanations: one open at a time, Esc and a click outside close them', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`, SMALL);
  await loaded(page);
  const open = () => page.evaluate(() => [...document.querySelectorAll('details.explain')].map((d) => d.open));
  const explain = (panel) => page.locator(`section[aria-label="${panel}"] details.explain summary`);
  await explain('Machine').click();
  assert.deepEqual((await open()).filter(Boolean).length, 1);
  await explain('Overhead ledger').click();
  const now = await open();
  assert.equal(now.filter(Boolean).length, 1, 'opening one closes the other');
  assert.ok(await page.locator('section[aria-label="Overhead ledger"] details.explain').evaluate((d) => d.open));
  await page.keyboard.press('Escape');
  assert.equal((await open()).filter(Boolean).length, 0, 'Esc closes it');
  await explain('Machine').click();
  await page.locator('.topbar h1').click();
  assert.equal((await open()).filter(Boolean).length, 0, 'a click outside closes it');
  // A click inside the open explanation leaves it open.
  await explain('Machine').click();
  await page.locator('section[aria-label="Machine"] [data-testid="explain"]').click({ position: { x: 5, y: 5 } });
  assert.equal((await open()).filter(Boolean).length, 1);
  expectClean(page);
  await page.close();
});

test('the page map and the timeline work from the keyboard', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`, SMALL);
  await loaded(page);
  await page.getByTestId('btn-step').click();
  await runState(page, 'paused');
  // Tab from the Machine panel's "?" reaches the first node's page map.
  await page.locator('section[aria-label="Machine"] details.explain summary').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'pagemap-node0');
  const tip = page.getByTestId('page-tooltip');
  await tip.waitFor();
  assert.match(await tip.textContent(), /machine page 0 /);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => /machine page 2 /.test(document.querySelector('[data-testid="page-tooltip"]')?.textContent));
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /cache misses by node/.test(document.querySelector('[data-testid="page-tooltip"]')?.textContent));
  assert.doesNotMatch(await tip.textContent(), /machine page 2 /, 'down a row is another page');
  assert.ok(await page.getByTestId('pagemap-node0').getAttribute('aria-label'));
  await page.getByTestId('theme-toggle').focus();
  assert.equal(await tip.count(), 0, 'leaving the map hides the details');

  // The timeline: Tab from its window picker, then the present on CPU 0.
  await page.getByTestId('timeline-window').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'timeline-canvas');
  const seg = page.getByTestId('timeline-tooltip');
  await seg.waitFor();
  assert.match(await seg.textContent(), /^CPU 0 /);
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /^CPU 1 /.test(document.querySelector('[data-testid="timeline-tooltip"]')?.textContent ?? ''));
  expectClean(page);
  await page.close();
});

test('lines typed before Run are shown queued, then run; ArrowUp brings them back', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=shell-2vms`, SMALL);
  await loaded(page);
  const input = page.getByTestId('console-input');
  await input.fill('echo queued-line');
  await input.press('Enter');
  const queued = page.getByTestId('console-queued');
  await queued.waitFor();
  assert.match(await queued.textContent(), /1 line queued/);
  await page.getByTestId('btn-run').click();
  await runState(page, 'running');
  await consoleShows(page, /\nqueued-line\n/);
  assert.equal(await queued.count(), 0, 'nothing is queued once the run goes');
  await input.fill('echo second');
  await input.press('Enter');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'echo second');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'echo queued-line');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '', 'back at the new line');
  expectClean(page);
  await page.close();
});

test('at 1280×720: workload names fit their selects, a tooltip at the right edge opens leftwards, native kinds name no VM', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`, SMALL);
  await loaded(page);
  await page.locator('.scenario-form summary').click();
  const fits = await page.getByTestId('vm0-workload').evaluate((sel) => {
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = getComputedStyle(sel).font;
    const text = Math.max(...[...sel.options].map((o) => ctx.measureText(o.text).width));
    return { text, width: sel.clientWidth };
  });
  // The text plus the select's padding and arrow (about 28 px).
  assert.ok(fits.width >= fits.text + 28, `the longest workload (${fits.text} px) fits its select (${fits.width} px)`);
  // The form says how each chosen workload uses its CPUs, and follows a change of workload.
  const note = () => page.getByTestId('parallelism').textContent();
  assert.match(await note(), /pmake \(tiny\): a compile job per CPU/);
  assert.match(await note(), /database \(tiny\): one process/);
  await page.locator('.scenario-form').evaluate((d) => { d.open = true; });
  await page.getByTestId('vm1-workload').selectOption('raytrace-tiny');
  await page.waitForFunction(() => /raytrace \(tiny\): a thread per CPU/.test(document.querySelector('[data-testid="parallelism"]').textContent));
  assert.doesNotMatch(await note(), /database/);

  // 50 ms of simulated time fill the timeline's window up to its right edge.
  await page.getByTestId('step-size').selectOption('3');
  await page.getByTestId('btn-step').click();
  await runState(page, 'paused');
  const canvas = page.getByTestId('timeline-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  // The last few milliseconds alternate short segments and idle gaps: find a segment within
  // 60 px of the right edge (where a tooltip 360 px wide cannot open rightwards).
  for (let dx = 6; dx < 60; dx += 3) {
    await canvas.hover({ position: { x: box.width - dx, y: 10 } });
    if (await page.getByTestId('timeline-tooltip').count()) break;
  }
  const tip = await page.getByTestId('timeline-tooltip').boundingBox();
  assert.ok(tip.width > 150, `the tooltip is not squashed (${tip.width} px)`);
  assert.ok(tip.x + tip.width <= SMALL.width, 'and stays in the window');

  await page.goto(`${env.server.url}?preset=pmake-native`);
  await loaded(page);
  const kinds = await page.getByTestId('kinds-legend').textContent();
  assert.doesNotMatch(kinds, /vm0/);
  assert.match(kinds, /no stated use/);
  expectClean(page);
  await page.close();
});

test('at 1280×720 with eight VMs the kernel services scroll sideways, with shadows at the cut edge', async () => {
  const vms = Array(8).fill('pmake-tiny:1:24').join(',');
  const page = await openPage(
    env.browser,
    `${env.server.url}?nodes=4&cpus=2&mem=64&uma=0&os=disco&vms=${vms}&l2tlb=1024&slice=2000`,
    SMALL,
  );
  await loaded(page);
  // The kernels' statistics show once they have booted.
  await page.getByTestId('btn-run').click();
  const table = page.getByTestId('services-table');
  await table.waitFor({ timeout: 60_000 });
  await page.getByTestId('btn-pause').click();
  await runState(page, 'paused');
  const view = page.locator('.services-view');
  const { scrolls, background } = await view.evaluate((el) => ({
    scrolls: el.scrollWidth > el.clientWidth,
    background: getComputedStyle(el).backgroundImage,
  }));
  assert.ok(scrolls, 'eight columns do not fit: the table scrolls');
  // The cue: shadows drawn at the edges (radial gradients) under covers that scroll away.
  assert.equal((background.match(/radial-gradient/g) ?? []).length, 2, background);
  await table.scrollIntoViewIfNeeded();
  await screenshot(page, 'ux-1280-services-8vms.png', false);
  expectClean(page);
  await page.close();
});
