// The whole report flow of <report-helper>, in a real browser: what happened, the files, the
// addresses, about the person, the review, sending (with retries and refusals), the receipts,
// the quick exit, embedding under another tag, and the question before leaving.
// Expected values come from outside the code under test: digests from Node's crypto, PDQ hashes
// from Meta's reference (the vectors' expected CSV), texts from the catalogs, the report's shape
// from schema/report-v1.schema.json (Ajv), normalised URLs written out by hand.
import { readFile } from 'node:fs/promises';
import { test, expect } from '@playwright/test';
import { nodeDigests } from './helpers.mjs';
import {
  EXIT_PAGE,
  EXIT_URLS,
  addFilesOnStep,
  addUrls,
  back,
  catalog,
  chooseSituation,
  driveToReview,
  expectStep,
  expectValidReport,
  expectedPdq,
  fillAbout,
  flowFile,
  flowRandomFile,
  fulfilReports,
  goToReview,
  listedUrls,
  next,
  passEvidence,
  recordEvents,
  removeFlowFiles,
  routeExits,
  routeReports,
  send,
  standaloneConfig,
  startFlow,
  text,
  vectorPath,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';

const en = catalog('en');
const nl = catalog('nl');

const JPEG = 'bridge-mods/aaa-orig.jpg';
const REFERENCE = 'RH-2026-000123';
const TOKEN = 'k7Qx-93fa-Zt1p-secret';

/** A file that is not an image, with a name that must never leave the page. */
const notesFile = () => flowFile('victim-private-notes-8d2e.txt', Buffer.from(`notes ${Date.now()} ${Math.random()}\n`.repeat(50)));

test.afterAll(removeFlowFiles);

/** Collects dialogs (dismissing each); returns their types. */
function collectDialogs(page) {
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    d.dismiss().catch(() => {});
  });
  return dialogs;
}

/** Reads a download to text. */
async function downloaded(download) {
  return readFile(await download.path(), 'utf8');
}

// ---- 1. the whole flow, in English -------------------------------------------------------------

test('full flow in English: files, messy URLs, contact; the POST, the shown case, the receipts, the events', async ({ page, baseURL, context }) => {
  // A cookie for the site: the POST must not carry it (credentials: 'omit').
  await context.addCookies([{ name: 'session', value: 'must-not-be-sent', url: baseURL }]);
  const events = await recordEvents(page);
  const requests = await fulfilReports(page, { reference: REFERENCE, token: TOKEN });
  const dialogs = collectDialogs(page);
  await startFlow(page, { lang: 'en' });

  await chooseSituation(page, 'shared');
  await next(page);
  await expectStep(page, 'files');
  const jpeg = vectorPath(JPEG);
  const notes = await notesFile();
  await addFilesOnStep(page, [jpeg, notes]);
  await waitAllHashed(page, 2);
  const want = [await nodeDigests(jpeg), await nodeDigests(notes)];
  const pdq = expectedPdq(JPEG);
  const files = page.locator('#files > li.file');
  await expect(files.nth(0).locator('code.sha256')).toHaveText(want[0].sha256);
  await expect(files.nth(0).locator('code.md5')).toHaveText(want[0].md5);
  await expect(files.nth(0).locator('code.pdq')).toHaveText(pdq.hash);
  await expect(files.nth(1).locator('code.sha256')).toHaveText(want[1].sha256);
  await expect(files.nth(1).locator('code.pdq')).toHaveText('');
  // The image's preview is blurred until asked for, and blurred again on request.
  const img = files.nth(0).locator('.thumb img');
  const reveal = files.nth(0).locator('.reveal');
  const filter = () => img.evaluate((el) => getComputedStyle(el).filter);
  await expect(img).toHaveAttribute('src', /^blob:/);
  expect(await filter()).toMatch(/^blur\(/);
  await expect(reveal).toHaveAttribute('aria-pressed', 'false');
  await expect(reveal).toHaveText(en['files.show']);
  await reveal.click();
  await expect(reveal).toHaveAttribute('aria-pressed', 'true');
  await expect(files.nth(0)).toHaveClass(/\brevealed\b/);
  expect(await filter()).toBe('none');
  await reveal.click();
  await expect(reveal).toHaveAttribute('aria-pressed', 'false');
  expect(await filter()).toMatch(/^blur\(/);
  await expect(files.nth(1).locator('.thumb')).toBeHidden(); // no preview of a non-image
  await next(page);

  await expectStep(page, 'urls');
  await addUrls(page, [
    '  https://EXAMPLE.com/Path?q=1#top  ',
    'example.org/x',
    '',
    'https://example.com/Path?q=1',
    'ftp://files.example.net/report',
    'javascript:alert(1)',
    'HTTP://Bücher.example/ä',
    'not a web address',
    'https://user:secret@example.net/a#b',
  ]);
  const goodUrls = ['https://example.com/Path?q=1', 'https://example.org/x', 'http://xn--bcher-kva.example/%C3%A4', 'https://example.net/a'];
  expect(await listedUrls(page)).toEqual(goodUrls);
  await expect(page.locator('#url-errors')).toBeVisible();
  await expect(page.locator('#url-errors')).toHaveAttribute('role', 'alert');
  await expect(page.locator('#url-errors-summary')).toHaveText(text(en, 'urls.badSummary', { count: 3, added: 4 }));
  await expect(page.locator('#url-errors ul li')).toHaveText([
    // The lines of the box as it is now, which holds only what was refused (issue 18).
    text(en, 'urls.bad.scheme', { line: 1, text: 'ftp://files.example.net/report' }),
    text(en, 'urls.bad.scheme', { line: 2, text: 'javascript:alert(1)' }),
    text(en, 'urls.bad.none', { line: 3, text: 'not a web address' }),
  ]);
  await expect(page.locator('#url-input')).toHaveValue('ftp://files.example.net/report\njavascript:alert(1)\nnot a web address');
  // Next with bad lines in the box stays here; once they are gone it goes on.
  await next(page);
  await expectStep(page, 'urls');
  await page.locator('#url-input').fill('');
  await next(page);

  await passEvidence(page);
  await expectStep(page, 'about');
  const contact = { name: 'Jane Example', email: 'jane@example.org' };
  const explanation = 'My ex posted these on two sites without my consent.';
  await fillAbout(page, { ...contact, explanation, goodFaith: true });
  await goToReview(page);

  // The review shows every address that will be sent; every digest is in its JSON (issue 18: words first).
  const summary = page.locator('#review dl.summary');
  await expect(summary).toContainText(text(en, 'review.items', { count: 2 }));
  for (const d of want) for (const hex of [d.sha256, d.md5, d.sha1]) await expect(page.locator('#raw-json')).toContainText(hex);
  await expect(page.locator('#raw-json')).toContainText(pdq.hash);
  await expect(summary).toContainText(text(en, 'review.urls', { count: 4 }));
  for (const url of goodUrls) await expect(summary).toContainText(url);
  await expect(summary).toContainText('jane@example.org');
  await page.locator('details#raw summary').click();
  const raw = JSON.parse(await page.locator('#raw-json').textContent());

  await send(page);
  const shown = await waitSent(page);
  expect(shown).toEqual({ reference: REFERENCE, token: TOKEN });
  await expect(page.locator('#h-send')).toHaveText(en['send.sentHeading']);

  // Exactly one POST, of exactly this report.
  expect(requests).toHaveLength(1);
  const [post] = requests;
  expect(post.method).toBe('POST');
  expect(new URL(post.url).pathname).toBe('/api/reports');
  const body = post.json;
  expectValidReport(body);
  expect(body).toEqual({
    schema: 'report-helper/report@1',
    idempotency_key: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
    created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    language: 'en',
    situation: 'shared',
    under_18: false,
    items: [
      { kind: 'image', sha256: want[0].sha256, md5: want[0].md5, sha1: want[0].sha1, pdq: { hash: pdq.hash, quality: Number(pdq.quality) } },
      { kind: 'other', sha256: want[1].sha256, md5: want[1].md5, sha1: want[1].sha1 },
    ],
    urls: goodUrls,
    explanation,
    contact,
    good_faith: true,
  });
  // The review's exact JSON is exactly what was sent.
  expect(raw).toEqual(body);
  // No file name anywhere in the request, and the headers as promised.
  const seen = `${post.url} ${JSON.stringify(post.headers)} ${post.body}`;
  for (const name of ['aaa-orig', 'victim-private-notes', '.jpg', '.txt']) expect(seen).not.toContain(name);
  expect(post.headers['content-type']).toMatch(/^application\/json\b/);
  expect(post.headers['idempotency-key']).toBe(body.idempotency_key);
  expect(post.headers).not.toHaveProperty('cookie');
  expect(post.headers).not.toHaveProperty('referer');

  // The receipts. No screenshot was kept, so the package is said to hold only them.
  await expect(page.locator('#evidence-intro')).toHaveText(en['sent.evidenceIntroNoShots']);
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-json').click()]);
  expect(jsonDownload.suggestedFilename()).toBe(`receipt-${REFERENCE}.json`);
  const receipt = JSON.parse(await downloaded(jsonDownload));
  expect(receipt).toEqual({
    receipt: 'report-helper/receipt@1',
    endpoint: new URL('/api/reports', baseURL).href,
    sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    reference: REFERENCE,
    token: TOKEN,
    report: body,
  });
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-html').click()]);
  expect(htmlDownload.suggestedFilename()).toBe(`receipt-${REFERENCE}.html`);
  const html = await downloaded(htmlDownload);
  expect(html).toContain(REFERENCE);
  expect(html).toContain(want[0].sha256);
  expect(html.toLowerCase()).not.toContain('<script');

  // The events: both files hashed (with the reference digests), then sent with the reference.
  const hashed = events.filter((e) => e.type === 'report-helper-hashed');
  // (in the order they finish)
  expect(hashed.map((e) => e.detail).sort((a, b) => (a.kind < b.kind ? -1 : 1))).toEqual([
    { kind: 'image', sha256: want[0].sha256, md5: want[0].md5, sha1: want[0].sha1, pdq: { hash: pdq.hash, quality: Number(pdq.quality) }, vpdq: null },
    { kind: 'other', sha256: want[1].sha256, md5: want[1].md5, sha1: want[1].sha1, pdq: null, vpdq: null },
  ]);
  const sent = events.filter((e) => e.type === 'report-helper-sent');
  expect(sent).toEqual([{ type: 'report-helper-sent', detail: { reference: REFERENCE, status: 'received' }, target: 'report-helper' }]);
  expect(events.filter((e) => e.type === 'report-helper-failed')).toEqual([]);
  for (const e of events) expect(JSON.stringify(e)).not.toContain('victim-private-notes');

  // Sent and the receipt kept: leaving no longer asks.
  await page.goto('/?after');
  expect(dialogs).toEqual([]);
});

// ---- 2. Dutch, under 18 ------------------------------------------------------------------------

test('Dutch flow for a minor: texts from nl.json, no name or email asked, hotline shown, no contact sent even if typed before', async ({ page }) => {
  const requests = await fulfilReports(page, { reference: 'NL-1', token: 'nl-token' });
  await startFlow(page, { lang: 'nl' });
  await expect(page.locator('report-helper')).toHaveAttribute('lang', 'nl');
  await expect(page.locator('#step-count')).toHaveText(text(nl, 'step', { n: 1, total: 7 }));
  await expect(page.locator('#exit')).toHaveText(nl['exit.button']);
  await expect(page.locator('section[data-step="situation"] .next')).toHaveText(nl['nav.next']);
  for (const key of ['situation.shared', 'situation.threatened', 'situation.other', 'age.yes', 'age.no', 'age.unsure']) {
    await expect(page.getByRole('radio', { name: nl[key] })).toHaveCount(1);
  }

  // First as an adult: name and email typed in.
  await chooseSituation(page, 'shared');
  await expect(page.locator('#minor-note')).toBeHidden();
  await next(page);
  await expectStep(page, 'files');
  await expect(page.locator('#h-files')).toHaveText(nl['files.heading']);
  await next(page);
  await expectStep(page, 'urls');
  await addUrls(page, 'https://voorbeeld.nl/foto/1');
  await next(page);
  await passEvidence(page);
  await expectStep(page, 'about');
  await expect(page.locator('#name')).toBeVisible();
  await fillAbout(page, { name: 'Sanne de Vries', email: 'sanne@voorbeeld.nl', goodFaith: undefined });

  // Back to the start: under 18 after all.
  for (const step of ['evidence', 'urls', 'files', 'situation']) {
    await back(page);
    await expectStep(page, step);
  }
  await chooseSituation(page, 'minor');
  const note = page.locator('#minor-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText(nl['minor.anonymous']);
  await expect(note).toContainText(nl['minor.noScreenshots']);
  const hotline = page.locator('#hotline');
  await expect(hotline).toBeVisible();
  await expect(hotline).toHaveText(nl['minor.hotlineLink']);
  await expect(hotline).toHaveAttribute('href', 'https://www.meldpunt-kinderporno.nl/');

  await next(page);
  await next(page);
  await next(page);
  await passEvidence(page);
  await expectStep(page, 'about');
  await expect(page.locator('#name')).toBeHidden();
  await expect(page.locator('#email')).toBeHidden();
  await expect(page.locator('section[data-step="about"]')).toContainText(nl['about.minor']);
  await expect(page.locator('section[data-step="about"] .next')).toHaveText(nl['nav.review']);
  await fillAbout(page, { explanation: 'Een klasgenoot deelt deze foto.', goodFaith: true });
  await goToReview(page);
  const summary = page.locator('#review dl.summary');
  await expect(summary).toContainText(nl['review.anonymousMinor']);
  await expect(summary).not.toContainText('Sanne');
  await expect(page.locator('#send')).toHaveText(nl['nav.send']);

  await send(page);
  await waitSent(page);
  await expect(page.locator('#h-send')).toHaveText(nl['send.sentHeading']);
  expect(requests).toHaveLength(1);
  const body = requests[0].json;
  expectValidReport(body);
  expect(body.situation).toBe('shared');
  expect(body.under_18).toBe(true);
  expect(body.language).toBe('nl');
  expect(body.urls).toEqual(['https://voorbeeld.nl/foto/1']);
  expect(body).not.toHaveProperty('contact');
  expect(requests[0].body).not.toContain('Sanne');
  expect(requests[0].body).not.toContain('sanne@voorbeeld.nl');
});

// ---- 3. validation -----------------------------------------------------------------------------

test('validation: no situation, nothing to report, a bad email, no good faith: each error announced at its field', async ({ page }) => {
  await startFlow(page);

  await next(page);
  await expectStep(page, 'situation');
  const situationError = page.locator('#situation-error');
  await expect(situationError).toBeVisible();
  await expect(situationError).toHaveAttribute('role', 'alert');
  await expect(situationError).toHaveText(en['invalid.situation']);
  const firstRadio = page.locator('input[name="situation"]').first();
  await expect(firstRadio).toBeFocused();
  await expect(firstRadio).toHaveAttribute('aria-invalid', 'true');
  await chooseSituation(page, 'other');
  await expect(situationError).toBeHidden();
  await next(page);

  await expectStep(page, 'files');
  await next(page); // files are optional here
  await expectStep(page, 'urls');
  await next(page);
  await expectStep(page, 'urls');
  await expect(page.locator('#url-errors')).toBeVisible();
  await expect(page.locator('#url-errors-summary')).toHaveText(en['invalid.empty']);
  await expect(page.locator('#url-input')).toBeFocused();
  await expect(page.locator('#url-input')).toHaveAttribute('aria-invalid', 'true');
  await addUrls(page, 'https://example.com/a');
  await expect(page.locator('#url-errors')).toBeHidden();
  await next(page);

  await passEvidence(page);
  await expectStep(page, 'about');
  await fillAbout(page, { email: 'not-an-email', goodFaith: true });
  await next(page);
  const emailError = page.locator('#email-error');
  await expect(emailError).toBeVisible();
  await expectStep(page, 'about');
  await expect(emailError).toHaveAttribute('role', 'alert');
  await expect(emailError).toHaveText(en['invalid.not-email']);
  await expect(page.locator('#email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#email')).toBeFocused();

  await fillAbout(page, { email: 'ok@example.com', goodFaith: false });
  await expect(emailError).toBeHidden();
  await expect(page.locator('#email')).not.toHaveAttribute('aria-invalid', 'true');
  await next(page);
  const goodFaithError = page.locator('#good-faith-error');
  await expect(goodFaithError).toBeVisible();
  await expectStep(page, 'about');
  await expect(goodFaithError).toHaveAttribute('role', 'alert');
  await expect(goodFaithError).toHaveText(en['invalid.good-faith-required']);
  await expect(page.locator('#good-faith')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#good-faith')).toBeFocused();

  await fillAbout(page, { goodFaith: true });
  await expect(goodFaithError).toBeHidden();
  await goToReview(page);
});

test('threatened: files only, no URLs, is a report', async ({ page }) => {
  const requests = await fulfilReports(page);
  await startFlow(page);
  await chooseSituation(page, 'threatened');
  await next(page);
  const jpeg = vectorPath(JPEG);
  await addFilesOnStep(page, [jpeg]);
  await waitAllHashed(page, 1);
  await next(page);
  await expectStep(page, 'urls');
  await expect(page.locator('#urls-intro')).toHaveText(en['urls.introThreatened']);
  await next(page);
  await passEvidence(page);
  await expectStep(page, 'about');
  await fillAbout(page, { goodFaith: true });
  await goToReview(page);
  await expect(page.locator('#review dl.summary')).toContainText(text(en, 'review.urls', { count: 0 }));
  await send(page);
  await waitSent(page);
  const body = requests[0].json;
  expectValidReport(body);
  const want = await nodeDigests(jpeg);
  expect(body.situation).toBe('threatened');
  expect(body.urls).toEqual([]);
  expect(body.items).toEqual([
    { kind: 'image', sha256: want.sha256, md5: want.md5, sha1: want.sha1, pdq: { hash: expectedPdq(JPEG).hash, quality: Number(expectedPdq(JPEG).quality) } },
  ]);
  expect(body).not.toHaveProperty('contact');
});

// ---- 4. sending: retries, failure, refusal ----------------------------------------------------

/** A URL-only report, on the review step, with the page's clock under the test's control. */
async function reviewWithClock(page) {
  await page.clock.install();
  await startFlow(page);
  await driveToReview(page, { situation: 'shared', urls: ['https://example.com/where'], about: { email: 'me@example.com' } });
}

test('retries: a network error, then a 503 with Retry-After, then 201: one report, the same body and key every time', async ({ page }) => {
  const events = await recordEvents(page);
  const requests = await routeReports(page, [
    { abort: 'connectionrefused' },
    { status: 503, headers: { 'Retry-After': '5' }, body: { error: 'busy' } },
    { status: 201, body: { reference: 'R-3', token: 'T-3', status: 'received' } },
  ]);
  await reviewWithClock(page);
  await page.locator('#send').click();
  await expectStep(page, 'send');

  const status = page.locator('#send-status');
  await expect.poll(() => requests.length).toBe(1);
  await expect(status).toHaveText(text(en, 'send.retrying', { count: 1, attempt: 2, name: standaloneConfig().name }));
  await expect(page.locator('#download-report')).toBeVisible();
  await page.clock.runFor(1000);
  await expect.poll(() => requests.length).toBe(2);
  await expect(status).toHaveText(text(en, 'send.retrying', { count: 5, attempt: 3, name: standaloneConfig().name }));
  await page.clock.runFor(5000);
  await expect.poll(() => requests.length).toBe(3);
  expect(await waitSent(page)).toEqual({ reference: 'R-3', token: 'T-3' });

  const [first] = requests;
  expectValidReport(first.json);
  for (const r of requests) {
    expect(r.body).toBe(first.body);
    expect(r.headers['idempotency-key']).toBe(first.json.idempotency_key);
  }
  expect(events.filter((e) => e.type === 'report-helper-failed').map((e) => e.detail)).toEqual([
    { code: 'network', willRetry: true },
    { code: 'server', status: 503, willRetry: true },
  ]);
  expect(events.filter((e) => e.type === 'report-helper-sent').map((e) => e.detail)).toEqual([{ reference: 'R-3', status: 'received' }]);
});

test('endpoint down: after the back-off the person can download the exact report or try again, which succeeds', async ({ page }) => {
  const events = await recordEvents(page);
  let up = false;
  const requests = [];
  await page.route('**/api/reports', async (route) => {
    const r = route.request();
    requests.push({ body: r.postData(), headers: await r.allHeaders() });
    if (!up) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"down"}' });
    return route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ reference: 'R-UP', token: 'T-UP' }) });
  });
  await reviewWithClock(page);
  await page.locator('#send').click();
  await expectStep(page, 'send');

  // 1, 2, 4, 8 and 16 s between six attempts: skipped on the page's clock.
  const delays = [1, 2, 4, 8, 16];
  for (const [i, seconds] of delays.entries()) {
    await expect.poll(() => requests.length).toBe(i + 1);
    await expect(page.locator('#send-status')).toHaveText(text(en, 'send.retrying', { count: seconds, attempt: i + 2, name: standaloneConfig().name }));
    await page.clock.runFor(seconds * 1000);
  }
  await expect.poll(() => requests.length).toBe(6);
  await expect(page.locator('#send-failed')).toBeVisible();
  await expect(page.locator('#h-send')).toHaveText(en['send.failedHeading']);
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.failed', { name: standaloneConfig().name }));
  await expect(page.locator('#retry')).toBeVisible();
  await expect(page.locator('#retry')).toHaveText(en['send.retry']);
  await expect(page.locator('#download-report')).toBeVisible();
  await expect(page.locator('#sent')).toBeHidden();
  // No more attempts by itself.
  await page.clock.runFor(120_000);
  expect(requests).toHaveLength(6);
  for (const r of requests) expect(r.body).toBe(requests[0].body);

  // The saved report holds the very report that was posted.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-report').click()]);
  expect(download.suggestedFilename()).toMatch(/^saved-report-\d{4}-\d\d-\d\d\.json$/);
  expect(JSON.parse(await downloaded(download)).report).toBe(requests[0].body);
  expectValidReport(JSON.parse(requests[0].body));

  up = true;
  await page.locator('#retry').click();
  expect(await waitSent(page)).toEqual({ reference: 'R-UP', token: 'T-UP' });
  expect(requests).toHaveLength(7);
  expect(requests[6].body).toBe(requests[0].body);
  expect(requests[6].headers['idempotency-key']).toBe(JSON.parse(requests[0].body).idempotency_key);
  // One access code, made on the page, with every attempt: "Try again" sends the same one.
  expect(requests[0].headers.authorization).toMatch(/^Bearer [0-9A-HJKMNP-TV-Z]{26}$/);
  for (const r of requests) expect(r.headers.authorization).toBe(requests[0].headers.authorization);
  const failed = events.filter((e) => e.type === 'report-helper-failed').map((e) => e.detail);
  expect(failed).toEqual([
    ...delays.map(() => ({ code: 'server', status: 503, willRetry: true })),
    { code: 'server', status: 503, willRetry: false },
  ]);
  expect(events.filter((e) => e.type === 'report-helper-sent')).toHaveLength(1);
});

test('a 422 refusal shows the endpoint\'s message and is not retried', async ({ page }) => {
  const events = await recordEvents(page);
  const message = 'urls[0]: this address is on our block list';
  const requests = await routeReports(page, [{ status: 422, body: { error: message, field: 'urls[0]' } }]);
  await reviewWithClock(page);
  await page.locator('#send').click();
  await expectStep(page, 'send');
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.rejected', { message, name: standaloneConfig().name }));
  await expect(page.locator('#h-send')).toHaveText(en['send.failedHeading']);
  await expect(page.locator('#retry')).toBeHidden();
  await expect(page.locator('#back-to-review')).toBeVisible();
  await expect(page.locator('#download-report')).toBeVisible();
  await page.clock.runFor(120_000);
  expect(requests).toHaveLength(1);
  expect(events.filter((e) => e.type === 'report-helper-failed').map((e) => e.detail)).toEqual([
    { code: 'rejected', status: 422, willRetry: false },
  ]);
  await page.locator('#back-to-review').click();
  await expectStep(page, 'review');
});

test('without an endpoint, Send explains and offers the download; nothing is posted', async ({ page }) => {
  const events = await recordEvents(page);
  const posts = await fulfilReports(page);
  await startFlow(page);
  await page.locator('report-helper').evaluate((el) => el.removeAttribute('endpoint'));
  await driveToReview(page, { situation: 'other', urls: ['https://example.com/no-endpoint'] });
  const raw = JSON.parse(await page.locator('#raw-json').textContent());
  await page.locator('#send').click();
  await expectStep(page, 'send');
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.noEndpoint', { name: standaloneConfig().name }));
  await expect(page.locator('#retry')).toBeHidden();
  await expect(page.locator('#back-to-review')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-report').click()]);
  const report = JSON.parse(JSON.parse(await downloaded(download)).report);
  expectValidReport(report);
  expect(report).toEqual(raw);
  expect(posts).toEqual([]);
  expect(events.filter((e) => e.type === 'report-helper-failed').map((e) => e.detail)).toEqual([{ code: 'no-endpoint', willRetry: false }]);
});

// ---- 5. quick exit -----------------------------------------------------------------------------

test('quick exit by the button: straight to the exit page, the exit event, no question, no history entry', async ({ page }) => {
  const events = await recordEvents(page);
  const dialogs = collectDialogs(page);
  await startFlow(page);
  await chooseSituation(page, 'shared'); // would make leaving ask
  const historyBefore = await page.evaluate(() => history.length);
  await page.locator('#exit').click();
  await page.waitForURL(EXIT_URLS.en);
  await expect(page).toHaveTitle('exit');
  expect(events.filter((e) => e.type === 'report-helper-exit')).toEqual([{ type: 'report-helper-exit', detail: {}, target: 'report-helper' }]);
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => history.length)).toBe(historyBefore);
});

test('quick exit in Dutch goes to the Dutch default exit page', async ({ page }) => {
  const dialogs = collectDialogs(page);
  await startFlow(page, { lang: 'nl' });
  await chooseSituation(page, 'other');
  await expect(page.locator('#exit')).toHaveText(nl['exit.button']);
  await page.locator('#exit').click();
  await page.waitForURL(EXIT_URLS.nl);
  await expect(page).toHaveTitle('exit');
  expect(dialogs).toEqual([]);
});

test('quick exit by Shift three times, to the exit-url attribute; capitals typed with Shift do not count', async ({ page }) => {
  const events = await recordEvents(page);
  const dialogs = collectDialogs(page);
  const exitUrl = 'https://neutral.example/weather';
  const hits = await routeExits(page, [exitUrl]);
  await startFlow(page);
  await page.locator('report-helper').evaluate((el, url) => el.setAttribute('exit-url', url), exitUrl);
  await driveToReview(page, { situation: 'other', urls: ['https://example.com/x'] });
  await back(page);
  await expectStep(page, 'about');

  // "ABC" typed with Shift, twice over, and a Shift-held word: the page stays.
  const explanation = page.locator('#explanation');
  await explanation.click();
  for (const key of ['Shift+A', 'Shift+B', 'Shift+C']) await page.keyboard.press(key);
  await page.keyboard.down('Shift');
  await page.keyboard.type('DEF');
  await page.keyboard.up('Shift');
  await expect(explanation).toHaveValue('ABCDEF');
  // Two Shifts after typing are not three.
  await page.keyboard.press('Shift');
  await page.keyboard.press('Shift');
  expect(page.url()).not.toBe(exitUrl);
  await expectStep(page, 'about');
  expect(events.filter((e) => e.type === 'report-helper-exit')).toEqual([]);
  // A letter resets the count: Shift, Shift, x, Shift does not leave.
  await page.keyboard.press('x');
  await page.keyboard.press('Shift');
  expect(page.url()).not.toBe(exitUrl);
  expect(events.filter((e) => e.type === 'report-helper-exit')).toEqual([]);
  await page.keyboard.press('y');
  await expect(explanation).toHaveValue('ABCDEFxy');

  await page.keyboard.press('Shift');
  await page.keyboard.press('Shift');
  await page.keyboard.press('Shift');
  await page.waitForURL(exitUrl);
  await expect(page).toHaveTitle('exit');
  expect(hits).toEqual([exitUrl]);
  expect(events.filter((e) => e.type === 'report-helper-exit')).toHaveLength(1);
  expect(dialogs).toEqual([]);
});

test('quick exit with files: blanks the page, ends the workers, revokes the previews, sends nothing', async ({ page }) => {
  const events = await recordEvents(page);
  const dialogs = collectDialogs(page);
  const posts = await fulfilReports(page);
  await startFlow(page);
  // The exit page answers 204 No Content: the browser then stays on the old document, so what
  // the exit left behind there can be looked at. (Any other exit page replaces the document, and
  // with it the workers, whatever the element did.)
  const exitUrl = 'https://exit.invalid/stay';
  const exits = [];
  await page.route(exitUrl, (route) => {
    exits.push(route.request().url());
    return route.fulfill({ status: 204, body: '' });
  });
  await page.locator('report-helper').evaluate((el, url) => el.setAttribute('exit-url', url), exitUrl);

  await chooseSituation(page, 'shared');
  await next(page);
  const big = await flowRandomFile('exit-big.bin', 48 << 20);
  await addFilesOnStep(page, [vectorPath(JPEG), big]);
  const first = page.locator('#files > li.file').first();
  await expect(first).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const thumb = await first.locator('.thumb img').getAttribute('src');
  expect(thumb).toMatch(/^blob:/);
  // An <img> is the one thing the page's CSP lets read a blob: URL.
  const loads = (src) =>
    page.evaluate((src) => new Promise((resolve) => Object.assign(new Image(), { onload: () => resolve('loads'), onerror: () => resolve('fails'), src })), src);
  expect(await loads(thumb)).toBe('loads');
  expect(page.workers().length).toBeGreaterThan(0);

  await page.locator('#exit').click();
  await expect.poll(() => exits).toEqual([exitUrl]);
  expect(new URL(page.url()).pathname).toBe('/');
  await expect.poll(() => page.workers().length).toBe(0);
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).display)).toBe('none');
  expect(await page.locator('report-helper').evaluate((el) => el.shadowRoot.childNodes.length)).toBe(0);
  expect(await loads(thumb)).toBe('fails');
  expect(events.filter((e) => e.type === 'report-helper-exit')).toHaveLength(1);
  expect(posts).toEqual([]);
  expect(dialogs).toEqual([]);
});

// ---- 6. embedding ------------------------------------------------------------------------------

const EMBED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A helpline's page</title>
<script type="module">
  import { ReportHelper } from '/report-helper.js';
  ReportHelper.define('my-report');
</script>
</head><body>
<h1>Helpline</h1>
<report-helper endpoint="/api/reports"></report-helper>
<my-report lang="nl" endpoint="/api/reports" style="--report-helper-accent: rgb(1, 2, 3)"></my-report>
</body></html>`;

test('embedding: the default tag and a second one from ReportHelper.define() both work; custom properties theme it; events reach the document', async ({ page }) => {
  await page.route('**/embed-test.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: EMBED_PAGE }));
  const events = await recordEvents(page);
  const requests = await fulfilReports(page, { reference: 'EMB-1', token: 'emb-token' });
  await routeExits(page);
  await page.goto('/embed-test.html');

  const first = page.locator('report-helper');
  const second = page.locator('my-report');
  await expect(first.locator('section[data-step="situation"] h2')).toHaveText(en['situation.heading']);
  await expect(second.locator('section[data-step="situation"] h2')).toHaveText(nl['situation.heading']);
  expect(await second.evaluate((el) => [el.language, el.step, el.constructor === customElements.get('report-helper')])).toEqual(['nl', 'situation', false]);

  // The accent colour given on the host reaches the primary button inside the shadow root.
  const background = (host) => host.locator('section[data-step="situation"] .next').evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(await background(second)).toBe('rgb(1, 2, 3)');
  expect(await background(first)).not.toBe('rgb(1, 2, 3)');

  // The second one, in Dutch, sends a URL-only report.
  await driveToReview(page, { situation: 'other', urls: ['https://example.com/b'] }, 'my-report');
  await send(page, 'my-report');
  expect(await waitSent(page, 'my-report')).toEqual({ reference: 'EMB-1', token: 'emb-token' });
  // The first one hashes a file, independently.
  await expectStep(page, 'situation', 'report-helper');
  await driveToReview(page, { situation: 'shared', files: [vectorPath(JPEG)] }, 'report-helper');
  await send(page, 'report-helper');
  await waitSent(page, 'report-helper');

  expect(requests.map((r) => r.json.language)).toEqual(['nl', 'en']);
  for (const r of requests) expectValidReport(r.json);
  const want = await nodeDigests(vectorPath(JPEG));
  expect(events.filter((e) => e.type === 'report-helper-hashed').map((e) => [e.target, e.detail.sha256])).toEqual([['report-helper', want.sha256]]);
  expect(events.filter((e) => e.type === 'report-helper-sent').map((e) => [e.target, e.detail.reference])).toEqual([
    ['my-report', 'EMB-1'],
    ['report-helper', 'EMB-1'],
  ]);
});

// ---- 7. leaving with a report started ----------------------------------------------------------

test('leaving asks once a situation is chosen, not before', async ({ page }) => {
  const dialogs = collectDialogs(page);
  await startFlow(page);
  // A click (so the page has a user gesture) but nothing started yet: leaving does not ask.
  await next(page);
  await expect(page.locator('#situation-error')).toBeVisible();
  await page.goto('/?second');
  expect(dialogs).toEqual([]);
  await expectStep(page, 'situation');

  await chooseSituation(page, 'threatened');
  const leaving = page.goto('/?third').catch((e) => e);
  await expect.poll(() => dialogs).toEqual(['beforeunload']);
  await leaving;
  // Dismissed: the person is still on the page, with their choice.
  expect(new URL(page.url()).search).toBe('?second');
  await expect(page.locator('input[name="situation"][value="threatened"]')).toBeChecked();
});

// ---- 8. files: removal, and Send waits for hashing ----------------------------------------------

test('removing a file takes it out of the report', async ({ page }) => {
  const requests = await fulfilReports(page);
  await startFlow(page);
  await chooseSituation(page, 'shared');
  await next(page);
  const jpeg = vectorPath(JPEG);
  const notes = await notesFile();
  await addFilesOnStep(page, [jpeg, notes]);
  await waitAllHashed(page, 2);
  await page.locator('#files > li.file').first().locator('.remove').click();
  await expect(page.locator('#files > li.file')).toHaveCount(1);
  await next(page);
  await addUrls(page, 'https://example.com/c');
  await next(page);
  await passEvidence(page);
  await fillAbout(page, { goodFaith: true });
  await goToReview(page);
  const jpegDigests = await nodeDigests(jpeg);
  const notesDigests = await nodeDigests(notes);
  const summary = page.locator('#review dl.summary');
  await expect(summary).toContainText(text(en, 'review.items', { count: 1 }));
  await expect(page.locator('#raw-json')).toContainText(notesDigests.sha256);
  await expect(page.locator('#raw-json')).not.toContainText(jpegDigests.sha256);
  await send(page);
  await waitSent(page);
  expect(requests[0].json.items).toEqual([{ kind: 'other', sha256: notesDigests.sha256, md5: notesDigests.md5, sha1: notesDigests.sha1 }]);
});

test('Send stays disabled while a file is still being hashed, and the review fills in when it is done', async ({ page, context }) => {
  const requests = await fulfilReports(page);
  await startFlow(page);
  // Hold the worker's script: the file waits, unhashed, until the test lets it go.
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await context.route('**/worker.js', async (route) => {
    await held;
    await route.continue();
  });
  await chooseSituation(page, 'shared');
  await next(page);
  const notes = await notesFile();
  await addFilesOnStep(page, [notes]);
  await next(page);
  await addUrls(page, 'https://example.com/d');
  await next(page);
  await passEvidence(page);
  await fillAbout(page, { goodFaith: true });
  await goToReview(page);
  await expect(page.locator('#send')).toBeDisabled();
  await expect(page.locator('#review-pending')).toHaveText(text(en, 'review.pending', { count: 1 }));
  await expect(page.locator('#review dl.summary')).toContainText(text(en, 'review.items', { count: 0 }));

  release();
  await expect(page.locator('#send')).toBeEnabled({ timeout: 60_000 });
  await expect(page.locator('#review-pending')).toHaveText('');
  const want = await nodeDigests(notes);
  await expect(page.locator('#review dl.summary')).toContainText(text(en, 'review.items', { count: 1 }));
  await expect(page.locator('#raw-json')).toContainText(want.sha256); // the digests are in the JSON, not the words
  await send(page);
  await waitSent(page);
  expect(requests[0].json.items).toEqual([{ kind: 'other', sha256: want.sha256, md5: want.md5, sha1: want.sha1 }]);
});
