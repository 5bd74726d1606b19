// Privacy is an invariant: no byte of a file, no file name, no EXIF field leaves the page; the
// only requests are GETs of the site's own static files; nothing is stored; no CSP violation.
import { test, expect } from '@playwright/test';
import { apiInput, notSiteFileGets, openFilesStep, randomFile, shownDigests, tempFile, watch } from './helpers.mjs';

const SECRET_NAME = 'secret-name-of-victim-4f1c';
const EXIF_MARKER = 'GPS-52.0907N-5.1214E-camera-owner-jane';

/** A JPEG-shaped file with an EXIF segment carrying text that must never show up in a request. */
function jpegWithExif() {
  const exif = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from(EXIF_MARKER)]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff]), exif]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, Buffer.alloc(20000, 0x5a), Buffer.from([0xff, 0xd9])]);
}

test('nothing of a file leaves the page, nothing is stored, no CSP violation', async ({ page, baseURL }) => {
  const { problems, requests } = await watch(page);
  await openFilesStep(page);
  const big = await randomFile(`${SECRET_NAME}-video.mp4`, 12 << 20);
  const photo = await tempFile(`${SECRET_NAME}.jpg`, jpegWithExif());
  await page.setInputFiles('#file-input', [photo, big]);
  await shownDigests(page, 0);
  await shownDigests(page, 1);
  await apiInput(page, [big]);
  await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    await hashFile(document.querySelector('#api-input').files[0], { sha1: true });
  });
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');

  expect(requests.length).toBeGreaterThan(5); // the watcher saw the page load
  expect(notSiteFileGets(requests, baseURL)).toEqual([]);
  for (const r of requests) {
    const seen = `${r.url} ${JSON.stringify(r.headers)}`;
    expect(seen).not.toContain(SECRET_NAME);
    expect(seen).not.toContain(EXIF_MARKER);
  }
  // The worker and the WebAssembly were among the requests: the check covers them too.
  expect(requests.map((r) => new URL(r.url).pathname)).toEqual(
    expect.arrayContaining(['/worker.js', '/wasm/report_helper_bg.wasm']),
  );
  expect(await page.context().cookies()).toEqual([]);
  expect(
    await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      cookie: document.cookie,
      idb: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
    })),
  ).toEqual({ local: 0, session: 0, cookie: '', idb: 0, caches: 0 });
  expect(problems).toEqual([]);
});

test('the watchers catch a stray request and CSP violations in the page and the worker', async ({ page, baseURL }) => {
  const { problems, requests } = await watch(page);
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10) });
  await shownDigests(page);
  await page.evaluate(() => fetch('/not-a-site-file', { method: 'POST', body: 'x' }).catch(() => {}));
  expect(notSiteFileGets(requests, baseURL).map((r) => new URL(r.url).pathname)).toEqual(['/not-a-site-file']);

  // .invalid never resolves; the CSP refuses it before any connection anyway.
  await page.evaluate(() => fetch('https://tracker.invalid/page').catch(() => {}));
  await expect.poll(() => problems.filter((p) => p.includes('tracker.invalid/page')).length).toBeGreaterThan(0);
  const worker = page.workers().find((w) => w.url().endsWith('/worker.js'));
  await worker.evaluate(() => fetch('https://tracker.invalid/worker').catch(() => {}));
  await expect
    .poll(() => problems.filter((p) => p.startsWith('worker log') && p.includes('tracker.invalid/worker')).length)
    .toBeGreaterThan(0);
});
