// Privacy through the whole flow of <report-helper>: photos carrying planted EXIF (and PNG text)
// and a real video, all with names a victim would not want to leave the device, go from the
// situation step to "sent" and the receipts. Every request of the context is intercepted and
// looked at: the only one that is not a GET of the site's own static files is the one POST to
// the endpoint; no URL, header or body carries any 16-byte run of any file, any file name or any
// planted string; nothing is stored anywhere; no console error, no CSP violation.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test, expect } from '@playwright/test';
import { notSiteFileGets, watch } from './helpers.mjs';
import {
  addFilesOnStep,
  addUrls,
  chooseSituation,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  section,
  send,
  startFlow,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';

const WINDOW = 16;

/**
 * Every place where a 16-byte run of `file` occurs in one of `haystacks` (Buffers). The haystacks
 * (what the browser sent) are small, the files are not: index every 16-byte window of the
 * haystacks by its first 4 bytes, then slide over the file one byte at a time and compare the
 * full 16 bytes of the few candidates.
 */
function sharedRuns(file, haystacks) {
  const index = new Map();
  haystacks.forEach((h, which) => {
    for (let i = 0; i + WINDOW <= h.length; i++) {
      const key = h.readUInt32LE(i);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push([which, i]);
    }
  });
  const hits = [];
  for (let i = 0; i + WINDOW <= file.length; i++) {
    const list = index.get(file.readUInt32LE(i));
    if (!list) continue;
    for (const [which, at] of list) {
      if (file.compare(haystacks[which], at, at + WINDOW, i, i + WINDOW) === 0) {
        hits.push({ fileOffset: i, haystack: which, at, bytes: file.subarray(i, i + WINDOW).toString('latin1') });
      }
    }
  }
  return hits;
}

/** The secrets as text: file names (with and without extension) and planted strings. */
function secretTexts(fx) {
  return [...fx.files.flatMap((f) => [f.name, f.name.replace(/\.[^.]+$/, '')]), ...fx.planted];
}

/** Which of `texts` occur in `haystack` (a string), raw or as a URL or JSON would escape them. */
function leakedTexts(haystack, texts) {
  let decoded = haystack;
  try {
    decoded = decodeURIComponent(haystack);
  } catch {
    // not URL-encoded text
  }
  return texts.filter((s) =>
    [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)].some((form) => haystack.includes(form) || decoded.includes(form)),
  );
}

let fx;
test.beforeAll(async ({ browser }) => {
  fx = await makeFlowFixtures(browser);
});
test.afterAll(() => removeFlowFixtures(fx));

test('the whole flow with EXIF-laden photos and a video: only the one POST leaves, with no byte, name or EXIF of a file; nothing is stored', async ({ page, baseURL }) => {
  // The planted strings really are in the files (so looking for them below means something).
  const contents = fx.files.map((f) => readFileSync(f.path).toString('latin1')).join('\n');
  for (const s of fx.planted) expect(contents, s).toContain(s);
  expect(fx.files.map((f) => f.kind)).toEqual(['image', 'image', 'image', 'video']);

  const { problems, requests } = await watch(page);
  // Every request the browser makes, however it is routed, with every header as sent.
  const seen = [];
  page.context().on('request', (r) => seen.push({ url: r.url(), method: r.method(), headers: r.allHeaders().catch(() => r.headers()), body: r.postDataBuffer() }));
  const posts = await fulfilReports(page, { reference: 'RH-2026-PRIV-0001', token: 'tok-privacy-0001' });

  const messages = await startFlow(page);
  await chooseSituation(page, 'shared');
  await next(page);

  // Files: three photos with planted EXIF / PNG text, and the video.
  await addFilesOnStep(page, fx.files.map((f) => f.path));
  await waitAllHashed(page, fx.files.length);
  const items = helper(page).locator('#files > li.file');
  for (const [i, f] of fx.files.entries()) {
    await expect(items.nth(i).locator('.name')).toHaveText(f.name);
    await expect(items.nth(i).locator('.status')).toHaveText(messages[`done.${f.kind}`]);
  }
  // The blurred thumbnails: every image and the video get one, from a blob: URL (no request).
  for (const [i, f] of fx.files.entries()) {
    await expect(items.nth(i).locator('.thumb')).toBeVisible();
    await expect(items.nth(i).locator(f.kind === 'video' ? '.thumb video' : '.thumb img')).toHaveAttribute('src', /^blob:/);
  }
  const video = items.nth(fx.files.findIndex((f) => f.kind === 'video')).locator('.thumb video');
  // The browser read the video's metadata for the thumbnail (an error would have hidden it).
  await expect.poll(() => video.evaluate((v) => v.readyState)).toBeGreaterThanOrEqual(1);
  expect(await video.evaluate((v) => [v.videoWidth, v.videoHeight])).toEqual([640, 360]);
  // "Show" the first photo: unblurred, and shown upright through its EXIF orientation (6), so
  // the browser really parsed the planted EXIF block.
  const first = items.first();
  const img = first.locator('.thumb img');
  await expect.poll(() => img.evaluate((el) => el.complete && el.naturalWidth)).toBe(1004);
  expect(await img.evaluate((el) => getComputedStyle(el).filter)).toMatch(/blur/);
  await first.locator('.reveal').click();
  await expect(first).toHaveClass(/revealed/);
  await expect(first.locator('.reveal')).toHaveAttribute('aria-pressed', 'true');
  await expect(first.locator('.reveal')).toHaveText(messages['files.hide']);
  expect(await img.evaluate((el) => [getComputedStyle(el).filter, el.naturalWidth, el.naturalHeight])).toEqual(['none', 1004, 1600]);
  await next(page);

  // URLs, then about, then the review with its raw JSON opened.
  await expectStep(page, 'urls');
  await addUrls(page, ['https://forum.example/thread/8812#post-3', 'imagehost.example/i/abc123.jpg']);
  await expect(helper(page).locator('#url-errors')).toBeHidden();
  await expect(helper(page).locator('#url-list li')).toHaveCount(2);
  await next(page);

  // Evidence: the PNG (eXIf, tEXt) and a JPEG (EXIF) as screenshots, one with an area blacked out.
  await expectStep(page, 'evidence');
  const screenshots = [fx.files[2], fx.files[1]];
  await helper(page).locator('#shot-input').setInputFiles(screenshots.map((f) => f.path));
  const shotItems = helper(page).locator('#shots > li.shot');
  for (const i of [0, 1]) await expect(shotItems.nth(i)).toHaveAttribute('data-state', 'marking');
  await shotItems.nth(0).locator('.add-area').click();
  for (const i of [0, 1]) {
    await shotItems.nth(i).locator('.apply').click();
    await expect(shotItems.nth(i)).toHaveAttribute('data-state', 'redacted');
    await expect(shotItems.nth(i).locator('img.redacted')).toHaveAttribute('src', /^blob:/);
  }
  await next(page);
  await expectStep(page, 'about');
  await fillAbout(page, { name: 'J. D.', email: 'jd@example.org', explanation: 'Posted without my consent.' });
  await goToReview(page);
  await helper(page).locator('#raw summary').click();
  await expect(helper(page).locator('#raw-json')).toBeVisible();
  const shownJson = JSON.parse(await helper(page).locator('#raw-json').textContent());
  expect(shownJson.items).toHaveLength(fx.files.length);
  // The recorded video is sent with its fingerprint (vPDQ): its first frame's hash (MediaRecorder
  // says no frame rate, so the reference picks every 1000th frame), and nothing of its frames'
  // numbers, times or pictures; the checks below hold with it in the body.
  const sentVideo = shownJson.items[fx.files.findIndex((f) => f.kind === 'video')];
  expect(Object.keys(sentVideo.vpdq)).toEqual(['seconds_per_hash', 'hashes']);
  expect(Buffer.from(sentVideo.vpdq.hashes, 'base64').length).toBe(32);

  await send(page);
  const { reference, token } = await waitSent(page);
  expect({ reference, token }).toEqual({ reference: 'RH-2026-PRIV-0001', token: 'tok-privacy-0001' });

  // The receipts are downloads of blob: URLs made on the page, not requests.
  const receipts = [];
  for (const id of ['#receipt-json', '#receipt-html']) {
    const [download] = await Promise.all([page.waitForEvent('download'), helper(page).locator(id).click()]);
    expect(download.url()).toMatch(/^blob:/);
    receipts.push({ name: download.suggestedFilename(), bytes: await readFile(await download.path()) });
  }
  // The evidence package too: a download made on the page.
  const [zipDownload] = await Promise.all([page.waitForEvent('download'), helper(page).locator('#evidence-zip').click()]);
  expect(zipDownload.url()).toMatch(/^blob:/);
  const zipBytes = await readFile(await zipDownload.path());
  receipts.push({ name: zipDownload.suggestedFilename(), bytes: zipBytes });
  expect(receipts.map((r) => r.name)).toEqual([`receipt-${reference}.json`, `receipt-${reference}.html`, `evidence-${reference}.zip`]);
  // The blacked-out PNGs, stored in the ZIP: they must not leave either.
  const redactedPngs = [];
  for (let at = zipBytes.indexOf('PK\x03\x04', 0, 'latin1'); at >= 0; at = zipBytes.indexOf('PK\x03\x04', at + 4, 'latin1')) {
    const size = zipBytes.readUInt32LE(at + 18);
    const nameLength = zipBytes.readUInt16LE(at + 26);
    const name = zipBytes.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    if (name.endsWith('.png')) redactedPngs.push(zipBytes.subarray(at + 30 + nameLength, at + 30 + nameLength + size));
  }
  expect(redactedPngs).toHaveLength(2);
  expect(receipts[1].bytes.toString('utf8')).toContain(reference);

  // ---- the requests ----
  // The one POST: to the endpoint, the body exactly the JSON the review showed.
  expect(posts).toHaveLength(1);
  const [post] = posts;
  expect(post.method).toBe('POST');
  expect(post.url).toBe(new URL('api/reports', baseURL).href);
  // Exactly what the review showed, created_at included.
  expect(post.json).toEqual(shownJson);
  // The JSON receipt holds the report exactly as sent.
  expect(JSON.parse(receipts[0].bytes.toString('utf8')).report).toEqual(post.json);
  expect(post.headers['content-type']).toBe('application/json');
  expect(post.headers['idempotency-key']).toBe(shownJson.idempotency_key);
  expect(post.headers.cookie).toBeUndefined();
  expect(post.headers.referer).toBeUndefined();
  // Every request seen was intercepted (by the watcher, or by the endpoint's route for the POST).
  const intercepted = [...requests.map((r) => `${r.method} ${r.url}`), ...posts.map((r) => `${r.method} ${r.url}`)];
  expect(seen.map((r) => `${r.method} ${r.url}`).filter((r) => !intercepted.includes(r))).toEqual([]);
  expect(requests.length).toBeGreaterThan(5); // the watcher saw the page load
  expect(requests.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/worker.js', '/wasm/report_helper_bg.wasm']));
  // Apart from GETs of the site's files, exactly the one POST to the endpoint.
  const all = [...requests, ...posts.map((p) => ({ ...p, body: Buffer.from(p.body) }))];
  expect(notSiteFileGets(all, baseURL).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /api/reports']);

  // What the browser sent: every URL, every header name and value, every body.
  const sent = [];
  for (const r of [...seen, ...posts.map((p) => ({ ...p, body: Buffer.from(p.body) }))]) {
    const headers = await r.headers;
    sent.push(Buffer.from(r.url), Buffer.from(JSON.stringify(headers)), ...Object.values(headers).map((v) => Buffer.from(v)));
    if (r.body?.length) sent.push(Buffer.from(r.body));
  }
  const sentText = sent.map((b) => b.toString('utf8'));
  const secrets = secretTexts(fx);
  expect(sentText.flatMap((s) => leakedTexts(s, secrets))).toEqual([]);
  // The POST body is among them (it holds the hashes and URLs).
  expect(sentText).toContain(post.body);
  for (const f of fx.files) {
    const bytes = readFileSync(f.path);
    expect(sharedRuns(bytes, sent).slice(0, 10), `16-byte runs of ${f.name} in a request`).toEqual([]);
  }
  for (const [i, png] of redactedPngs.entries()) {
    expect(sharedRuns(png, sent).slice(0, 10), `16-byte runs of blacked-out screenshot ${i + 1} in a request`).toEqual([]);
  }

  // ---- the downloaded receipts: hashes and URLs, no file name, no EXIF, no file bytes ----
  // (A PNG written anew from the same pixels starts with the same signature and header: the
  // first 33 bytes of a PNG original are not its own.)
  for (const r of receipts) {
    expect(leakedTexts(r.bytes.toString('latin1'), secrets), r.name).toEqual([]);
    for (const f of fx.files) {
      const bytes = readFileSync(f.path);
      const own = f.name.endsWith('.png') ? bytes.subarray(33) : bytes;
      // (A run of one repeated byte, such as 16 spaces of indentation, is nobody's secret.)
      const runs = sharedRuns(own, [r.bytes]).filter((h) => new Set(h.bytes).size > 1);
      expect(runs.slice(0, 10), `${f.name} in ${r.name}`).toEqual([]);
    }
  }

  // ---- storage: none of any kind ----
  expect(await page.context().cookies()).toEqual([]);
  expect(await page.context().storageState({ indexedDB: true })).toEqual({ cookies: [], origins: [] });
  expect(
    await page.evaluate(async () => ({
      cookie: document.cookie,
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
    })),
  ).toEqual({ cookie: '', local: 0, session: 0, idb: 0, caches: 0 });
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL).origin;
  const usage = await cdp.send('Storage.getUsageAndQuota', { origin });
  expect(usage.usage, JSON.stringify(usage.usageBreakdown.filter((u) => u.usage))).toBe(0);

  // ---- no console error or warning, no CSP violation, in the page or its workers ----
  expect(problems).toEqual([]);
  // The send step is still what it was: nothing above changed the flow.
  await expect(section(page, 'send').locator('#sent')).toBeVisible();
});

test('the checks above are not blind: they catch a stray POST, a file run, a name, an EXIF string and storage', async ({ page, baseURL }) => {
  const { requests } = await watch(page);
  await startFlow(page);
  const photo = fx.files[0];
  const bytes = readFileSync(photo.path);
  // 16 bytes from the middle of the photo's compressed data, a name and a planted string.
  const middle = Math.floor(bytes.length / 2);
  const run = [...bytes.subarray(middle, middle + WINDOW)];
  await page.evaluate(
    ([run, name, planted]) =>
      fetch(`/leak?f=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'X-Note': planted }, body: new Uint8Array([1, 2, ...run, 3]) }).catch(() => {}),
    [run, photo.name, fx.planted[0]],
  );
  await expect.poll(() => requests.filter((r) => r.url.includes('/leak')).length).toBe(1);
  expect(notSiteFileGets(requests, baseURL).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /leak']);
  const leak = requests.find((r) => r.url.includes('/leak'));
  const sent = [Buffer.from(leak.url), Buffer.from(JSON.stringify(leak.headers)), Buffer.from(leak.body)];
  const hits = sharedRuns(bytes, sent).map((h) => [h.fileOffset, h.haystack, h.at]);
  expect(hits).toContainEqual([middle, 2, 2]); // the run in the body
  expect(hits.filter(([, which]) => which === 2)).toHaveLength(1);
  expect(hits.filter(([, which]) => which === 1).length).toBeGreaterThan(0); // the EXIF string in a header
  expect(sent.flatMap((b) => leakedTexts(b.toString('utf8'), secretTexts(fx)))).toEqual(
    expect.arrayContaining([photo.name, photo.name.replace(/\.jpg$/, ''), fx.planted[0]]),
  );

  // Storage written on purpose shows up in each check the flow test makes.
  await page.evaluate(async () => {
    document.cookie = 'c=1';
    localStorage.setItem('l', '1');
    sessionStorage.setItem('s', '1');
    await new Promise((resolve, reject) => {
      const open = indexedDB.open('db', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('x').put(new Uint8Array(4096), 'k');
      open.onsuccess = () => (open.result.close(), resolve());
      open.onerror = () => reject(open.error);
    });
    await (await caches.open('c')).put('/x', new Response('x'.repeat(4096)));
  });
  expect(await page.context().cookies()).toHaveLength(1);
  const state = await page.context().storageState({ indexedDB: true });
  expect(state.origins[0].localStorage).toEqual([{ name: 'l', value: '1' }]);
  expect(state.origins[0].indexedDB.map((d) => d.name)).toEqual(['db']);
  expect(
    await page.evaluate(async () => [localStorage.length, sessionStorage.length, (await indexedDB.databases()).length, (await caches.keys()).length]),
  ).toEqual([1, 1, 1, 1]);
  const cdp = await page.context().newCDPSession(page);
  await expect.poll(async () => (await cdp.send('Storage.getUsageAndQuota', { origin: new URL(baseURL).origin })).usage).toBeGreaterThan(0);
});
