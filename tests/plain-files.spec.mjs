// Issue 18, items 4, 5 and 10: the files step in plain view (name, blurred preview that only the
// person sees, a plain status, digests behind "Technical details"), a readable review with the
// exact JSON on request, damaged and empty files flagged rather than "done", and a summary of the
// progress that stays in view. Both languages; 360 px phones; axe on each new state, screenshots
// into test-results/screenshots/. Expected digests come from Node's crypto (make-hostile.mjs's
// manifest, nodeDigests), expected texts from the catalogs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  addFilesOnStep,
  axe,
  chooseSituation,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  passEvidence,
  send,
  startFlow,
  text,
  vectorPath,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';
import { MiB, nodeDigests, sparseFile } from './helpers.mjs';
import { DEFAULT_OUT_DIR as HOSTILE, makeHostile } from './fixtures/make-hostile.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');
const VIDEO = join(import.meta.dirname, 'fixtures/video/mandel-h264.mp4');
const PHOTOS = ['bridge-mods/aaa-orig.jpg', 'bridge-mods/high-contrast.jpg', 'bridge-mods/sharpen-a-little.jpg'].map(vectorPath);
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true };
// The language of the report in words, as each language names it (not a code).
const LANGUAGE_NAME = { en: 'English', nl: 'Nederlands' };

/** The phone checks of a state: axe, no sideways scroll, targets of 24 px and more, a screenshot. */
async function checkPhoneState(page, lang, name) {
  expect(await axe(page), `${name}: axe`).toEqual([]);
  expect(await page.evaluate(() => document.scrollingElement.scrollWidth), `${name}: no sideways scroll`).toBeLessThanOrEqual(360);
  const small = await helper(page).evaluate((host) =>
    [...host.shadowRoot.querySelectorAll('section[data-step]:not([hidden]) :is(button, .button, summary)')]
      .filter((t) => t.getClientRects().length)
      .map((t) => [t.className || t.localName, t.getBoundingClientRect()])
      .filter(([, r]) => r.width < 24 || r.height < 24)
      .map(([what]) => what),
  );
  expect(small, `${name}: targets under 24x24`).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, `${lang}-files-${name}.png`), fullPage: true });
}

/** Records every URL that the page's context requests. */
function recordRequests(page) {
  const urls = [];
  page.context().on('request', (r) => urls.push(r.url()));
  return urls;
}

for (const lang of ['en', 'nl']) {
  test(`four files at 360 px: names, blurred previews only the person sees, details closed; the review in words, in ${lang}`, async ({ browser }) => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const requests = recordRequests(page);
    const posted = await fulfilReports(page, { reference: 'RH-PLAIN-1', token: 'tok-plain-1' });
    const m = await startFlow(page, { lang });
    const el = helper(page);
    await chooseSituation(page, 'shared');
    await next(page);
    const paths = [...PHOTOS, VIDEO];
    await addFilesOnStep(page, paths);
    await waitAllHashed(page, 4);
    const rows = el.locator('#files > li.file');
    const want = await Promise.all(paths.map(nodeDigests));
    for (const [i, path] of paths.entries()) {
      const row = rows.nth(i);
      await expect(row.locator('.name')).toHaveText(path.split('/').at(-1));
      await expect(row.locator('.status')).toHaveText(m[i < 3 ? 'done.image' : 'done.video']);
      // The preview: the file itself, through a blob: URL, strongly blurred, marked as the person's own.
      const media = row.locator(i < 3 ? '.thumb img' : '.thumb video');
      await expect(media).toBeVisible();
      expect(await media.getAttribute('src')).toMatch(/^blob:/);
      const blur = await media.evaluate((e) => getComputedStyle(e).filter);
      expect(Number(/blur\(([\d.]+)px\)/.exec(blur)?.[1] ?? 0), 'the preview is blurred').toBeGreaterThanOrEqual(10);
      await expect(row.locator('.only-you')).toHaveText(m['files.onlyYou']);
      // The digests are there, behind a closed "Technical details".
      const tech = row.locator('details.tech');
      await expect(tech.locator('summary')).toHaveText(m['files.tech']);
      expect(await tech.evaluate((d) => d.open)).toBe(false);
      await expect(row.locator('code.sha256')).toBeHidden();
    }
    // What a video's fingerprint can and cannot find is said in view.
    await expect(rows.nth(3).locator('.vpdq-note')).toBeVisible();
    await expect(rows.nth(3).locator('.vpdq-note')).toHaveText(m['vpdq.finds']);
    // 2900 px of hex before (the measure). A file now takes one row: the preview (72 px) and
    // its Show button beside the name, a status of two lines, then the closed details, beside Remove
    // where the words fit (English) and below it where they do not (Dutch: "Technische details" is
    // never squeezed into a word-breaking column); the video's note adds its lines. At most 40 % of
    // the old height: 865 px measured in English, 1049 in Dutch.
    const list = (await el.locator('#files').boundingBox()).height;
    const height = await page.evaluate(() => document.scrollingElement.scrollHeight);
    console.log(`${lang}: four files take ${Math.round(list)} px at 360 px; the page is ${height} px tall`);
    expect(list).toBeLessThan(2900 * 0.4);
    await checkPhoneState(page, lang, 'four');
    // Open: the digests Node computed, and one sentence on what a fingerprint is.
    const first = rows.nth(0);
    await first.locator('details.tech summary').tap();
    await expect(first.locator('code.sha256')).toBeVisible();
    await expect(first.locator('code.sha256')).toHaveText(want[0].sha256);
    await expect(first.locator('code.md5')).toHaveText(want[0].md5);
    await expect(first.locator('.tech-what')).toHaveText(m['files.techWhat']);
    await checkPhoneState(page, lang, 'details-open');

    await next(page);
    await expectStep(page, 'urls');
    await el.locator('#url-input').fill('https://example.org/a\nhttps://example.org/b');
    await el.locator('#add-urls').click();
    await next(page);
    await passEvidence(page);
    await fillAbout(page, { name: 'Sam', email: 'sam@example.org', explanation: 'Shared without my consent.' });
    await goToReview(page);
    // The review in words: what is in it at a glance, the situation, no codes or ISO times.
    await expect(el.locator('#review-sum')).toHaveText(
      [text(m, 'review.sum.files', { count: 4 }), text(m, 'review.sum.links', { count: 2 }), m['review.sum.email']].join(', '),
    );
    const summary = el.locator('#review dl.summary');
    await expect(summary).toContainText(m['situation.shared']);
    await expect(summary).toContainText(`${text(m, 'review.item', { n: 1, kind: m['kind.image'] })}: ${m['review.fp.image']}`);
    await expect(summary).toContainText(LANGUAGE_NAME[lang]);
    const words = await summary.textContent();
    expect(words).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(words).not.toContain(want[0].sha256);
    // The exact JSON, on request, is what is POSTed.
    await expect(el.locator('#raw-json')).toBeHidden();
    await el.locator('#raw summary').tap();
    await expect(el.locator('#raw-json')).toBeVisible();
    const shown = JSON.parse(await el.locator('#raw-json').textContent());
    await checkPhoneState(page, lang, 'review');
    await send(page);
    await waitSent(page);
    expect(posted).toHaveLength(1);
    expect(posted[0].json).toEqual(shown);
    expect(shown.items.map((i) => [i.kind, i.sha256])).toEqual(want.map((w, i) => [i < 3 ? 'image' : 'video', w.sha256]));
    // The previews are blob: URLs: none was fetched over the network, and no name left the page.
    expect(requests.filter((u) => /^https?:/.test(u) && !u.startsWith('http://127.0.0.1'))).toEqual([]);
    for (const path of paths) expect(posted[0].body).not.toContain(path.split('/').at(-1));
    await context.close();
  });

  test(`an empty file is refused; a cut-short JPEG, random bytes named .jpg and text named .mp4 get a warning and go as kind other, in ${lang}`, async ({ browser }) => {
    const manifest = await makeHostile();
    const fixture = (name) => manifest.files.find((f) => f.name === name);
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const posted = await fulfilReports(page, { reference: 'RH-BAD-1', token: 'tok-bad-1' });
    const m = await startFlow(page, { lang });
    const el = helper(page);
    await chooseSituation(page, 'shared');
    await next(page);
    const notes = Buffer.from('Not a video at all, just a note.\n');
    const jpeg = (name) => ({ name, mimeType: 'image/jpeg', buffer: readFileSync(join(HOSTILE, name)) });
    await addFilesOnStep(page, [jpeg('truncated.jpg'), jpeg('empty.jpg'), jpeg('random.jpg'), { name: 'notes.mp4', mimeType: 'video/mp4', buffer: notes }]);
    // The empty file is not in the list, and says why.
    await expect(el.locator('#files-error')).toHaveText(text(m, 'files.empty', { names: 'empty.jpg' }));
    await expect(el.locator('#files-error')).toHaveAttribute('role', 'alert');
    const rows = el.locator('#files > li.file');
    await expect(rows).toHaveCount(3);
    await expect(rows.locator('.name')).toHaveText(['truncated.jpg', 'random.jpg', 'notes.mp4']);
    for (const i of [0, 1, 2]) {
      await expect(rows.nth(i)).toHaveAttribute('data-state', 'warning', { timeout: 60_000 });
      await expect(rows.nth(i).locator('.status')).toHaveText(m['files.warning']);
      await expect(rows.nth(i).locator('.remove')).toBeVisible();
      await expect(rows.nth(i).locator('.thumb')).toBeHidden(); // nothing to preview
    }
    await checkPhoneState(page, lang, 'damaged');
    await next(page);
    await expectStep(page, 'urls');
    await next(page);
    await passEvidence(page);
    await fillAbout(page, {});
    await goToReview(page);
    await expect(el.locator('#review-sum')).toHaveText([text(m, 'review.sum.files', { count: 3 }), m['review.sum.noEmail']].join(', '));
    await expect(el.locator('#review dl.summary')).toContainText(`${text(m, 'review.item', { n: 1, kind: m['kind.other'] })}: ${m['review.fp.exact']}`);
    await send(page);
    await waitSent(page);
    const digest = (algorithm) => createHash(algorithm).update(notes).digest('hex');
    const want = [fixture('truncated.jpg'), fixture('random.jpg'), { sha256: digest('sha256'), md5: digest('md5'), sha1: digest('sha1') }];
    expect(posted[0].json.items).toEqual(want.map((w) => ({ kind: 'other', sha256: w.sha256, md5: w.md5, sha1: w.sha1 })));
    // Never the digest of the empty file, which matches every empty file anywhere.
    expect(posted[0].body).not.toContain(fixture('empty.jpg').sha256);
    await context.close();
  });
}

test('a removed file\'s preview URL is revoked', async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.revoked = [];
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.revokeObjectURL = (url) => {
      window.revoked.push(url);
      revoke(url);
    };
  });
  await startFlow(page);
  await chooseSituation(page, 'shared');
  await next(page);
  await addFilesOnStep(page, [PHOTOS[0]]);
  await waitAllHashed(page, 1);
  const url = await helper(page).locator('#files .thumb img').getAttribute('src');
  expect(url).toMatch(/^blob:/);
  expect(await page.evaluate(() => window.revoked)).not.toContain(url);
  await helper(page).locator('#files .remove').click();
  await expect(helper(page).locator('#files > li')).toHaveCount(0);
  expect(await page.evaluate(() => window.revoked)).toContain(url);
  await context.close();
});

for (const lang of ['en', 'nl']) {
  test(`while a large file is hashed, "N of M ready" stays in view, the time left only once measured, in ${lang}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const big = await sparseFile(`progress-${lang}.bin`, 768 * MiB);
    const context = await browser.newContext({ ...PHONE, viewport: { width: 360, height: 560 } });
    const page = await context.newPage();
    const m = await startFlow(page, { lang });
    const el = helper(page);
    await chooseSituation(page, 'shared');
    await next(page);
    await page.evaluate(() => {
      const box = document.querySelector('report-helper').shadowRoot.querySelector('#files-progress');
      window.progressTexts = [];
      new MutationObserver(() => {
        if (!box.hidden && window.progressTexts.at(-1) !== box.textContent) window.progressTexts.push(box.textContent);
      }).observe(box, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await addFilesOnStep(page, [big, ...PHOTOS]);
    const box = el.locator('#files-progress');
    const ready = (n) => text(m, 'files.ready', { ready: n, total: 4 });
    // Every way of saying the time left, from the catalog: a number of seconds or minutes, or words.
    const pattern = (key) => m[key].replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace('\\{count\\}', '\\d+').replace('{count}', '\\d+');
    const left = new RegExp(['files.left.seconds', 'files.left.underMinute', 'files.left.minute', 'files.left.minutes'].map(pattern).join('|'));
    await expect(box).toHaveText(new RegExp(`^${ready(3)}, (${left.source})$`), { timeout: 120_000 });
    // Not a live region: the rows' statuses announce changes of state; a ticking figure would drown them.
    expect(await box.evaluate((b) => {
      for (let e = b; e && e.nodeType === 1; e = e.parentNode) if (e.getAttribute('aria-live') || ['status', 'alert', 'log'].includes(e.getAttribute('role'))) return true;
      return false;
    })).toBe(false);
    // It stays in view, with the top of the page scrolled to, and with the bottom.
    for (const to of [0, 1e6]) {
      await page.evaluate((y) => window.scrollTo(0, y), to);
      await expect(box).toBeInViewport();
    }
    expect(await page.evaluate(() => document.scrollingElement.scrollHeight), 'the list is longer than the screen').toBeGreaterThan(560);
    await checkPhoneState(page, lang, 'progress');
    await expect(el.locator('#files > li.file').first()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(box).toBeHidden();
    const texts = await page.evaluate(() => window.progressTexts);
    // The first figure is only "N of M ready": no time left before a rate was measured.
    expect(texts[0]).toMatch(new RegExp(`^${text(m, 'files.ready', { ready: '\\d', total: '\\d' })}$`));
    expect(texts.some((t) => left.test(t))).toBe(true);
    await context.close();
  });
}
