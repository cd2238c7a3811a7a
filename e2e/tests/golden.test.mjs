// The same run natively and in the browser: every preset, stepped for the golden number of
// machine cycles in the worker (the simulator compiled to WebAssembly), must reach the run hash
// that `cargo test -p sim --test golden` records natively in crates/sim/tests/golden/runs.json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openPage, expectClean, loaded, runState, servedBrowser } from '../lib/harness.mjs';

const env = servedBrowser();
const golden = JSON.parse(
  await readFile(join(import.meta.dirname, '..', '..', 'crates', 'sim', 'tests', 'golden', 'runs.json'), 'utf8'),
);

/** Steps of the step-size picker, in cycles, by option index (web/src/views/controls.rs). */
const STEP_10M = { index: 3, cycles: 10_000_000 };

for (const run of golden) {
  test(`${run.preset}: ${run.cycles} cycles in the worker give the native run hash`, async () => {
    assert.equal(run.cycles % STEP_10M.cycles, 0, 'the golden cycles are whole 10 M steps');
    const page = await openPage(env.browser, `${env.server.url}?preset=${run.preset}`);
    await loaded(page);
    await page.getByTestId('step-size').selectOption({ index: STEP_10M.index });
    for (let done = 0; done < run.cycles; done += STEP_10M.cycles) {
      await page.getByTestId('btn-step').click();
      await page.waitForFunction(
        (c) => Number(document.querySelector('[data-testid="cycles"]').dataset.value) >= c,
        done + STEP_10M.cycles,
        { timeout: 120_000 },
      );
      await runState(page, 'paused', 120_000);
    }
    const cycles = Number(await page.getByTestId('cycles').getAttribute('data-value'));
    assert.equal(cycles, run.cycles);
    const hash = page.getByTestId('run-hash');
    await hash.waitFor();
    assert.equal(await hash.getAttribute('data-value'), run.run_hash, `${run.preset}: run hash`);
    assert.equal(Number(await page.getByTestId('work').getAttribute('data-value')), run.instructions);
    expectClean(page);
    await page.close();
  });
}
