// The browser column of `cargo xtask bench`: runs scenarios in the simulator's web worker under
// headless Chromium for a number of machine cycles and prints, per scenario, one JSON line
// {"name", "cycle", "instructions", "ms"}.
//
//   node tools/bench.mjs CYCLES SCENARIO.json [SCENARIO.json ...]
//
// Each file holds a scenario as `disco run --print-scenario` writes it (the xtask writes them
// from the presets). Needs dist/ (`cargo xtask web`); DIST_DIR overrides where it is.
//
// The worker is driven directly, as the page's bridge drives it, from a blank page of the same
// origin: no app, no drawing on the main thread, so the figure is the worker's own speed. After
// `Load` (fetch, expand, boot: not timed) one `RunUntil { cycle: CYCLES }` runs it; the time is
// from sending that command to the worker's `Reached` (or `Finished`, if every guest powered off
// first), and the instructions are those of the last frame minus those at the start. The worker
// runs its usual slices (about 8 ms each, yielding between them) and posts its usual frames, as
// it does for the page.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { serve, launch } from '../lib/harness.mjs';

const usage = 'usage: node tools/bench.mjs CYCLES SCENARIO.json [SCENARIO.json ...]';
const [cyclesArg, ...files] = process.argv.slice(2);
const cycles = Number(cyclesArg);
if (!Number.isSafeInteger(cycles) || cycles <= 0 || files.length === 0) {
  console.error(usage);
  process.exit(2);
}

/** Runs `scenario` in a fresh worker of the page for `cycles`; what it measured. */
async function measure(page, scenario) {
  return page.evaluate(async ({ scenario, cycles }) => {
    const worker = new Worker('./worker_loader.js');
    const seen = [];
    let wake = null;
    worker.onmessage = (e) => {
      seen.push(e.data);
      if (wake) wake();
    };
    worker.onerror = (e) => {
      seen.push({ type: 'Error', message: `worker error: ${e.message}` });
      if (wake) wake();
    };
    // The next event that `pred` accepts (events are consumed in order); an Error or a refused
    // scenario ends the measurement.
    const until = async (pred, what, ms) => {
      const deadline = performance.now() + ms;
      for (;;) {
        while (seen.length) {
          const ev = seen.shift();
          if (ev.type === 'Frame') last = ev;
          if (ev.type === 'Error') throw new Error(`worker: ${ev.message}`);
          if (ev.type === 'BadScenario') throw new Error(`scenario refused: ${JSON.stringify(ev)}`);
          if (pred(ev)) return ev;
        }
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}`);
        await new Promise((ok) => {
          wake = ok;
          setTimeout(ok, Math.min(left, 1000));
        });
        wake = null;
      }
    };
    let last = null;
    try {
      await until((ev) => ev.type === 'Ready', 'the worker to start', 60_000);
      worker.postMessage({ type: 'Load', scenario });
      await until((ev) => ev.type === 'State' && ev.state === 'Idle', 'the scenario to boot', 300_000);
      await until((ev) => ev.type === 'Frame', 'the first frame', 60_000);
      const start = last;
      const t0 = performance.now();
      worker.postMessage({ type: 'RunUntil', cycle: BigInt(cycles) });
      const end = await until(
        (ev) => ev.type === 'Reached' || (ev.type === 'State' && ev.state === 'Finished'),
        `cycle ${cycles}`,
        3_600_000,
      );
      const ms = performance.now() - t0;
      // Reached follows its frame; Finished precedes the final one.
      if (end.type === 'State') await until((ev) => ev.type === 'Frame', 'the final frame', 60_000);
      return {
        cycle: Number(last.cycle),
        instructions: Number(last.instructions) - Number(start.instructions),
        ms,
      };
    } finally {
      worker.terminate();
    }
  }, { scenario, cycles });
}

const server = await serve();
const browser = await launch();
let failed = false;
try {
  for (const file of files) {
    const scenario = JSON.parse(await readFile(file, 'utf8'));
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // A blank document of the app's origin (answered here, not by the server), so the worker
    // script and its assets/ resolve as they do for the app, and the app itself does not start.
    // Its empty icon keeps Chromium from asking the server for a favicon it does not have.
    await page.route('**/bench-blank-page', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title><link rel="icon" href="data:,">' }),
    );
    await page.goto(`${server.url}bench-blank-page`);
    try {
      const r = await measure(page, scenario);
      if (errors.length) throw new Error(errors.join('\n'));
      console.log(JSON.stringify({ name: scenario.name ?? basename(file), ...r }));
    } catch (e) {
      console.error(`${basename(file)}: ${e.message ?? e}`);
      failed = true;
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
