// How long the worker takes to expand a preset's guest files in the browser, the database
// tables regenerated included: loads the preset in headless Chromium, `rounds` times in fresh
// pages, and prints the worker's own `console.info` line for each file (crates/worker).
//
//   node tools/expand.mjs [preset] [rounds]       (defaults: db-1vm 3)
//
// Needs dist/ (cargo xtask web).

import { serve, launch, openPage, loaded } from '../lib/harness.mjs';

const preset = process.argv[2] ?? 'db-1vm';
const rounds = Number(process.argv[3] ?? 3);

const server = await serve();
const b = await launch();
for (let r = 0; r < rounds; r++) {
  const page = await openPage(b, 'about:blank');
  const lines = [];
  page.on('console', (m) => {
    if (m.text().startsWith('worker: ') && m.text().includes('expanded')) lines.push(m.text());
  });
  const t0 = Date.now();
  await page.goto(`${server.url}?preset=${preset}`);
  await loaded(page);
  console.log(`round ${r + 1}: ${preset} loaded in ${Date.now() - t0} ms`);
  for (const l of lines) console.log(`  ${l}`);
  if (page.errors.length) throw new Error(page.errors.join('\n'));
  await page.close();
}
await b.close();
await server.close();
