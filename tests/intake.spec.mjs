// The whole thing working, as `make run` starts it: the site served by the real
// `report-helper serve` under its CSP, a report sent from the browser to the real intake and
// stored in SQLite, and the victim checking its status and withdrawing it with the receipt's
// reference and access code while the helpline works the queue with `report-helper reports`.
// Expected texts come from the catalogs, digests from Node's crypto, the stored report from
// what the browser posted; nothing here answers for the server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { nodeDigests } from './helpers.mjs';
import { startIntake } from './intake-server.mjs';
import { KEY, MD5_EMPTY, PDQ, PDQ_STORED, SHA256_EMPTY, distinctHashes, vpdqHashes } from '../schema/tests/make-report-v1-cases.mjs';
import {
  catalog,
  driveToReview,
  expectValidReport,
  flowFile,
  removeFlowFiles,
  routeExits,
  send,
  standaloneConfig,
  text,
  vectorPath,
  waitSent,
} from './flow-helpers.mjs';

const en = catalog('en');
const nl = catalog('nl');
const JPEG = vectorPath('bridge-mods/aaa-orig.jpg');

let intake;
test.beforeAll(async () => {
  intake = await startIntake();
});
test.afterAll(async () => {
  await intake?.stop();
  await removeFlowFiles();
});

/** Opens the intake's own page; records every request the page makes. */
async function open(page, lang = 'en') {
  await routeExits(page);
  const requests = [];
  page.on('request', (r) => requests.push(r));
  await page.goto(intake.url);
  if (lang === 'nl') await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#h-situation')).toHaveText(catalog(lang)['situation.heading']);
  return requests;
}

/** Drives a report with the JPEG vector, a text file and two URLs to the review, and sends it. */
async function sendOne(page, { lang = 'en' } = {}) {
  const notes = await flowFile(`victim-notes-${Date.now()}.txt`, Buffer.from(`private ${Math.random()}\n`.repeat(40)));
  await driveToReview(page, {
    situation: 'shared',
    files: [JPEG, notes],
    urls: ['https://pics.example/album/1', 'forum.example/t/9?p=2'],
    about: { name: 'Sam Example', email: 'sam@example.org', explanation: lang === 'nl' ? 'Zonder toestemming geplaatst.' : 'Posted without my consent.' },
  });
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${intake.url}api/reports`);
  await send(page);
  const body = (await posted).postData();
  const sent = await waitSent(page);
  return { body, sent, files: [JPEG, notes] };
}

/** The report as the intake stores and shows it: the text sent, less its idempotency_key. */
const withoutKey = (text) => {
  const { idempotency_key: _key, ...rest } = JSON.parse(text);
  return JSON.stringify(rest);
};

const checkSection = (page) => page.locator('report-helper section[data-step="check"]');

async function checkStatus(page, reference, token) {
  await page.locator('#check-reference').fill(reference);
  await page.locator('#check-token').fill(token);
  await page.locator('#check-submit').click();
}

test('a report sent from the page is stored once, exactly as reviewed; its status follows the helpline and the victim can withdraw it', async ({ page }) => {
  const requests = await open(page);
  const { body, sent, files } = await sendOne(page);

  // The answer: a readable reference and a long access code, shown to the person.
  expect(sent.reference).toMatch(/^RH-[0-9A-HJKMNP-TV-Z]{8}$/);
  expect(sent.token).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.sent', { name: standaloneConfig().name }));

  // Stored once, and what is stored is what the browser posted, which the review showed, less
  // the idempotency key (kept only as a keyed hash: a stored report cannot be replayed).
  const [row, ...more] = intake.reports('list');
  expect(more).toEqual([]);
  expect(row).toMatchObject({ reference: sent.reference, status: 'received' });
  const [shown] = intake.reports('show', sent.reference);
  const posted = JSON.parse(body);
  expectValidReport(posted);
  expect(JSON.stringify(shown.report)).toBe(withoutKey(body));
  expect(JSON.stringify(shown)).not.toContain(posted.idempotency_key);
  expect(JSON.parse(await page.locator('#raw-json').textContent())).toEqual(posted);
  const want = await Promise.all(files.map(nodeDigests));
  expect(posted.items.map((i) => i.sha256)).toEqual(want.map((d) => d.sha256));
  expect(posted.urls).toEqual(['https://pics.example/album/1', 'https://forum.example/t/9?p=2']);

  // The receipt holds the reference and code the intake gave.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-json').click()]);
  const receipt = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(receipt).toMatchObject({ reference: sent.reference, token: sent.token, endpoint: `${intake.url}api/reports` });

  // Straight from the sent step: the check is filled in.
  await page.locator('#sent-check').click();
  await expect(checkSection(page)).toBeVisible();
  expect(await page.locator('report-helper').evaluate((el) => el.step)).toBe('check');
  await expect(page.locator('#h-check')).toBeFocused();
  await expect(page.locator('#check-reference')).toHaveValue(sent.reference);
  await page.locator('#check-submit').click();
  await expect(page.locator('#check-status')).toHaveText(text(en, 'check.status.received', { reference: sent.reference }));

  // The helpline takes it up: the victim sees it.
  expect(intake.reports('set-status', sent.reference, 'in_progress')[0]).toMatchObject({ status: 'in_progress' });
  await page.locator('#check-submit').click();
  await expect(page.locator('#check-status')).toHaveText(text(en, 'check.status.in_progress', { reference: sent.reference }));

  // Withdrawing asks first; "No" keeps it.
  await page.locator('#withdraw').click();
  await expect(page.locator('#withdraw-confirm')).toBeVisible();
  await expect(page.locator('#withdraw-confirm')).toContainText(en['check.withdrawConfirm']);
  await page.locator('#withdraw-no').click();
  await expect(page.locator('#withdraw-confirm')).toBeHidden();
  expect(intake.reports('list')[0].status).toBe('in_progress');
  await page.locator('#withdraw').click();
  await page.locator('#withdraw-yes').click();
  await expect(page.locator('#check-status')).toHaveText(text(en, 'check.status.withdrawn', { reference: sent.reference }));
  await expect(page.locator('#check-status')).toBeFocused();
  await expect(page.locator('#withdraw')).toBeHidden();
  expect(intake.reports('list')[0].status).toBe('withdrawn');

  // Back leads to the sent step, where the check was opened.
  await page.locator('#check-back').click();
  await expect(page.locator('#sent')).toBeVisible();
  await expect(page.locator('#sent-check')).toBeFocused();

  // Only the page's own origin was contacted, and the status checks carried only the code.
  for (const r of requests) expect(new URL(r.url()).origin).toBe(intake.origin);
  const checks = requests.filter((r) => r.url().startsWith(`${intake.url}api/reports/`));
  expect(checks.map((r) => r.method())).toEqual(['GET', 'GET', 'DELETE']);
  for (const r of checks) {
    expect(r.url()).toBe(`${intake.url}api/reports/${sent.reference}`);
    expect(r.postData()).toBeNull();
    const headers = await r.allHeaders();
    expect(headers.authorization).toBe(`Bearer ${sent.token}`);
    expect(headers.cookie).toBeUndefined();
    expect(headers.referer).toBeUndefined();
  }
});

test('a later visit: the receipt file fills in the check, typed codes may be lower case, a wrong code says nothing about the report', async ({ page }) => {
  await open(page);
  const { sent } = await sendOne(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-json').click()]);
  const receiptPath = await download.path();

  // A new visit, in Dutch.
  await open(page, 'nl');
  await page.locator('#to-check').click();
  await expect(checkSection(page)).toBeVisible();
  await expect(page.locator('#h-check')).toHaveText(nl['check.heading']);
  await expect(page.locator('#step-count')).toHaveText('');

  // Both fields are needed.
  await page.locator('#check-submit').click();
  await expect(page.locator('#check-error')).toHaveText(nl['check.missing']);
  await expect(page.locator('#check-reference')).toBeFocused();
  await expect(page.locator('#check-reference')).toHaveAttribute('aria-invalid', 'true');

  // A wrong code and an unknown reference get the same answer.
  await checkStatus(page, sent.reference, 'WRONG0TOKEN0WRONG0TOKEN000');
  await expect(page.locator('#check-error')).toHaveText(nl['check.notFound']);
  await checkStatus(page, 'RH-00000000', sent.token);
  await expect(page.locator('#check-error')).toHaveText(nl['check.notFound']);
  await expect(page.locator('#check-result')).toBeHidden();

  // Typed by hand: lower case, with spaces.
  const spaced = (s) => s.toLowerCase().replace(/(.{4})/g, '$1 ').trim();
  await checkStatus(page, spaced(sent.reference), spaced(sent.token));
  await expect(page.locator('#check-error')).toBeHidden();
  await expect(page.locator('#check-status')).toHaveText(text(nl, 'check.status.received', { reference: sent.reference }));

  // Not a receipt: said so.
  await page.locator('#receipt-input').setInputFiles({ name: 'holiday.json', mimeType: 'application/json', buffer: Buffer.from('{"photos": 3}') });
  await expect(page.locator('#check-error')).toHaveText(nl['check.badReceipt']);

  // The receipt: read on the device, and the check runs at once.
  await page.locator('#check-reference').fill('');
  await page.locator('#check-token').fill('');
  await page.locator('#receipt-input').setInputFiles(receiptPath);
  await expect(page.locator('#check-reference')).toHaveValue(sent.reference);
  await expect(page.locator('#check-status')).toHaveText(text(nl, 'check.status.received', { reference: sent.reference }));
  await expect(page.locator('#check-note')).toBeHidden();

  // Back to where the person was.
  await page.locator('#check-back').click();
  await expect(page.locator('report-helper section[data-step="situation"]')).toBeVisible();
  await expect(page.locator('#to-check')).toBeFocused();
});

test('a send whose answer is lost is retried with the same key and access code: one report, and the person holds a code that works; a copy of the report gets none', async ({ page }) => {
  await open(page);
  const authorizations = [];
  // The first POST reaches the intake (and is stored); its answer never reaches the page.
  await page.route(`${intake.url}api/reports`, async (route) => {
    authorizations.push(route.request().headers().authorization);
    if (authorizations.length === 1) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const before = intake.reports('list').length;
  const { body, sent } = await sendOne(page);
  // Both attempts carried the same code, made on the page; the replay's answer gave it back.
  expect(authorizations).toHaveLength(2);
  expect(authorizations[0]).toMatch(/^Bearer [0-9A-HJKMNP-TV-Z]{26}$/);
  expect(authorizations[1]).toBe(authorizations[0]);
  expect(sent.token).toBe(authorizations[0].slice('Bearer '.length));
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.sent', { name: standaloneConfig().name }));
  const rows = intake.reports('list');
  expect(rows).toHaveLength(before + 1);
  expect(rows.filter((r) => r.reference === sent.reference)).toHaveLength(1);
  // The code works: the status check reads the report.
  await page.locator('#sent-check').click();
  await page.locator('#check-submit').click();
  await expect(page.locator('#check-status')).toHaveText(text(en, 'check.status.received', { reference: sent.reference }));

  // Anyone else posting a copy of the same report (curl, another client): no code.
  const endpoint = `${intake.url}api/reports`;
  for (const headers of [{}, { Authorization: `Bearer ${'Z'.repeat(26)}` }]) {
    const copy = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ reference: sent.reference, status: 'received', replayed: true });
  }
});

test('a report the intake already had from an attempt without this page\'s code: the page says so and shows the reference, without a code', async ({ page }) => {
  await open(page);
  let attempts = 0;
  // The first attempt reaches the intake without the page's code (so the intake makes its own,
  // whose answer is lost); the retry brings the page's code, which is not the report's.
  await page.route(`${intake.url}api/reports`, async (route) => {
    attempts++;
    if (attempts === 1) {
      const { authorization: _dropped, ...headers } = route.request().headers();
      await route.fetch({ headers });
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const { sent } = await sendOne(page);
  expect(attempts).toBe(2);
  expect(sent.reference).toMatch(/^RH-[0-9A-HJKMNP-TV-Z]{8}$/);
  expect(sent.token).toBe('');
  await expect(page.locator('#send-status')).toHaveText(text(en, 'send.alreadyHad', { name: standaloneConfig().name }));
  await expect(page.locator('#sent-keep')).toHaveText(en['sent.keepReference']);
  for (const id of ['#token-term', '#token-value', '#check-later', '#sent-check']) await expect(page.locator(id)).toBeHidden();
  await expect(page.locator('#reference')).toBeVisible();
  // The receipt still has the reference, and no code.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-json').click()]);
  const receipt = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(receipt).toMatchObject({ reference: sent.reference, token: null });
});

test('a video of three hours: its frames, built into the report on the page and sent, are stored as posted; more is refused', async ({ page }) => {
  await open(page);
  const hashes = distinctHashes(10800);
  const result = await page.evaluate(async ({ endpoint, hashes, key, sha256, md5, pdq }) => {
    const { buildReport, sendReport } = await import('/report.js');
    // hashFile()'s frames: every hash twice, the second time under quality 50.
    const frames = (list) => list.flatMap((hash, i) => [{ frame: 2 * i, hash, quality: 90 }, { frame: 2 * i + 1, hash, quality: 20 }]);
    const draft = (list, idempotency_key) => ({
      idempotency_key, created_at: '2026-11-28T01:02:03.456Z', language: 'en', situation: 'shared',
      items: [
        { kind: 'video', sha256, md5, vpdq: { frames: frames(list) } },
        { kind: 'image', sha256, md5, pdq: { hash: pdq, quality: 100 } },
      ],
      urls: ['https://videos.example/v/1'], good_faith: true,
    });
    const { json } = await buildReport(draft(hashes, key));
    const sent = await sendReport(endpoint, json, { delays: [] });
    const outcome = (p) => p.then(() => null, (e) => ({ code: e.code, field: e.field, problem: e.problem, status: e.status }));
    const more = [...hashes, `${'f'.repeat(56)}5a5a5a5a`];
    const tooMany = await outcome(buildReport(draft(more, `${key.slice(0, -1)}x`)));
    // Room for hashes only: 64 KiB of other text and one hash is refused by the intake too.
    const padded = JSON.stringify({ ...JSON.parse(json), idempotency_key: `${key.slice(0, -1)}y` }).replace('"good_faith"', `${' '.repeat(65536)}"good_faith"`);
    const rejected = await outcome(sendReport(endpoint, padded, { delays: [] }));
    return { json, sent, tooMany, rejected };
  }, { endpoint: `${intake.url}api/reports`, hashes, key: `${KEY.slice(0, -4)}v001`, sha256: SHA256_EMPTY, md5: MD5_EMPTY, pdq: PDQ });

  const posted = JSON.parse(result.json);
  // The repeats under quality 50 are left out; the hashes are Node's base64 of the rest.
  expect(posted.items[0]).toEqual({
    kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { seconds_per_hash: 1, hashes: vpdqHashes(hashes) },
  });
  expectValidReport(posted);
  const [shown] = intake.reports('show', result.sent.reference);
  expect(JSON.stringify(shown.report)).toBe(withoutKey(result.json));
  expect(shown.status).toBe('received');
  expect(result.tooMany).toEqual({ code: 'invalid-report', field: 'items[0].vpdq.hashes', problem: 'too-many', status: undefined });
  expect(result.rejected).toEqual({ code: 'send-rejected', field: '', problem: undefined, status: 413 });
});

test('a turned photo (issue 19): pdq_stored beside pdq is stored as posted; without pdq it is refused on the page and by the intake', async ({ page }) => {
  await open(page);
  const result = await page.evaluate(async ({ endpoint, key, sha256, md5, pdq, stored }) => {
    const { buildReport, sendReport } = await import('/report.js');
    const draft = (item, idempotency_key) => ({
      idempotency_key, created_at: '2026-12-03T09:00:00.000Z', language: 'en', situation: 'shared',
      items: [{ kind: 'image', sha256, md5, ...item }], urls: [], good_faith: true,
    });
    const outcome = (p) => p.then(() => null, (e) => ({ code: e.code, field: e.field, problem: e.problem, status: e.status }));
    const { json } = await buildReport(draft({ pdq: { hash: pdq, quality: 100 }, pdq_stored: { hash: stored, quality: 97 } }, key));
    const sent = await sendReport(endpoint, json, { delays: [] });
    const alone = await outcome(buildReport(draft({ pdq_stored: { hash: stored, quality: 97 } }, `${key.slice(0, -1)}x`)));
    const item = { kind: 'image', sha256, md5, pdq_stored: { hash: stored, quality: 97 } };
    const forged = JSON.stringify({ ...JSON.parse(json), idempotency_key: `${key.slice(0, -1)}y`, items: [item] });
    const rejected = await outcome(sendReport(endpoint, forged, { delays: [] }));
    return { json, sent, alone, rejected };
  }, { endpoint: `${intake.url}api/reports`, key: `${KEY.slice(0, -4)}o001`, sha256: SHA256_EMPTY, md5: MD5_EMPTY, pdq: PDQ, stored: PDQ_STORED });

  const posted = JSON.parse(result.json);
  expect(posted.items).toEqual([
    { kind: 'image', sha256: SHA256_EMPTY, md5: MD5_EMPTY, pdq: { hash: PDQ, quality: 100 }, pdq_stored: { hash: PDQ_STORED, quality: 97 } },
  ]);
  expectValidReport(posted);
  const [shown] = intake.reports('show', result.sent.reference);
  expect(JSON.stringify(shown.report)).toBe(withoutKey(result.json));
  expect(result.alone).toEqual({ code: 'invalid-report', field: 'items[0].pdq', problem: 'missing', status: undefined });
  expect(result.rejected).toEqual({ code: 'send-rejected', field: 'items[0].pdq', problem: undefined, status: 422 });
});

test('the intake serves the site under the same headers the site is tested under', async ({ request }) => {
  const { CSP } = await import('../tools/serve.mjs');
  for (const path of ['', 'report-helper.js', 'wasm/report_helper_bg.wasm', 'i18n/nl.json']) {
    const r = await request.get(`${intake.url}${path}`);
    expect(r.status(), path).toBe(200);
    expect(r.headers()['content-security-policy']).toBe(CSP);
    expect(r.headers()['x-content-type-options']).toBe('nosniff');
    expect(r.headers()['referrer-policy']).toBe('no-referrer');
    expect(r.headers()['cross-origin-resource-policy']).toBe('same-origin');
    expect(r.headers()['set-cookie']).toBeUndefined();
  }
});

test('a helpline page on another origin embeds the helper from the intake and posts to it, allowed by --allow-origin', async ({ page }) => {
  // The helpline's own server, on another port of the loopback (Chromium lets a page reach the
  // loopback only from the loopback), with the CSP of docs/embedding.md for cross-origin embedding.
  const { serve } = await import('../tools/serve.mjs');
  const dir = await mkdtemp(join(tmpdir(), 'rh-helpline-'));
  const headers = {}; // read at each request: the CSP is set below, once the intake's origin is known
  const helpline = await serve(dir, { port: 0, headers });
  const site = new URL(helpline.url).origin;
  const cross = await startIntake({ allowOrigins: [site] });
  try {
    const helper = cross.origin;
    const endpoint = `${cross.url}api/reports`;
    const csp = [
      "default-src 'none'",
      `script-src ${helper} 'wasm-unsafe-eval'`,
      `worker-src blob: ${helper}`,
      `style-src ${helper}`,
      'img-src blob:',
      `connect-src ${helper}`,
      "base-uri 'none'",
    ].join('; ');
    await writeFile(join(dir, 'index.html'), `<!doctype html><html lang="en"><title>Helpline</title><h1>Helpline</h1>
<script type="module" src="${helper}/report-helper.js"></script>
<report-helper endpoint="${endpoint}"></report-helper>`);
    headers['Content-Security-Policy'] = csp;
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(helpline.url);
    await page.locator('input[name=situation][value=other]').check();
    await page.locator('input[name=age][value=no]').check();
    await page.locator('section[data-step=situation] .next').click();
    await page.locator('section[data-step=files] .next').click();
    await page.locator('#url-input').fill('https://pics.example/x');
    await page.locator('section[data-step=urls] .next').click();
    await page.locator('section[data-step=evidence] .next').click();
    await page.locator('#good-faith').check();
    await page.locator('section[data-step=about] .next').click();
    await page.locator('#send').click();
    const sent = await waitSent(page);
    expect(cross.reports('list').map((r) => r.reference)).toEqual([sent.reference]);
    // The status check crosses origins too (its Authorization header needs a preflight).
    await page.locator('#sent-check').click();
    await page.locator('#check-submit').click();
    await expect(page.locator('#check-status')).toHaveText(text(en, 'check.status.received', { reference: sent.reference }));
    expect(problems).toEqual([]);
  } finally {
    await cross.stop();
    helpline.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
