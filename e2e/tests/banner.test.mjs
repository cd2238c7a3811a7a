// The URL banner stays on the screen whatever the URL holds: a pasted 5 000-character parameter
// is echoed cut short, so the banner is no wider than the page and its dismiss button (×) can be
// reached and clicked; a negative count says the field's range rather than "not a number".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded } from '../lib/harness.mjs';

const env = servedBrowser();
const viewport = { width: 1366, height: 860 };

for (const [what, query] of [
  ['a long value', `?preset=tiny-2vms&nodes=${'7'.repeat(5000)}`],
  ['a long unknown name', `?preset=tiny-2vms&${'q'.repeat(5000)}=1`],
]) {
  test(`the banner of ${what} fits the page and its × dismisses it`, async () => {
    const page = await openPage(env.browser, `${env.server.url}${query}`, viewport);
    await loaded(page);
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    const box = await banner.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, `banner ${JSON.stringify(box)}`);
    assert.ok((await banner.textContent()).length < 400, 'the echoed text is cut short');
    const close = banner.getByRole('button', { name: 'Dismiss' });
    const x = await close.boundingBox();
    assert.ok(x.x >= 0 && x.x + x.width <= viewport.width, `× at ${JSON.stringify(x)}`);
    await close.click();
    assert.equal(await banner.count(), 0);
    expectClean(page);
    await page.close();
  });
}

test('a negative count in the URL says the range, not "not a number"', async () => {
  const page = await openPage(env.browser, `${env.server.url}?nodes=-3`, viewport);
  await loaded(page);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Nodes: must be between 1 and 8; -3 is not\./);
  expectClean(page);
  await page.close();
});

test("the form says what is wrong with each number typed, not an older message", async () => {
  const page = await openPage(env.browser, `${env.server.url}?preset=tiny-2vms`, viewport);
  await loaded(page);
  const error = page.getByTestId('form-error');
  const type = async (id, text) => {
    await page.getByTestId(id).fill(text);
    await page.getByTestId(id).press('Tab');
  };
  await type('nodes', '2.5');
  assert.equal(await error.textContent(), 'Nodes: must be a whole number; 2.5 is not.');
  assert.ok(await page.getByTestId('apply').isDisabled());
  await type('nodes', '');
  assert.equal(await error.textContent(), 'Nodes: is empty.');
  // The field keeps the text the message is about.
  assert.equal(await page.getByTestId('nodes').inputValue(), '');
  await type('nodes', '2');
  assert.equal(await error.count(), 0);
  // A VM count out of range is refused in words, not quietly clamped to 1 or 8.
  await type('vms', '20');
  assert.equal(await error.textContent(), 'VMs: must be between 1 and 8; 20 is not.');
  await type('vms', '0');
  assert.equal(await error.textContent(), 'VMs: must be between 1 and 8; 0 is not.');
  await type('vms', '2');
  assert.equal(await error.count(), 0);
  expectClean(page);
  await page.close();
});
