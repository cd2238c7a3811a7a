// Typing on a guest's console: the shell-2vms preset boots two VMs to a shell prompt; a line
// typed under a VM's console runs in that VM (the guest OS echoes it), the other VM's file system
// is its own, and `exit` / Ctrl-D end each session with the VM powered off cleanly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded, runState, screenshot } from '../lib/harness.mjs';

const env = servedBrowser();

/** Waits until the shown console's text matches `re`. */
async function consoleShows(page, re) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid="console-text"]').textContent),
    re.source,
    { timeout: 30_000 },
  );
}

/** Types `line` key by key, then Enter, on the shown console. */
async function type(page, line) {
  await page.getByTestId('console-input').pressSequentially(line);
  await page.getByTestId('console-input').press('Enter');
}

test('typed commands run in their own VM, and exit powers it off', async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=shell-2vms`);
  await loaded(page);
  await page.getByTestId('btn-run').click();
  await page.getByTestId('console-tab-vm0').click();
  await consoleShows(page, /interactive shell[\s\S]*\$ $/);

  await type(page, 'echo hello from vm0 > /tmp/note');
  await type(page, 'cat /tmp/note');
  // The echo of the command line, then its output.
  await consoleShows(page, /\$ cat \/tmp\/note\nhello from vm0\n\$ $/);
  // The spaces typed went into the line; none of them paused the run (space is run/pause
  // elsewhere on the page).
  assert.equal(await page.getByTestId('run-state').getAttribute('data-state'), 'running');
  await screenshot(page, 'console.png');

  await page.getByTestId('console-tab-vm1').click();
  await consoleShows(page, /\$ $/);
  await type(page, 'cat /tmp/note');
  await consoleShows(page, /cat: \/tmp\/note: no such file/);
  await page.getByTestId('console-eof').click();
  await consoleShows(page, /\/etc\/rc finished with status 0/);
  await page.waitForFunction(() => /exit 0/.test(document.querySelector('[data-testid="console-tab-vm1"]').textContent));
  assert.ok(await page.getByTestId('console-input').isDisabled(), 'a stopped VM takes no input');

  await page.getByTestId('console-tab-vm0').click();
  await type(page, 'exit');
  await runState(page, 'finished', 30_000);
  assert.match(await page.getByTestId('console-tab-vm0').textContent(), /exit 0/);
  expectClean(page);
  await page.close();
});
