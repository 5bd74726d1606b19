// After sending, and when sending fails (issue 17, items 4, 5 and 6): the sent page names the
// configured helpline, lists what happens next with its time frames, shows the reference and the
// access code in groups with copy buttons and a warning, and so does the printable receipt; with
// no configuration the words are neutral; the evidence package can be kept before sending; a
// failure that lasts ends with the helpline's other routes and a saved report, which a later
// visit sends, checked by the core, to the real intake, stored once. Every new state is scanned
// by axe-core and checked at 360x740, with a screenshot in test-results/screenshots/.
// Expected values come from the standalone page's configuration (www/index.html), the catalogs,
// the intake's own answers and Node's crypto; never from the code under test.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { startIntake } from './intake-server.mjs';
import {
  addUrls,
  axe,
  catalog,
  chooseSituation,
  driveToReview,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  routeExits,
  send,
  standaloneConfig,
  text,
  vectorPath,
  waitSent,
} from './flow-helpers.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, bypassCSP: true };
const SHOT = vectorPath('misc-images/c.png');

const CONFIG = standaloneConfig();
const local = (value, lang) => (typeof value === 'string' ? value : value[lang]);
const days = (m, n) => (n === 1 ? m['next.oneDay'] : text(m, 'next.days', { n }));
const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let intake;
let dir;
test.beforeAll(async () => {
  intake = await startIntake();
  dir = await mkdtemp(join(tmpdir(), 'rh-after-'));
});
test.afterAll(async () => {
  await intake?.stop();
  await rm(dir, { recursive: true, force: true });
});

// ---- checks of a state ---------------------------------------------------------------------------

/** Parts that stick out of the 360 px viewport, through the shadow root. */
const sideways = (page) =>
  page.evaluate(() => {
    const found = [];
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) walk(e.shadowRoot);
        if (!e.getClientRects().length || e.closest('pre')) continue;
        const r = e.getBoundingClientRect();
        if (r.left < -0.5 || r.right > 360.5) found.push(`${e.localName}#${e.id} ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
    };
    walk(document);
    return found;
  });

/** Visible buttons and summaries of the step shown smaller than 24x24 px. */
const smallTargets = (page) =>
  helper(page).evaluate((host) => {
    const section = host.shadowRoot.querySelector('section[data-step]:not([hidden])');
    return [...section.querySelectorAll('button, .button, summary')]
      .filter((t) => t.getClientRects().length)
      .map((t) => ({ what: `${t.localName}#${t.id} ${t.textContent.trim().slice(0, 30)}`, ...t.getBoundingClientRect().toJSON() }))
      .filter((t) => t.width < 24 || t.height < 24)
      .map((t) => t.what);
  });

/** axe, no sideways scroll at 360 px, targets of 24 px; then a screenshot named `name`. */
async function checkState(page, name) {
  expect(await axe(page), `${name}: axe`).toEqual([]);
  expect(await page.evaluate(() => document.scrollingElement.scrollWidth), `${name}: width`).toBeLessThanOrEqual(360);
  expect(await sideways(page), `${name}: sideways`).toEqual([]);
  expect(await smallTargets(page), `${name}: small targets`).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, `after-${name}.png`), fullPage: true });
}

/** A download saved into this test's folder; its path. */
async function saved(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(dir, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return { path, name: download.suggestedFilename() };
}

/** Python's zipfile: the names, and one entry's bytes. */
const zipNames = (path) => JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile;print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', path], { encoding: 'utf8' }));
const unzip = (path, name) =>
  execFileSync('python3', ['-c', 'import sys,zipfile;sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', path, name], { maxBuffer: 1 << 26 });

/** Opens the intake's own page (the standalone page with its configuration) in `lang`. */
async function openIntake(page, lang) {
  await routeExits(page);
  await page.goto(intake.url);
  if (lang === 'nl') await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#h-situation')).toHaveText(catalog(lang)['situation.heading']);
}

/** A code as the page groups it (its decision, docs/embedding.md): "RH-" first, then fours. */
const groupsOf = (code) => code.match(/^[^-]*-|.{1,4}/g);

// ---- the sent page, configured ---------------------------------------------------------------------

for (const [lang, who] of [['en', 'adult'], ['nl', 'minor']]) {
  test(`sent page in ${lang} (${who}): the helpline's name, what happens next, codes in groups with copy buttons, the warning; the same in the receipts`, async ({ browser }) => {
    const context = await browser.newContext(PHONE);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    const m = catalog(lang);
    const name = local(CONFIG.name, lang);
    const minor = who === 'minor';
    await openIntake(page, lang);
    await driveToReview(page, {
      situation: minor ? 'minor' : 'shared',
      urls: [`https://pics.example/${lang}/${Date.now()}`],
      about: minor ? {} : { name: 'Sam', email: 'sam@example.org' },
    });
    await send(page);
    const { reference, token } = await waitSent(page);
    expect(reference).toMatch(/^RH-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(token).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const el = helper(page);

    // A warm acknowledgement naming the helpline; for a child, that they are not in trouble.
    await expect(el.locator('#send-status')).toHaveText(text(m, 'send.sent', { name }));
    if (minor) await expect(el.locator('#sent-minor')).toHaveText(text(m, 'sent.minor', { name }));
    else await expect(el.locator('#sent-minor')).toBeHidden();
    // What happens next, with the configured time frames.
    const steps = [
      text(m, 'next.look', { name, days: days(m, CONFIG.firstLookDays) }),
      m['next.sites'],
      minor ? m['next.anonymous'] : text(m, 'next.answer', { days: days(m, CONFIG.answerDays) }),
      text(m, 'next.check', { check: m['check.open'] }),
    ];
    await expect(el.locator('#next-steps li')).toHaveText(steps);
    // The helpline's name, never the endpoint's address.
    const shown = await el.locator('section[data-step="send"]').innerText();
    expect(shown).not.toContain('api/reports');
    expect(shown).not.toContain(intake.origin);

    // The codes in groups of four; a screen reader gets them spelled out.
    await expect(el.locator('#reference span')).toHaveText(groupsOf(reference));
    expect(groupsOf(reference)).toEqual(['RH-', reference.slice(3, 7), reference.slice(7)]);
    await expect(el.locator('#reference-spelled')).toHaveText(groupsOf(reference).map((g) => [...g].join(' ')).join(', '));
    await expect(el.locator('#token span')).toHaveText(groupsOf(token));
    await expect(el.locator('#token-spelled')).toHaveText(groupsOf(token).map((g) => [...g].join(' ')).join(', '));
    await expect(el.locator('#code-warning')).toHaveText(`${m['sent.codeWarning']} ${m['sent.codeSafe']}`);
    await expect(el.locator('#code-warning')).toBeVisible();

    // Copy buttons: the code without spaces, and it says so.
    await el.locator('#copy-token').click();
    await expect(el.locator('#copy-status')).toHaveText(m['sent.copied']);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await el.locator('#copy-reference').click();
    await expect(el.locator('#copy-status')).toHaveText(m['sent.copied']);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reference);
    await checkState(page, `${lang}-sent-${who}`);

    // One primary action: the evidence package. Its receipt.html has the name, the warning and
    // the timeline; the receipts on their own are "Other ways to keep it".
    await expect(el.locator('section[data-step="send"] button.primary:visible')).toHaveAttribute('id', 'evidence-zip');
    await expect(el.locator('#receipt-html')).not.toHaveClass(/primary/);
    const zip = await saved(page, () => el.locator('#evidence-zip').click());
    expect(zip.name).toBe(`evidence-${reference}.zip`);
    expect(zipNames(zip.path)).toEqual(['receipt.json', 'receipt.html']);
    const printable = await readFile((await saved(page, () => el.locator('#receipt-html').click())).path, 'utf8');
    for (const html of [printable, unzip(zip.path, 'receipt.html').toString('utf8')]) {
      expect(html).toContain(escapeHtml(name));
      expect(html).toContain(escapeHtml(m['sent.codeWarning']));
      expect(html).toContain(escapeHtml(m['sent.codeSafe']));
      expect(html).toContain(`<ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`);
      expect(html).toContain(token);
    }
    await context.close();
  });
}

// ---- no configuration ------------------------------------------------------------------------------

const BARE_PAGE = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zonder configuratie</title>
<script type="module" src="/report-helper.js"></script></head>
<body><main><report-helper endpoint="/api/reports"></report-helper></main></body></html>`;

test('no configuration: neutral words after sending, no link, and a failed copy says so (nl)', async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const m = catalog('nl');
  const neutral = m['helpline.neutral'];
  // This browser refuses to copy: the page must say so.
  await page.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
  });
  await page.route('**/bare-test.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: BARE_PAGE }));
  await fulfilReports(page, { reference: 'RH-BARE1234', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123' });
  await routeExits(page);
  await page.goto('/bare-test.html');
  await expect(page.locator('#h-situation')).toHaveText(m['situation.heading']);
  await driveToReview(page, { situation: 'threatened', urls: ['https://example.com/bare'] });
  await send(page);
  await waitSent(page);
  const el = helper(page);
  await expect(el.locator('#send-status')).toHaveText(text(m, 'send.sent', { name: neutral }));
  await expect(el.locator('#next-steps li')).toHaveText([
    text(m, 'next.lookSoon', { name: neutral }),
    m['next.sites'],
    m['next.noEmail'],
    text(m, 'next.check', { check: m['check.open'] }),
  ]);
  await expect(el.locator('section[data-step="send"] a')).toHaveCount(0);
  await el.locator('#copy-token').click();
  await expect(el.locator('#copy-status')).toHaveText(m['sent.copyFailed']);
  await checkState(page, 'nl-sent-no-config');
  const html = await readFile((await saved(page, () => el.locator('#receipt-html').click())).path, 'utf8');
  // No name configured: the receipt has no "sent to" row of a name, and still the timeline.
  expect(html).not.toContain(`<th scope="row">${escapeHtml(m['sent.helpline'])}</th>`);
  expect(html).toContain(escapeHtml(text(m, 'next.lookSoon', { name: neutral })));
  await context.close();
});

test('no configuration, endpoint down: neutral words for other routes, and no link (nl)', async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const m = catalog('nl');
  const neutral = m['helpline.neutral'];
  await page.clock.install();
  await page.route('**/bare-test.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: BARE_PAGE }));
  await page.route('**/api/reports', (route) => route.abort('connectionrefused'));
  await routeExits(page);
  await page.goto('/bare-test.html');
  await expect(page.locator('#h-situation')).toHaveText(m['situation.heading']);
  await driveToReview(page, { situation: 'other', urls: ['https://example.com/bare-down'] });
  await send(page);
  const el = helper(page);
  for (const [i, seconds] of [1, 2, 4, 8, 16].entries()) {
    await expect(el.locator('#send-status')).toHaveText(text(m, 'send.retrying', { count: seconds, attempt: i + 2, name: neutral }));
    await page.clock.runFor(seconds * 1000);
  }
  await expect(el.locator('#send-status')).toHaveText(text(m, 'send.failed', { name: neutral }));
  await expect(el.locator('#failed-routes-heading')).toHaveText(text(m, 'failed.routes', { name: neutral }));
  await expect(el.locator('#failed-no-routes')).toHaveText(text(m, 'failed.noRoutes', { name: neutral }));
  await expect(el.locator('#failed-contacts')).toBeHidden();
  await expect(el.locator('section[data-step="send"] a')).toHaveCount(0);
  await expect(el.locator('#failed-save-how')).toHaveText(text(m, 'failed.saveHow', { button: m['saved.open'] }));
  // No screenshot kept: no package to offer.
  await expect(el.locator('#package-now')).toBeHidden();
  await checkState(page, 'nl-failed-no-config');
  await context.close();
});

// ---- the endpoint down to the end, the saved report sent later ----------------------------------

test('endpoint down to the end (en): the package before sending, the other routes, a saved report that a later visit sends once to the real intake', async ({ browser }) => {
  const m = catalog('en');
  const name = local(CONFIG.name, 'en');
  const first = await browser.newContext(PHONE);
  const page = await first.newPage();
  await page.clock.install();
  const posts = [];
  await page.route('**/api/reports', async (route) => {
    posts.push({ body: route.request().postData(), headers: await route.request().allHeaders() });
    return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"down"}' });
  });
  await openIntake(page, 'en');
  const el = helper(page);
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await addUrls(page, `https://pics.example/down/${Date.now()}`);
  await next(page);
  await expectStep(page, 'evidence');

  // The evidence step: once a screenshot is blacked out, the package can be kept, unsent.
  await expect(el.locator('#shots-package')).toBeHidden();
  await el.locator('#shot-input').setInputFiles(SHOT);
  const shot = el.locator('#shots > li.shot').first();
  await expect(shot.locator('.apply')).toBeEnabled();
  await shot.locator('.apply').click();
  await expect(shot).toHaveAttribute('data-state', 'redacted');
  await expect(el.locator('#shots-package')).toBeVisible();
  await expect(el.locator('#shots-package .hint')).toHaveText(m['package.now']);
  await checkState(page, 'en-evidence-package');
  const early = await saved(page, () => el.locator('#package-shots').click());
  expect(early.name).toMatch(/^evidence-\d{4}-\d\d-\d\d\.zip$/);
  expect(zipNames(early.path)).toEqual(['evidence-1.png', 'receipt.json', 'receipt.html']);
  const png = unzip(early.path, 'evidence-1.png');
  const earlyReceipt = JSON.parse(unzip(early.path, 'receipt.json'));
  expect(earlyReceipt).toEqual({
    receipt: 'report-helper/receipt@1',
    sent: false,
    evidence: [expect.objectContaining({ file: 'evidence-1.png', sha256: sha256(png), original: expect.objectContaining({ sha256: sha256(await readFile(SHOT)) }) })],
  });
  expect(unzip(early.path, 'receipt.html').toString('utf8')).toContain(escapeHtml(m['package.notSent']));
  expect(posts).toEqual([]);

  await next(page);
  await fillAbout(page, { email: 'sam@example.org' });
  await goToReview(page);
  await send(page);
  for (const [i, seconds] of [1, 2, 4, 8, 16].entries()) {
    await expect(el.locator('#send-status')).toHaveText(text(m, 'send.retrying', { count: seconds, attempt: i + 2, name }));
    await page.clock.runFor(seconds * 1000);
  }
  await expect(el.locator('#send-status')).toHaveText(text(m, 'send.failed', { name }));
  expect(posts).toHaveLength(6);

  // The helpline's other routes, from its configuration (the standalone page gives its website
  // and its hours).
  await expect(el.locator('#failed-routes-heading')).toHaveText(text(m, 'failed.routes', { name }));
  // (The hours are those of a phone or chat, which it does not give.)
  await expect(el.locator('#failed-contacts li')).toHaveText([`${m['failed.website']}: ${CONFIG.url}`]);
  await expect(el.locator('#failed-contacts a')).toHaveAttribute('href', CONFIG.url);
  await expect(el.locator('#failed-save-how')).toHaveText(text(m, 'failed.saveHow', { button: m['saved.open'] }));
  await checkState(page, 'en-failed');

  // The package again, now with the report that could not be sent (no reference, no code).
  const late = await saved(page, () => el.locator('#package-now').click());
  const lateReceipt = JSON.parse(unzip(late.path, 'receipt.json'));
  expect(lateReceipt.sent).toBe(false);
  expect(lateReceipt.report).toEqual(JSON.parse(posts[0].body));
  expect(lateReceipt).not.toHaveProperty('reference');
  expect(lateReceipt).not.toHaveProperty('token');

  // The saved report: the exact bytes posted, and the access code every attempt carried.
  const file = await saved(page, () => el.locator('#download-report').click());
  expect(file.name).toMatch(/^saved-report-\d{4}-\d\d-\d\d\.json$/);
  const savedReport = JSON.parse(await readFile(file.path, 'utf8'));
  expect(savedReport).toEqual({ saved_report: 'report-helper/saved-report@1', token: expect.any(String), report: posts[0].body });
  expect(posts[0].headers.authorization).toBe(`Bearer ${savedReport.token}`);
  await first.close();

  // A later visit, with nothing of the first: the first step's "Send a saved report".
  const later = await browser.newContext(PHONE);
  const page2 = await later.newPage();
  const bodies = [];
  page2.on('request', (r) => r.method() === 'POST' && bodies.push(r.postData()));
  await openIntake(page2, 'en');
  const el2 = helper(page2);
  await expect(el2.locator('#send-saved')).toHaveText(m['saved.open']);
  const sendSaved = async (path) => {
    const [chooser] = await Promise.all([page2.waitForEvent('filechooser'), el2.locator('#send-saved').click()]);
    await chooser.setFiles(path);
  };
  await sendSaved(file.path);
  const sent = await waitSent(page2);
  expect(bodies).toEqual([posts[0].body]);
  // Stored once, exactly as saved (less its key), with the code of the saved file.
  const stored = intake.reports('list').filter((r) => r.reference === sent.reference);
  expect(stored).toHaveLength(1);
  const [shown] = intake.reports('show', sent.reference);
  const { idempotency_key: _key, ...rest } = JSON.parse(savedReport.report);
  expect(JSON.stringify(shown.report)).toBe(JSON.stringify(rest));
  expect(sent.token).toBe(savedReport.token);
  await expect(el2.locator('#send-status')).toHaveText(text(m, 'send.sent', { name }));
  await checkState(page2, 'en-saved-sent');

  // Sent again (the same file): the intake replays it, the same reference, nothing new stored.
  const count = intake.reports('list').length;
  await el2.locator('#new-report').click();
  await sendSaved(file.path);
  const again = await waitSent(page2);
  expect(again).toEqual(sent);
  expect(intake.reports('list')).toHaveLength(count);
  expect(bodies).toEqual([posts[0].body, posts[0].body]);

  // Its code works in the status check.
  await el2.locator('#sent-check').click();
  await el2.locator('#check-submit').click();
  await expect(el2.locator('#check-status')).toHaveText(text(m, 'check.status.received', { reference: sent.reference }));

  // A damaged or edited saved file is refused, plainly, and nothing is sent.
  await el2.locator('#check-back').click();
  await el2.locator('#new-report').click();
  await expectStep(page2, 'situation');
  const report = JSON.parse(savedReport.report);
  const bad = {
    'cut-short': JSON.stringify(savedReport).slice(0, 200),
    'url-not-normalised': JSON.stringify({ ...savedReport, report: savedReport.report.replace('https://pics.example', 'HTTPS://pics.example') }),
    'key-added': JSON.stringify({ ...savedReport, report: JSON.stringify({ ...report, extra: 1 }) }),
    'spaces-added': JSON.stringify({ ...savedReport, report: JSON.stringify(report, null, 1) }),
    'report-as-object': JSON.stringify({ ...savedReport, report }),
    'no-good-faith': JSON.stringify({ ...savedReport, report: savedReport.report.replace('"good_faith":true', '"good_faith":false') }),
    'other-format': JSON.stringify({ ...savedReport, saved_report: 'report-helper/saved-report@2' }),
    'a-receipt': JSON.stringify(lateReceipt),
  };
  for (const [what, content] of Object.entries(bad)) {
    const path = join(dir, `bad-${what}.json`);
    await writeFile(path, content);
    await sendSaved(path);
    await expect(el2.locator('#saved-error'), what).toHaveText(m['saved.refused']);
    await expectStep(page2, 'situation');
  }
  await checkState(page2, 'en-saved-refused');
  expect(bodies).toHaveLength(2);

  // A report begun on the page is not dropped without asking: "no" keeps it, "yes" sends.
  await el2.locator('#situation input[value="shared"]').check();
  const asked = [];
  page2.once('dialog', (d) => (asked.push(d.message()), d.dismiss()));
  await sendSaved(file.path);
  await expect.poll(() => asked).toEqual([m['saved.replace']]);
  await expectStep(page2, 'situation');
  await expect(el2.locator('#situation input[value="shared"]')).toBeChecked();
  expect(bodies).toHaveLength(2);
  page2.once('dialog', (d) => d.accept());
  await sendSaved(file.path);
  expect(await waitSent(page2)).toEqual(sent);
  expect(bodies).toHaveLength(3);
  await later.close();
});
