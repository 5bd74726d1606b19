// Issue 18, items 1-3: the age is asked apart from what happened; a threat gets its own advice and
// a place to name the account it comes from; a child is spoken to as a child. Sent to the real
// intake (`report-helper serve`) and read back with `report-helper reports`. Expected texts come
// from the catalogs, digests from Node's crypto, the accounts and the answers from what the test
// typed and chose; axe-core (WCAG 2.2 AA) and a 360 px screenshot of each new state.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { nodeDigests } from './helpers.mjs';
import { startIntake } from './intake-server.mjs';
import {
  addFilesOnStep,
  addUrls,
  back,
  catalog,
  chooseSituation,
  expectStep,
  fillAbout,
  goToReview,
  helper,
  next,
  routeExits,
  send,
  text,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, bypassCSP: true };
const ADVICE = ['threat.pay', 'threat.contact', 'threat.keep', 'threat.report'];
const CHILD_ADVICE = ['threat.payChild', 'threat.contactChild', 'threat.keepChild', 'threat.reportChild'];

let intake;
let fx;
let dir;
test.beforeAll(async ({ browser }) => {
  intake = await startIntake();
  fx = await makeFlowFixtures(browser);
  dir = await mkdtemp(join(tmpdir(), 'rh-age-'));
});
test.afterAll(async () => {
  await intake?.stop();
  await removeFlowFixtures(fx);
  await rm(dir, { recursive: true, force: true });
});

/** The intake's own page in `lang` on a 360 px phone; every request it makes is recorded. */
async function open(browser, lang) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await routeExits(page);
  const requests = [];
  page.on('request', (r) => requests.push(r));
  await page.goto(intake.url);
  if (lang === 'nl') await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#h-situation')).toHaveText(catalog(lang)['situation.heading']);
  return { context, page, requests };
}

/** axe (no violation) and a full-page screenshot at 360 px without sideways scroll, of a new state. */
async function checkState(page, name) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }).then((r) => r.violations),
    WCAG22_AA,
  );
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`), name).toEqual([]);
  expect(await page.evaluate(() => document.scrollingElement.scrollWidth), `${name}: no sideways scroll`).toBeLessThanOrEqual(360);
  // Targets of at least 24x24 px (a radio or checkbox counts by its label).
  const small = await helper(page).evaluate((host) =>
    [...host.shadowRoot.querySelectorAll('section[data-step]:not([hidden]) :is(button, label.choice, input[type="radio"], input[type="checkbox"])')]
      .filter((t) => t.getClientRects().length)
      .map((t) => ({ t, r: ((t.type === 'radio' || t.type === 'checkbox') && t.closest('label') ? t.closest('label') : t).getBoundingClientRect() }))
      .filter(({ r }) => r.width < 24 || r.height < 24)
      .map(({ t }) => t.id || t.textContent.trim().slice(0, 30)));
  expect(small, `${name}: targets under 24 px`).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The report as stored by the intake for `reference`, and the one posted (less its key). */
function stored(reference) {
  const [shown] = intake.reports('show', reference);
  return shown.report;
}

for (const lang of ['en', 'nl']) {
  test(`a 15-year-old who is threatened, in ${lang}: advice in child words, the account named there, anonymous, no screenshot step; under_18 reaches the intake`, async ({ browser }) => {
    const m = catalog(lang);
    const { context, page, requests } = await open(browser, lang);
    const el = helper(page);

    // "Someone threatens me": the advice, at once, before the age is answered.
    await el.locator('input[name="situation"][value="threatened"]').check();
    const note = el.locator('#threat-note');
    await expect(note).toBeVisible();
    await expect(note.locator('#threat-heading')).toHaveText(m['threat.heading']);
    await expect(note.locator('ul:visible li')).toHaveText(ADVICE.map((k) => m[k]));
    await expect(el.locator('#minor-note')).toBeHidden();

    // Under 18: the same advice, in a child's words, and the minor path.
    await el.locator('input[name="age"][value="yes"]').check();
    await expect(note.locator('ul:visible li')).toHaveText(CHILD_ADVICE.map((k) => m[k]));
    await expect(note.locator('p.for-minor')).toHaveText(m['threat.childIntro']);
    await expect(el.locator('#minor-note')).toBeVisible();
    await expect(el.locator('#minor-note')).toContainText(m['minor.noScreenshots']);
    await expect(el.locator('#age-unsure-note')).toBeHidden();
    await expect(el.locator('#step-count')).toHaveText(text(m, 'step', { n: 1, total: 6 }));
    await checkState(page, `${lang}-age-threat-child`);

    // Where the threat comes from: the account goes into the report's one list of accounts.
    await expect(el.locator('#threat-accounts legend')).toHaveText(m['threat.where']);
    await el.locator('#threat-account-platform').fill('Snapchat');
    await el.locator('#threat-account-name').fill('sanne_fake');
    await el.locator('#threat-add-account').click();
    await expect(el.locator('#threat-account-list li .url')).toHaveText(['Snapchat: sanne_fake']);
    await expect(el.locator('#threat-account-platform')).toBeFocused();
    await checkState(page, `${lang}-age-threat-account`);

    await next(page);
    const photo = fx.files.find((f) => f.name.startsWith('IMG_'));
    await addFilesOnStep(page, [photo.path]);
    await waitAllHashed(page, 1);
    await next(page);
    await expectStep(page, 'urls');
    await expect(el.locator('#urls-intro')).toHaveText(m['urls.introThreatened']);
    // The same list on the links step.
    await expect(el.locator('#account-list li .url')).toHaveText(['Snapchat: sanne_fake']);
    await next(page);
    // No screenshot step: straight to "about", anonymous, with the plain "this is true".
    await expectStep(page, 'about');
    await expect(el.locator('#step-count')).toHaveText(text(m, 'step', { n: 4, total: 6 }));
    await expect(el.locator('#name')).toBeHidden();
    await expect(el.locator('#email')).toBeHidden();
    await expect(el.locator('label:has(#good-faith) span:visible')).toHaveText([m['about.goodFaithChild']]);
    await expect(el.getByRole('checkbox', { name: m['about.goodFaithChild'] })).toHaveCount(1);
    await checkState(page, `${lang}-age-about-child`);
    await fillAbout(page, { explanation: lang === 'nl' ? 'Hij wil geld.' : 'He wants money.', goodFaith: true });
    await goToReview(page);
    await expect(el.locator('#review dl.summary')).toContainText(m['review.anonymousMinor']);

    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${intake.url}api/reports`);
    await send(page);
    const body = JSON.parse((await posted).postData());
    const { reference } = await waitSent(page);
    await expect(el.locator('#sent-minor')).toBeVisible();
    await expect(el.locator('#next-steps li')).toContainText([m['next.anonymous']]);

    // What was sent: what happened and the age apart, the account, no contact.
    expect(body.situation).toBe('threatened');
    expect(body.under_18).toBe(true);
    expect(body.accounts).toEqual([{ platform: 'Snapchat', name: 'sanne_fake' }]);
    expect(body).not.toHaveProperty('contact');
    expect(body.good_faith).toBe(true);
    expect(body.items.map((i) => i.sha256)).toEqual([(await nodeDigests(photo.path)).sha256]);
    // Stored by the real intake exactly as posted, less the key.
    const { idempotency_key: _key, ...rest } = body;
    expect(stored(reference)).toEqual(rest);
    // Only the site itself was asked for anything.
    for (const r of requests) expect(new URL(r.url()).origin, r.url()).toBe(intake.origin);
    await context.close();
  });

  test(`"not sure" after a screenshot was kept, in ${lang}: it is removed, and the page says so and why; nothing of it is sent or packed`, async ({ browser }) => {
    const m = catalog(lang);
    const { context, page } = await open(browser, lang);
    const el = helper(page);
    await chooseSituation(page, 'threatened', 'report-helper', 'no');
    await expect(el.locator('#threat-note ul:visible li')).toHaveText(ADVICE.map((k) => m[k]));
    await expect(el.locator('#threat-note p.for-minor')).toBeHidden();
    await checkState(page, `${lang}-age-threat-adult`);
    await next(page);
    await next(page);
    await addUrls(page, 'https://forum.example/t/2');
    await next(page);
    await expectStep(page, 'evidence');
    const shot = fx.files.find((f) => f.name.startsWith('IMG_'));
    await el.locator('#shot-input').setInputFiles([shot.path]);
    await el.locator('#shots .apply').click();
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'redacted');

    for (const step of ['urls', 'files', 'situation']) {
      await back(page);
      await expectStep(page, step);
    }
    await expect(el.locator('#shots-removed')).toBeHidden();
    await el.locator('input[name="age"][value="unsure"]').check();
    // Said where the person is, and in the live region (no longer "1 added").
    await expect(el.locator('#shots-removed')).toBeVisible();
    await expect(el.locator('#shots-removed')).toHaveText(m['minor.shotsRemoved']);
    await expect(el.locator('#announcer')).toHaveText(m['minor.shotsRemoved']);
    await expect(el.locator('#age-unsure-note')).toHaveText(m['age.unsureNote']);
    await expect(el.locator('#shots > li.shot')).toHaveCount(0);
    await checkState(page, `${lang}-age-unsure-shots-removed`);

    await next(page);
    await next(page);
    await next(page);
    await expectStep(page, 'about');
    await fillAbout(page, { goodFaith: true });
    await goToReview(page);
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${intake.url}api/reports`);
    await send(page);
    const sentText = (await posted).postData();
    const body = JSON.parse(sentText);
    const { reference } = await waitSent(page);
    // "Not sure" is sent as under 18.
    expect(body.situation).toBe('threatened');
    expect(body.under_18).toBe(true);
    expect(stored(reference).under_18).toBe(true);
    // The package holds the receipts only.
    await expect(el.locator('#evidence-intro')).toHaveText(m['sent.evidenceIntroNoShots']);
    const [download] = await Promise.all([page.waitForEvent('download'), el.locator('#evidence-zip').click()]);
    const zipPath = join(dir, `${lang}-${download.suggestedFilename()}`);
    await download.saveAs(zipPath);
    const names = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile;print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', zipPath], { encoding: 'utf8' }));
    expect(names).toEqual(['receipt.json', 'receipt.html']);
    const { sha256 } = await nodeDigests(shot.path);
    expect((await readFile(zipPath)).toString('latin1')).not.toContain(sha256);
    expect(sentText).not.toContain(sha256);
    await context.close();
  });
}

test('a saved report of the page before the age question ("minor") is still sent as a minor\'s; a new one with under_18 too', async ({ browser }) => {
  const m = catalog('nl');
  const report = (key, fields) =>
    `{"schema":"report-helper/report@1","idempotency_key":"${key}","created_at":"2026-11-27T21:57:00Z","language":"nl",${fields},` +
    '"items":[],"urls":["https://pics.example/oud"],"explanation":"Een klasgenoot deelt deze foto.","good_faith":true}';
  for (const [what, fields] of [
    ['old', '"situation":"minor"'],
    ['new', '"situation":"threatened","under_18":true'],
  ]) {
    const json = report(`saved-${what}-${Date.now()}`, fields);
    const path = join(dir, `saved-${what}.json`);
    await writeFile(path, JSON.stringify({ saved_report: 'report-helper/saved-report@1', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123', report: json }));
    const { context, page } = await open(browser, 'nl');
    const el = helper(page);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), el.locator('#send-saved').click()]);
    await chooser.setFiles(path);
    const { reference } = await waitSent(page);
    await expect(el.locator('#saved-error')).toBeHidden();
    const { idempotency_key: _key, ...rest } = JSON.parse(json);
    expect(stored(reference), what).toEqual(rest);
    // Spoken to as a child after sending, and told the report is anonymous.
    await expect(el.locator('#sent-minor'), what).toBeVisible();
    await expect(el.locator('#next-steps li'), what).toContainText([m['next.anonymous']]);
    await context.close();
  }
});
