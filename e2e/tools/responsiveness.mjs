// Measures how busy the page's main thread is while a run goes on and the views are used — a
// benchmark, not a test: its figures depend on the host, so they go to docs/ui.md ("Main thread
// while running") rather than into an assertion.
//
//   node tools/responsiveness.mjs [preset] [rounds]        (defaults: pmake-4vms 3)
//
// Needs dist/ (cargo xtask web). Each round opens a fresh page, presses Run, uses the views for
// about six seconds (the same steps as the live test) while Chrome traces, and reports the long
// tasks the Long Tasks API saw (over 50 ms), the longest main-thread task in the trace, and the
// worker's average speed.

import { serve, launch, openPage, loaded, runState, useTheViews, longTasks } from '../lib/harness.mjs';

const preset = process.argv[2] ?? 'pmake-4vms';
const rounds = Number(process.argv[3] ?? 3);

/** The longest task on the renderer's main thread in a Chrome trace, in milliseconds. */
function longestMainThreadTask(trace) {
  const events = trace.traceEvents ?? trace;
  const main = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  let longest = 0;
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`)) {
      longest = Math.max(longest, e.dur / 1000);
    }
  }
  return longest;
}

const server = await serve();
const browser = await launch();
try {
  for (let r = 1; r <= rounds; r++) {
    const page = await openPage(browser, `${server.url}?preset=${preset}`);
    await loaded(page);
    const since = await page.evaluate(() => performance.now());
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline'] });
    await page.getByTestId('btn-run').click();
    await runState(page, 'running');
    await useTheViews(page);
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const long = await longTasks(page, since);
    const mips = Number(await page.getByTestId('mips').getAttribute('data-average'));
    const longest = longestMainThreadTask(trace);
    console.log(
      `round ${r}: ${preset}: longest main-thread task ${longest.toFixed(1)} ms; ` +
        `long tasks (>50 ms) ${long.length}${long.length ? ` (${long.map((t) => t.duration.toFixed(0)).join(', ')} ms)` : ''}; ` +
        `worker ${mips} MIPS${page.errors.length ? `; page errors: ${page.errors.join(' | ')}` : ''}`,
    );
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
