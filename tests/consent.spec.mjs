// Consent in the flow (issue 20, item 1): on the review, a separate, optional choice, unticked by
// default, to let the helpline share the fingerprints with platforms that block copies. Not
// chosen, the POST has no `share_with_platforms` (the canonical JSON leaves it out); chosen, it
// ends in `"share_with_platforms":true`. The review's summary and the confirmations (the
// printable page and the one in the evidence package) say what was chosen, in English and
// Dutch; the child's path has the children's words; axe, the keyboard and a 360 px phone.
// Expected words come from the catalogs, the helpline's name from www/index.html.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  axe,
  catalog,
  driveToReview,
  expectValidReport,
  fulfilReports,
  helper,
  send,
  standaloneConfig,
  startFlow,
  text,
  waitSent,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';

const NAME = standaloneConfig().name;
const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const ADULT = ['share.legend', 'share.intro', 'share.what', 'share.undo', 'share.no', 'share.yes'];
const CHILD = ADULT.map((key) => `${key}Child`);
const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let fx;
let photo;
test.beforeAll(async ({ browser }) => {
  fx = await makeFlowFixtures(browser);
  photo = fx.files.find((f) => f.name.startsWith('IMG_'));
});
test.afterAll(() => removeFlowFixtures(fx));

/** The choice's texts on the review, in order: legend, the four paragraphs, the checkbox's label. */
const choiceTexts = (el) =>
  el.locator('#share-box').evaluate((box) => [
    box.querySelector('legend').textContent,
    ...[...box.querySelectorAll('#share-explained p')].map((p) => p.textContent),
    box.querySelector('label.choice').textContent.trim(),
  ]);

/** The review's summary list as [term, description] pairs. */
const summary = (el) =>
  el.locator('#review dl.summary').evaluate((dl) => [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));

/** The file a click downloads, read as text. */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), path: await download.path() };
}

/** One entry of a ZIP, read by Python's zipfile. */
const unzip = (path, name) =>
  execFileSync('python3', ['-c', 'import sys,zipfile;sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', path, name], { encoding: 'utf8' });

for (const lang of ['en', 'nl']) {
  const m = catalog(lang);

  test(`not chosen: the choice is unticked, the POST has no share_with_platforms, the review and the confirmations say so (${lang})`, async ({ page }) => {
    const requests = await fulfilReports(page, { reference: 'RH-CONS-0001', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123' });
    await startFlow(page, { lang });
    await driveToReview(page, { files: [photo.path], urls: ['https://example.com/a'], about: { email: 'sam@example.org' } });
    const el = helper(page);
    const box = el.locator('#share-box');
    await expect(box).toBeVisible();
    const checkbox = el.getByRole('checkbox', { name: m['share.yes'] });
    await expect(checkbox).not.toBeChecked();
    expect(await choiceTexts(el)).toEqual(ADULT.map((key) => text(m, key, { name: NAME })));
    await expect(el.locator('#review-sum')).not.toContainText(m['share.sumYes']);
    expect(await summary(el)).toContainEqual([m['share.review'], text(m, 'share.reviewNo', { name: NAME })]);
    await el.locator('#raw summary').click();
    const shown = await el.locator('#raw-json').textContent();
    expect(JSON.parse(shown)).not.toHaveProperty('share_with_platforms');
    await send(page);
    await waitSent(page);
    expect(requests).toHaveLength(1);
    expect(requests[0].body).not.toContain('share_with_platforms');
    expect(requests[0].body.endsWith(',"good_faith":true}')).toBe(true);
    expect(requests[0].json).toEqual(JSON.parse(shown));
    expectValidReport(requests[0].json);
    const receipt = await downloaded(page, () => el.locator('#receipt-html').click());
    const html = await readFile(receipt.path, 'utf8');
    expect(html).toContain(`<h2>${escapeHtml(m['share.receiptHeading'])}</h2>\n<p>${escapeHtml(m['share.receiptNo'])}</p>`);
    expect(html).not.toContain(escapeHtml(m['share.receiptYes']));
  });

  test(`chosen: the POST ends in "share_with_platforms":true, as the review shows; the confirmations say so (${lang})`, async ({ page }) => {
    const requests = await fulfilReports(page, { reference: 'RH-CONS-0002', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123' });
    await startFlow(page, { lang });
    await driveToReview(page, { files: [photo.path], about: { email: 'sam@example.org' } });
    const el = helper(page);
    await el.locator('#raw summary').click();
    const before = JSON.parse(await el.locator('#raw-json').textContent());
    // By its label, as a person taps it.
    await el.locator('label.choice', { hasText: m['share.yes'] }).click();
    await expect(el.getByRole('checkbox', { name: m['share.yes'] })).toBeChecked();
    await expect(el.locator('#review-sum')).toContainText(m['share.sumYes']);
    expect(await summary(el)).toContainEqual([m['share.review'], m['share.reviewYes']]);
    await expect(el.locator('#raw-json')).toContainText('"share_with_platforms": true');
    const shown = await el.locator('#raw-json').textContent();
    // Only the choice (and the time it was built) changed.
    const { share_with_platforms: share, created_at: _at, ...rest } = JSON.parse(shown);
    const { created_at: _before, ...restBefore } = before;
    expect(share).toBe(true);
    expect(rest).toEqual(restBefore);
    await send(page);
    await waitSent(page);
    expect(requests).toHaveLength(1);
    expect(requests[0].body.endsWith(',"good_faith":true,"share_with_platforms":true}')).toBe(true);
    expect(requests[0].json).toEqual(JSON.parse(shown));
    expectValidReport(requests[0].json);
    // The printable confirmation and the one in the evidence package say what was chosen.
    const printable = await readFile((await downloaded(page, () => el.locator('#receipt-html').click())).path, 'utf8');
    const zip = await downloaded(page, () => el.locator('#evidence-zip').click());
    for (const html of [printable, unzip(zip.path, 'receipt.html')]) {
      expect(html).toContain(`<h2>${escapeHtml(m['share.receiptHeading'])}</h2>\n<p>${escapeHtml(m['share.receiptYes'])}</p>`);
      expect(html).not.toContain(escapeHtml(m['share.receiptNo']));
    }
    expect(JSON.parse(unzip(zip.path, 'receipt.json')).report.share_with_platforms).toBe(true);
  });

  test(`the child's path: the children's words, and the choice is sent without contact details (${lang})`, async ({ page }) => {
    const requests = await fulfilReports(page, { reference: 'RH-CONS-0003', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123' });
    await startFlow(page, { lang });
    await driveToReview(page, { situation: 'minor', files: [photo.path] });
    const el = helper(page);
    expect(await choiceTexts(el)).toEqual(CHILD.map((key) => text(m, key, { name: NAME })));
    for (const key of ADULT) await expect(el.locator('#share-box')).not.toContainText(text(m, key, { name: NAME }));
    await el.getByRole('checkbox', { name: m['share.yesChild'] }).check();
    await expect(el.locator('#review-sum')).toContainText(m['share.sumYes']);
    await send(page);
    await waitSent(page);
    expect(requests[0].json).toMatchObject({ under_18: true, share_with_platforms: true });
    expect(requests[0].json).not.toHaveProperty('contact');
  });
}

test('a report without files has no fingerprints: the choice is not asked and nothing is sent of it', async ({ page }) => {
  const m = catalog('en');
  const requests = await fulfilReports(page);
  await startFlow(page, { lang: 'en' });
  await driveToReview(page, { situation: 'threatened', urls: ['https://example.com/only-a-link'] });
  const el = helper(page);
  await expect(el.locator('#share-box')).toBeHidden();
  await expect(el.locator('#review-sum')).not.toContainText(m['share.sumYes']);
  expect((await summary(el)).map(([term]) => term)).not.toContain(m['share.review']);
  await send(page);
  await waitSent(page);
  expect(requests[0].body).not.toContain('share_with_platforms');
});

test('the choice by keyboard alone: Tab reaches it, Space ticks it, and the report follows', async ({ page }) => {
  const m = catalog('en');
  await startFlow(page, { lang: 'en' });
  await driveToReview(page, { files: [photo.path] });
  const el = helper(page);
  const checkbox = el.getByRole('checkbox', { name: m['share.yes'] });
  await el.locator('#h-review').focus();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await checkbox.evaluate((c) => c.getRootNode().activeElement === c);
  }
  expect(reached, 'Tab reaches the choice').toBe(true);
  // Its description is the explanation.
  await expect(checkbox).toHaveAccessibleDescription(ADULT.slice(1, 5).map((key) => text(m, key, { name: NAME })).join(' '));
  await page.keyboard.press('Space');
  await expect(checkbox).toBeChecked();
  await expect(el.locator('#review-sum')).toContainText(m['share.sumYes']);
  await page.keyboard.press('Space');
  await expect(checkbox).not.toBeChecked();
  await expect(el.locator('#review-sum')).not.toContainText(m['share.sumYes']);
  await expect(el.locator('#review dl.summary')).toContainText(text(m, 'share.reviewNo', { name: NAME }));
});

for (const lang of ['en', 'nl']) {
  test(`axe and a 360 px phone: the review with the choice, adult and child, ticked and not (${lang})`, async ({ browser }) => {
    const context = await browser.newContext({ ...PHONE, bypassCSP: true });
    const m = catalog(lang);
    for (const situation of ['shared', 'minor']) {
      const page = await context.newPage();
      await startFlow(page, { lang });
      await driveToReview(page, { situation, files: [photo.path] });
      const el = helper(page);
      for (const ticked of [false, true]) {
        await el.locator('#share-with-platforms').setChecked(ticked);
        await expect(el.locator('#review dl.summary')).toContainText(ticked ? m['share.reviewYes'] : text(m, 'share.reviewNo', { name: NAME }));
        expect(await axe(page), `${situation}, ${ticked ? 'ticked' : 'not ticked'}`).toEqual([]);
        expect(await page.evaluate(() => document.scrollingElement.scrollWidth)).toBeLessThanOrEqual(360);
        const { right, label } = await el.locator('#share-box').evaluate((box) => ({
          right: box.getBoundingClientRect().right,
          label: box.querySelector('label.choice').getBoundingClientRect().height,
        }));
        expect(right).toBeLessThanOrEqual(360);
        expect(label).toBeGreaterThanOrEqual(24);
        await el.locator('#share-box').screenshot({ path: join(SCREENSHOTS, `consent-${lang}-${situation}-${ticked ? 'ticked' : 'not-ticked'}.png`) });
      }
    }
    await context.close();
  });
}

test('"Send a saved report" takes a saved report with the choice, and posts it byte for byte', async ({ page }) => {
  // A report with the choice, in the canonical form the cases file pins (written by hand there).
  const cases = JSON.parse(await readFile(join(import.meta.dirname, '../schema/tests/report-v1-cases.json'), 'utf8'));
  const { canonical } = cases.find((c) => c.name === 'share_with_platforms true, given first: written last');
  expect(canonical.endsWith(',"share_with_platforms":true}')).toBe(true);
  const file = { saved_report: 'report-helper/saved-report@1', token: 'ABCDEFGHJKMNPQRSTVWXYZ0123', report: canonical };
  const requests = await fulfilReports(page, { reference: 'RH-CONS-0004', token: file.token });
  await startFlow(page, { lang: 'en' });
  const el = helper(page);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), el.locator('#send-saved').click()]);
  await chooser.setFiles({ name: 'saved-report-2026-12-03.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await waitSent(page);
  expect(requests.map((r) => r.body)).toEqual([canonical]);
});
