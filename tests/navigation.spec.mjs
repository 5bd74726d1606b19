// Issue 18, items 8 and 9: the quick exit always in reach, and Back that goes back a step.
// The exit's top bar sticks to the top of the window on every step at 360x740 and 1280x800, on the
// standalone page and inside a long host page; the Shift hint only with a mouse; "Browse safely";
// Back and Forward (page.goBack/goForward) between steps with nothing lost, history entries that
// hold only a step's name, no question until Back leaves the helper; a minor's skipped step
// skipped in history too; Forward no further than Next would go; after sending, Back never shows
// the report as unsent nor sends it again; the host page's own entries keep working.
// Expected texts come from the catalogs; expected steps from the order the person took.
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  addFilesOnStep,
  addUrls,
  axe,
  catalog,
  chooseSituation,
  EXIT_URLS,
  expectStep,
  fillAbout,
  flowFile,
  fulfilReports,
  goToReview,
  helper,
  listedUrls,
  next,
  passEvidence,
  removeFlowFiles,
  routeExits,
  section,
  send,
  startFlow,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');
const LINKS = ['https://example.org/leak/1', 'https://video.example.net/watch/2'];

test.afterAll(() => removeFlowFiles());

/** A helpline's page embedding the element, with a long page above and below it and a link within the page. */
const HOST = (lang) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Helpline</title>
<script type="module" src="/report-helper.js"></script></head>
<body style="margin:0 auto;max-width:60rem;padding:0 1rem;font-family:sans-serif">
<h1>Helpline</h1><p><a href="#about-us" id="host-link">About us</a></p>
<div style="height:1600px;background:#eef">News and articles of the helpline.</div>
<report-helper endpoint="/api/reports"></report-helper>
<div style="height:2400px;background:#efe" id="about-us">About us: the helpline's own page goes on here.</div>
</body></html>`;

/** Opens the host page (served by the test on the site's origin) in `lang`. */
async function openHost(page, lang) {
  await routeExits(page);
  await page.route('**/helpline-page.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: HOST(lang) }));
  await page.goto('/helpline-page.html');
  await expect(page.locator('#h-situation')).toHaveText(catalog(lang)['situation.heading']);
  return catalog(lang);
}

/**
 * Scrolls so that the element's end (its last button) is at the bottom of the window, then
 * halfway; each time the exit button must be wholly in the window, and at its top once the
 * element's top has gone above it.
 */
async function expectExitInReach(page, where) {
  for (const at of ['end', 'middle']) {
    const seen = await helper(page).evaluate((el, at) => {
      const box = el.getBoundingClientRect();
      const y = scrollY + (at === 'end' ? box.bottom - innerHeight : box.top + box.height / 2 - innerHeight / 2);
      scrollTo(0, Math.max(0, y));
      const exit = el.shadowRoot.querySelector('#exit').getBoundingClientRect();
      return { top: exit.top, bottom: exit.bottom, height: innerHeight, elementTop: el.getBoundingClientRect().top };
    }, at);
    expect(seen.top, `${where} (${at}): exit not above the window`).toBeGreaterThanOrEqual(0);
    expect(seen.bottom, `${where} (${at}): exit not below the window`).toBeLessThanOrEqual(seen.height);
    if (seen.elementTop < 0) expect(seen.top, `${where} (${at}): exit at the top of the window`).toBeLessThan(24);
  }
  await expect(helper(page).locator('#exit')).toBeInViewport({ ratio: 1 });
}

/** The heading of the step shown has focus and is not under the sticky bar (WCAG 2.4.11). */
async function expectHeadingClear(page) {
  const seen = await helper(page).evaluate((el) => {
    const heading = el.shadowRoot.activeElement;
    return { tag: heading?.localName, top: heading?.getBoundingClientRect().top, bar: el.shadowRoot.querySelector('.top').getBoundingClientRect().bottom };
  });
  expect(seen.tag).toBe('h2');
  expect(seen.top).toBeGreaterThanOrEqual(seen.bar);
}

/** Walks every step (and the status check) of a report by links only, checking the exit on each. */
async function walkWithExit(page, where) {
  await fulfilReports(page, { reference: 'RH-NAV-0001', token: 'tok-nav-0001' });
  await expectExitInReach(page, `${where} situation`);
  await chooseSituation(page, 'shared');
  await next(page);
  await expectStep(page, 'files');
  await expectHeadingClear(page);
  await expectExitInReach(page, `${where} files`);
  await next(page);
  await expectStep(page, 'urls');
  await addUrls(page, LINKS);
  await expectExitInReach(page, `${where} urls`);
  await next(page);
  await expectStep(page, 'evidence');
  await expectHeadingClear(page);
  await expectExitInReach(page, `${where} evidence`);
  await next(page);
  await expectStep(page, 'about');
  await fillAbout(page, { name: 'A. Person', email: 'a.person@example.org' });
  await expectExitInReach(page, `${where} about`);
  await goToReview(page);
  await expectHeadingClear(page);
  await expectExitInReach(page, `${where} review`);
  await send(page);
  await waitSent(page);
  await expectExitInReach(page, `${where} send`);
  await helper(page).locator('#sent-check').click();
  await expectStep(page, 'check');
  await expectExitInReach(page, `${where} check`);
}

// ---- 8. the quick exit in reach ------------------------------------------------------------------

for (const lang of ['en', 'nl']) {
  for (const [width, height] of [[360, 740], [1280, 800]]) {
    const phone = width === 360;
    test(`the exit stays in view after scrolling on every step at ${width}x${height}, standalone and in a long host page, in ${lang}`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width, height }, ...(phone && { isMobile: true, hasTouch: true }) });
      const page = await context.newPage();
      await startFlow(page, { lang });
      await walkWithExit(page, 'standalone');
      const host = await context.newPage();
      await openHost(host, lang);
      await walkWithExit(host, 'embedded');
      await context.close();
    });
  }
}

test('the Shift hint is shown with a mouse and hidden on a touch phone, in both languages', async ({ browser }) => {
  for (const lang of ['en', 'nl']) {
    const messages = catalog(lang);
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await desktop.newPage();
    await startFlow(page, { lang });
    await expect(helper(page).locator('.exit-hint')).toBeVisible();
    await expect(helper(page).locator('.exit-hint')).toHaveText(messages['exit.hint']);
    await desktop.close();

    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const touch = await phone.newPage();
    await startFlow(touch, { lang });
    await expect(helper(touch).locator('#exit')).toBeVisible();
    await expect(helper(touch).locator('.exit-hint')).toBeHidden();
    await phone.close();
  }
});

for (const lang of ['en', 'nl']) {
  test(`"Browse safely" is one closed note under the exit on every step; open, it says how, in ${lang}; axe and a 360 px screenshot`, async ({ browser }) => {
    const messages = catalog(lang);
    // axe is injected as a script, which the page's CSP would refuse: bypassed for this test only.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, bypassCSP: true });
    const page = await context.newPage();
    await startFlow(page, { lang });
    const note = helper(page).locator('details.safe');
    await expect(note).toHaveCount(1);
    await expect(note).not.toHaveAttribute('open', /.*/);
    await expect(note.locator('summary')).toHaveText(messages['exit.safe']);
    await chooseSituation(page, 'shared');
    await next(page);
    await expect(note).toBeVisible(); // the same note on the next step
    await note.locator('summary').click();
    await expect(note.locator('li')).toHaveText(['exit.safePrivate', 'exit.safeHistory', 'exit.safeDownloads', 'exit.safeLeave'].map((k) => messages[k]));
    expect(await page.evaluate(() => document.scrollingElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await axe(page)).toEqual([]);
    // (A full-page screenshot drops the touch emulation while it draws: the hint shows there only.)
    await expect(helper(page).locator('.exit-hint')).toBeHidden();
    await page.screenshot({ path: join(SCREENSHOTS, `${lang}-nav-browse-safely.png`), fullPage: true });
    // The bar after scrolling down a step, as a phone shows it.
    await note.locator('summary').click();
    await next(page);
    await addUrls(page, LINKS);
    await page.evaluate(() => scrollTo(0, document.scrollingElement.scrollHeight));
    await expect(helper(page).locator('#exit')).toBeInViewport({ ratio: 1 });
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `${lang}-nav-sticky-exit.png`) });
    await context.close();
  });
}

// ---- 9. Back means back ------------------------------------------------------------------------------

/** history.state of the page. */
const historyState = (page) => page.evaluate(() => history.state);

/** Collects dialogs, dismissing each (the person stays); returns their types. */
function collectDialogs(page) {
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    d.dismiss();
  });
  return dialogs;
}

for (const lang of ['en', 'nl']) {
  test(`Back and Forward move between the steps, nothing lost, entries hold only the step's name, in ${lang}`, async ({ page }) => {
    const messages = catalog(lang);
    const dialogs = collectDialogs(page);
    await startFlow(page, { lang });
    const before = await page.evaluate(() => ({ url: location.href, length: history.length }));
    await chooseSituation(page, 'shared');
    await next(page);
    const file = await flowFile('holiday-2023.txt', Buffer.from('a file to report, only its fingerprints leave\n'));
    await addFilesOnStep(page, [file]);
    await waitAllHashed(page, 1);
    expect(await historyState(page)).toEqual({ reportHelperStep: 'files' });
    await next(page);
    await addUrls(page, LINKS);
    expect(await historyState(page)).toEqual({ reportHelperStep: 'urls' });
    await next(page);
    await passEvidence(page);
    await fillAbout(page, { name: 'A. Person', email: 'a.person@example.org', explanation: 'Please take it down.' });
    await goToReview(page);
    expect(await historyState(page)).toEqual({ reportHelperStep: 'review' });
    // One entry per step, the URL never changed.
    expect(await page.evaluate(() => history.length)).toBe(before.length + 5);
    expect(page.url()).toBe(before.url);

    const route = ['situation', 'files', 'urls', 'evidence', 'about', 'review'];
    for (let i = route.length - 2; i >= 0; i--) {
      await page.goBack();
      await expectStep(page, route[i]);
      expect(await historyState(page)).toEqual({ reportHelperStep: route[i] });
      // Focus on the step's heading, as when moving by its buttons.
      await expect(section(page, route[i]).locator('h2')).toBeFocused();
    }
    await expect(helper(page).locator('input[name="situation"][value="shared"]')).toBeChecked();
    for (const step of route.slice(1)) {
      await page.goForward();
      await expectStep(page, step);
      if (step === 'files') {
        await expect(helper(page).locator('#files > li.file')).toHaveCount(1);
        await expect(helper(page).locator('#files > li.file .name')).toHaveText('holiday-2023.txt');
        await expect(helper(page).locator('#files > li.file')).toHaveAttribute('data-state', 'done');
      }
      if (step === 'urls') expect(await listedUrls(page)).toEqual(LINKS);
      if (step === 'about') await expect(helper(page).locator('#name')).toHaveValue('A. Person');
    }
    // The review still holds everything: the file's fingerprints and both links.
    await expect(helper(page).locator('#review dl.summary')).toBeVisible();
    const raw = JSON.parse(await helper(page).locator('#raw-json').textContent());
    expect(raw.items).toHaveLength(1);
    expect(raw.urls).toEqual(LINKS);
    expect(raw.contact).toEqual({ name: 'A. Person', email: 'a.person@example.org' });
    expect(dialogs).toEqual([]);

    // Back past the first step leaves the helper: that asks first (the person stays here).
    for (let i = 0; i < route.length - 1; i++) await page.goBack();
    await expectStep(page, 'situation');
    expect(dialogs).toEqual([]);
    await page.evaluate(() => history.back());
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs).toEqual(['beforeunload']);
    await expectStep(page, 'situation');
    expect(page.url()).toBe(before.url);
    await expect(helper(page).locator('#h-situation')).toHaveText(messages['situation.heading']);
  });
}

test("the page's Back buttons and the browser's Back are the same: no entry is added going back", async ({ page }) => {
  await startFlow(page);
  await chooseSituation(page, 'other');
  await next(page);
  await next(page);
  await addUrls(page, LINKS);
  await next(page);
  await expectStep(page, 'evidence');
  const length = await page.evaluate(() => history.length);
  await section(page, 'evidence').locator('.back').click();
  await expectStep(page, 'urls');
  await expect.poll(() => historyState(page)).toEqual({ reportHelperStep: 'urls' });
  expect(await page.evaluate(() => history.length)).toBe(length);
  // The browser's Forward now comes back to the step left by the page's Back button.
  await page.goForward();
  await expectStep(page, 'evidence');
});

test("a minor's report has no evidence step in history either", async ({ page }) => {
  await startFlow(page);
  await chooseSituation(page, 'minor');
  await next(page);
  await next(page);
  await addUrls(page, LINKS);
  await next(page);
  await expectStep(page, 'about');
  await page.goBack();
  await expectStep(page, 'urls');
  await page.goForward();
  await expectStep(page, 'about');
  const states = [];
  for (let i = 0; i < 3; i++) {
    await page.goBack();
    states.push(await historyState(page));
  }
  expect(states).toEqual([{ reportHelperStep: 'urls' }, { reportHelperStep: 'files' }, { reportHelperStep: 'situation' }]);
});

test('Forward goes no further than Next would: the step that is missing something says what', async ({ page }) => {
  const en = catalog('en');
  await startFlow(page);
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await addUrls(page, [LINKS[0]]);
  await next(page);
  await expectStep(page, 'evidence');
  await page.goBack();
  await expectStep(page, 'urls');
  // The only link removed: the report has nothing to report yet.
  await helper(page).getByRole('button', { name: en['urls.removeLabel'].replace('{url}', LINKS[0]) }).click();
  await page.goBack();
  await expectStep(page, 'files');
  await page.goForward();
  await expectStep(page, 'urls');
  await page.goForward();
  await expectStep(page, 'urls');
  await expect(helper(page).locator('#url-errors')).toHaveText(en['invalid.empty']);
  await expect.poll(() => historyState(page)).toEqual({ reportHelperStep: 'urls' });
});

test('after sending, Back never shows the report as unsent and never sends again: it leaves, asking first', async ({ page }) => {
  const dialogs = collectDialogs(page);
  const posts = await fulfilReports(page, { reference: 'RH-NAV-0002', token: 'tok-nav-0002' });
  await startFlow(page);
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await addUrls(page, LINKS);
  await next(page);
  await passEvidence(page);
  await fillAbout(page, {});
  await goToReview(page);
  await send(page);
  await waitSent(page);
  expect(await historyState(page)).toEqual({ reportHelperStep: 'send' });
  await page.evaluate(() => history.back());
  await expect.poll(() => dialogs.length).toBe(1);
  expect(dialogs).toEqual(['beforeunload']);
  await expectStep(page, 'send');
  await expect(helper(page).locator('#sent')).toBeVisible();
  await expect(section(page, 'review')).toBeHidden();
  expect(posts).toHaveLength(1);
});

test('the status check is an entry of its own: Back closes it, Forward opens it again', async ({ page }) => {
  const en = catalog('en');
  await startFlow(page);
  await helper(page).getByRole('button', { name: en['check.open'] }).click();
  await expect(section(page, 'check')).toBeVisible();
  expect(await historyState(page)).toEqual({ reportHelperStep: 'check' });
  await page.goBack();
  await expectStep(page, 'situation');
  await page.goForward();
  await expect(section(page, 'check')).toBeVisible();
  await expect(section(page, 'check').locator('h2')).toBeFocused();
  // Its own Back button is the browser's Back.
  await section(page, 'check').locator('#check-back').click();
  await expectStep(page, 'situation');
  await expect.poll(() => historyState(page)).toEqual({ reportHelperStep: 'situation' });
});

test("in a host page, the page's own entries keep working and the element stays on its step", async ({ page }) => {
  await openHost(page, 'en');
  const start = page.url();
  await chooseSituation(page, 'shared');
  await next(page);
  await expectStep(page, 'files');
  // A link of the host page adds an entry of the page's own (a fragment): the element stays put.
  await page.locator('#host-link').click();
  await expect(page).toHaveURL(`${start}#about-us`);
  await expectStep(page, 'files');
  await page.goBack();
  await expect(page).toHaveURL(start);
  await expectStep(page, 'files');
  await page.goBack();
  await expectStep(page, 'situation');
  await page.goForward();
  await expectStep(page, 'files');
  await page.goForward();
  await expect(page).toHaveURL(`${start}#about-us`);
  await expectStep(page, 'files');
});

test('a site can opt out with the no-history attribute: no entry is added', async ({ page }) => {
  await openHost(page, 'en');
  await helper(page).evaluate((el) => el.setAttribute('no-history', ''));
  const length = await page.evaluate(() => history.length);
  await chooseSituation(page, 'shared');
  await next(page);
  await expectStep(page, 'files');
  expect(await page.evaluate(() => history.length)).toBe(length);
  expect(await historyState(page)).toBe(null);
});

test('the quick exit from a later step takes the place of the first step: Back from the exit page goes to the page before', async ({ page }) => {
  const dialogs = collectDialogs(page);
  await page.route('**/before.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>before</title><p>news</p>' }));
  await page.goto('/before.html');
  await startFlow(page);
  const exits = await routeExits(page); // after startFlow's: these answer, and count
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await addUrls(page, LINKS);
  await expectStep(page, 'urls');
  await helper(page).locator('#exit').click();
  await page.waitForURL(EXIT_URLS.en);
  await expect(page).toHaveTitle('exit');
  expect(exits).toEqual([EXIT_URLS.en]);
  await page.goBack();
  await expect(page).toHaveTitle('before');
  expect(dialogs).toEqual([]);
});

