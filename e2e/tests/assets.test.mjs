// The guest files travel compressed (issue 16 item 4): the worker fetches `assets/<name>.zst`,
// never the raw 11–49 MB images, expands them itself, and the scenario boots. A download cut
// short is reported on the page in words, not as a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, expectClean, loaded } from '../lib/harness.mjs';

const env = servedBrowser();

test('the default preset fetches its guest files compressed, under 1 MB in all, and boots', async () => {
  const page = await openPage(env.browser, 'about:blank');
  const assets = [];
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes('/assets/') && r.request().method() === 'GET') {
      assets.push({ path, bytes: (await r.body()).length });
    }
  });
  await page.goto(env.server.url);
  await loaded(page);
  assert.ok(assets.length >= 2, `a kernel and an image: ${JSON.stringify(assets)}`);
  for (const a of assets) assert.match(a.path, /\.zst$/, 'only compressed files are fetched');
  const total = assets.reduce((sum, a) => sum + a.bytes, 0);
  assert.ok(total < 1_000_000, `the default preset's guest files are ${total} bytes on the wire`);
  expectClean(page);
  await page.close();
});

test('a database preset fetches its image without the tables, under 1 MB, and boots', async () => {
  // db-full.img's tables (16 MB of random rows) are made again in the worker from the manifest in
  // front of the image's frame; the image is checked against its checksum before it boots.
  const page = await openPage(env.browser, 'about:blank');
  let total = 0;
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname.includes('/assets/') && r.request().method() === 'GET') {
      total += (await r.body()).length;
    }
  });
  await page.goto(`${env.server.url}?preset=db-1vm`);
  await loaded(page);
  assert.ok(total < 1_000_000, `db-1vm's guest files are ${total} bytes on the wire`);
  expectClean(page);
  await page.close();
});

/** Makes every disk image arrive cut in half, as from an interrupted download. */
async function cutImagesInHalf(page) {
  await page.route('**/assets/images/*.zst', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ response, body: body.subarray(0, body.length >> 1) });
  });
}

test('a truncated disk image is reported in words', async () => {
  const page = await openPage(env.browser, 'about:blank');
  await cutImagesInHalf(page);
  await page.goto(`${env.server.url}?preset=tiny-2vms`);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.textContent(), /cannot expand images\/[\w-]+\.img: .*cut short/);
  assert.deepEqual(page.errors.filter((e) => e.startsWith('pageerror')), [], 'no crash');
  await page.close();
});

test('a database image cut short is reported in words too', async () => {
  const page = await openPage(env.browser, 'about:blank');
  await cutImagesInHalf(page);
  await page.goto(`${env.server.url}?preset=db-native`);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.textContent(), /cannot expand images\/db-full\.img: .*cut short/);
  assert.deepEqual(page.errors.filter((e) => e.startsWith('pageerror')), [], 'no crash');
  await page.close();
});
