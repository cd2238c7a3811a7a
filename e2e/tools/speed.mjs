// Measures how fast the simulation runs in the browser's worker, against the native command line
// on the same scenario and the same number of machine cycles, alternating the two runs so that
// other load on the machine affects both alike.
//
//   node tools/speed.mjs [preset] [cycles] [rounds]       (defaults: pmake-4vms 300000000 2)
//
// Needs dist/ (cargo xtask web) and target/release/disco (cargo build --release -p cli). The
// browser's figure is instructions per wall second from pressing Run to the first frame at or
// past `cycles`, read from the page's status bar (so it includes everything the page does while
// the run is drawn); the native one is what `disco run --max-cycles` reports.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { serve, launch, openPage } from '../lib/harness.mjs';

const preset = process.argv[2] ?? 'pmake-4vms';
const cycles = Number(process.argv[3] ?? 300_000_000);
const rounds = Number(process.argv[4] ?? 2);
const root = join(import.meta.dirname, '..', '..');

function native() {
  // (It exits non-zero when the run does not finish within the cycles; that is expected.)
  const run = spawnSync(join(root, 'target/release/disco'), ['run', '--preset', preset, '--max-cycles', String(cycles)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = `${run.stdout}${run.stderr}`;
  const m = /\(([\d.]+) M instructions\/s\)/.exec(out);
  if (!m) throw new Error(`no speed in the CLI's output:\n${out.slice(-500)}`);
  return Number(m[1]);
}

async function browser(b, url) {
  const page = await openPage(b, `${url}?preset=${preset}`);
  await page.locator('[data-testid="run-state"][data-state="idle"]').waitFor({ timeout: 60_000 });
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('btn-run').click();
  const [instructions, at] = await page.evaluate((target) => new Promise((resolve) => {
    const work = document.querySelector('[data-testid="work"]');
    const cyc = document.querySelector('[data-testid="cycles"]');
    const check = () => {
      if (Number(cyc.dataset.value) >= target) resolve([Number(work.dataset.value), performance.now()]);
      else setTimeout(check, 20);
    };
    check();
  }), cycles);
  const errors = page.errors;
  await page.close();
  if (errors.length) throw new Error(errors.join('\n'));
  return instructions / (at - t0) / 1000;
}

const server = await serve();
const b = await launch();
const rows = [];
for (let r = 0; r < rounds; r++) {
  const n = native();
  const w = await browser(b, server.url);
  rows.push([n, w]);
  console.log(`round ${r + 1}: native ${n.toFixed(1)} M instr/s, worker ${w.toFixed(1)} M instr/s (${(100 * w / n).toFixed(0)}%)`);
}
const mean = (i) => rows.reduce((s, x) => s + x[i], 0) / rows.length;
console.log(`${preset}, ${cycles} cycles: native ${mean(0).toFixed(1)}, worker ${mean(1).toFixed(1)} M instructions/s — ${(100 * mean(1) / mean(0)).toFixed(0)}% of native`);
await b.close();
await server.close();
