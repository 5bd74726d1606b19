// Accessibility of the whole flow of <report-helper>: axe-core (WCAG 2.2 AA tags) on every step
// and error state in English and Dutch; the whole flow by keyboard alone, focus on each step's
// heading; errors announced (role=alert) and tied to their fields; every step on a 360x740
// phone, with screenshots (test-results/screenshots/<lang>-<nn>-<step>.png) and touch targets
// of at least 24x24 CSS px.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  addFilesOnStep,
  addUrls,
  axe,
  back,
  chooseSituation,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  passEvidence,
  routeReports,
  section,
  send,
  standaloneConfig,
  startFlow,
  text,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');

let fx;
let photo; // a small JPEG
let video;
test.beforeAll(async ({ browser }) => {
  fx = await makeFlowFixtures(browser);
  photo = fx.files.find((f) => f.name.startsWith('IMG_'));
  video = fx.files.find((f) => f.kind === 'video');
});
test.afterAll(() => removeFlowFixtures(fx));

/** The element that has focus, through shadow roots. */
const focused = (page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    return {
      tag: el.localName,
      id: el.id,
      type: el.getAttribute('type'),
      value: el.value ?? null,
      classes: [...el.classList],
      step: el.closest('section[data-step]')?.dataset.step ?? null,
      text: el.textContent.trim().slice(0, 80),
    };
  });

/** What has focus inside the element's shadow root (the step headings live there). */
const focusedInHelper = (page) => page.evaluate(() => document.querySelector('report-helper').shadowRoot.activeElement?.id ?? null);

/** Presses Tab (or Shift+Tab) until `wanted(focused)`; fails after `max` presses. */
async function tabTo(page, wanted, { max = 40, backwards = false } = {}) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (f && wanted(f)) return f;
    seen.push(f && `${f.tag}#${f.id}.${f.classes.join('.')}[${f.step}]`);
  }
  throw new Error(`focus never got there; went through ${seen.join(' → ')}`);
}

const isButton = (cls, step) => (f) => f.tag === 'button' && f.classes.includes(cls) && f.step === step;

// ---- axe on every step and error state ---------------------------------------------------------

for (const lang of ['en', 'nl']) {
  test(`axe-core (WCAG 2.2 AA) finds no violation on any step or error state, in ${lang}`, async ({ browser }) => {
    // axe is injected as a script, which the page's CSP would refuse: bypass it for this test only.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const found = {};
    const scan = async (state) => {
      found[state] = await axe(page);
    };
    const el = helper(page);
    await routeReports(page, [
      { status: 400, body: { error: 'Refused for the test' } },
      { status: 201, body: { reference: 'RH-A11Y-1', token: 'tok-a11y-1', status: 'received' } },
    ]);
    const m = await startFlow(page, { lang });
    await scan('situation');
    await next(page);
    await expect(el.locator('#situation-error')).toHaveText(m['invalid.situation']);
    await scan('situation: nothing chosen');
    await chooseSituation(page, 'minor');
    await expect(el.locator('#minor-note')).toBeVisible();
    await scan('situation: minor note');
    await chooseSituation(page, 'shared');
    await next(page);
    await expectStep(page, 'files');
    await scan('files: empty');
    await next(page);
    await expectStep(page, 'urls');
    await next(page);
    await expect(el.locator('#url-errors')).toContainText(m['invalid.empty']);
    await scan('urls: neither files nor addresses');
    await addUrls(page, ['https://example.org/one', 'not an address', 'ftp://files.example/x.jpg']);
    await expect(el.locator('#url-errors li')).toHaveCount(2);
    await scan('urls: bad lines');
    await back(page);
    await addFilesOnStep(page, [photo.path, fx.files[0].path, video.path]);
    await waitAllHashed(page, 3);
    await el.locator('#files > li.file').first().locator('.reveal').click();
    await scan('files: hashed, one shown');
    await next(page);
    await el.locator('#url-input').fill('');
    await next(page);
    await expectStep(page, 'evidence');
    await el.locator('#shot-input').setInputFiles([photo.path]);
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'marking');
    await scan('evidence: a screenshot to mark');
    await el.locator('#shots .add-area').click();
    await next(page);
    await expect(el.locator('#shot-error')).toHaveText(m['evidence.unfinished']);
    await scan('evidence: an area, not finished');
    await el.locator('#shots .apply').click();
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'redacted');
    await scan('evidence: kept');
    await next(page);
    await expectStep(page, 'about');
    await scan('about');
    await fillAbout(page, { name: 'J. D.', email: 'not-an-email', goodFaith: false });
    await next(page);
    await expect(el.locator('#email-error')).toHaveText(m['invalid.not-email']);
    await scan('about: bad email');
    await fillAbout(page, { email: 'jd@example.org', goodFaith: false });
    await next(page);
    await expect(el.locator('#good-faith-error')).toHaveText(m['invalid.good-faith-required']);
    await scan('about: statement not ticked');
    await fillAbout(page, { goodFaith: true });
    await goToReview(page);
    await scan('review');
    await el.locator('#raw summary').click();
    await expect(el.locator('#raw-json')).toBeVisible();
    await scan('review: raw JSON open');
    await send(page);
    await expect(el.locator('#send-status')).toHaveText(text(m, 'send.rejected', { message: 'Refused for the test', name: standaloneConfig().name }));
    await scan('send: refused');
    await el.locator('#back-to-review').click();
    await expectStep(page, 'review');
    await send(page);
    await waitSent(page);
    await scan('send: sent');

    // The status check, with its answers and the question before withdrawing.
    const statuses = [404, 200];
    await page.route('**/api/reports/*', (route) => {
      const status = statuses.shift() ?? 200;
      return route.fulfill({ status, contentType: 'application/json',
        body: JSON.stringify(status === 404 ? { error: 'no' } : { reference: 'RH-A11Y-1', status: 'in_progress' }) });
    });
    await el.locator('#sent-check').click();
    await el.locator('#check-submit').click();
    await expect(el.locator('#check-error')).toHaveText(m['check.notFound']);
    await scan('check: not found');
    await el.locator('#check-submit').click();
    await expect(el.locator('#check-status')).toHaveText(text(m, 'check.status.in_progress', { reference: 'RH-A11Y-1' }));
    await el.locator('#withdraw').click();
    await expect(el.locator('#withdraw-confirm')).toBeVisible();
    await scan('check: status, withdraw asked');
    await el.locator('#withdraw-no').click();
    await el.locator('#check-back').click();

    // The minor variant: anonymous about step and review.
    await el.locator('#new-report').click();
    await expectStep(page, 'situation');
    await chooseSituation(page, 'minor');
    await next(page);
    await addFilesOnStep(page, [photo.path]);
    await waitAllHashed(page, 1);
    await next(page);
    await next(page);
    await passEvidence(page);
    await expectStep(page, 'about');
    await expect(el.locator('#name')).toBeHidden();
    await scan('about: minor');
    await fillAbout(page, { explanation: 'Found on a forum.' });
    await goToReview(page);
    await scan('review: minor');

    expect(Object.keys(found)).toHaveLength(21);
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length))).toEqual({});
    await context.close();
  });
}

test('the axe scan is not blind inside the shadow root: it finds a nameless button and grey-on-white text there', async ({ browser }) => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await startFlow(page);
  await helper(page).evaluate((host) => {
    const section = host.shadowRoot.querySelector('section[data-step="situation"]');
    section.append(Object.assign(document.createElement('button'), { id: 'planted-nameless' }));
    section.append(Object.assign(document.createElement('p'), { id: 'planted-faint', textContent: 'faint text', style: 'color:#ccc;background:#fff' }));
  });
  const found = await axe(page);
  expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^button-name .*planted-nameless/), expect.stringMatching(/^color-contrast .*planted-faint/)]));
  await context.close();
});

// ---- keyboard only -------------------------------------------------------------------------------

test('the whole flow by keyboard alone: Tab, Shift+Tab, Space, Enter, arrows and typing; focus on each step heading', async ({ page }) => {
  const posts = await fulfilReports(page, { reference: 'RH-KEYS-1', token: 'tok-keys-1' });
  const m = await startFlow(page);
  const el = helper(page);
  const atHeading = (id) => expect.poll(() => focusedInHelper(page)).toBe(id);

  // Situation: Tab into the group, arrows move the choice, Space picks.
  const radio = await tabTo(page, (f) => f.tag === 'input' && f.type === 'radio');
  expect(radio.value).toBe('shared');
  await page.keyboard.press('ArrowDown');
  await expect(el.locator('input[value="threatened"]')).toBeChecked();
  await page.keyboard.press('ArrowUp');
  await expect(el.locator('input[value="shared"]')).toBeChecked();
  await page.keyboard.press('Space');
  // The age, in a group of its own: Space picks, arrows move.
  await tabTo(page, (f) => f.tag === 'input' && f.type === 'radio' && f.value === 'yes');
  await page.keyboard.press('Space');
  await expect(el.locator('#minor-note')).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(el.locator('input[name="age"][value="no"]')).toBeChecked();
  await expect(el.locator('#minor-note')).toBeHidden();
  await tabTo(page, isButton('next', 'situation'));
  await page.keyboard.press('Enter');
  await expectStep(page, 'files');
  await atHeading('h-files');

  // Files: the hidden file input takes focus; Space opens the chooser (the OS dialog).
  // Waiting starts before the Tabs: Playwright turns on chooser interception without waiting for
  // the browser, so a single key press right after it could open the chooser before it is caught.
  const chooserShown = page.waitForEvent('filechooser');
  await tabTo(page, (f) => f.id === 'file-input');
  await page.keyboard.press('Space');
  const chooser = await chooserShown;
  await chooser.setFiles([photo.path, video.path]);
  await waitAllHashed(page, 2);
  // Show the first preview, by keyboard.
  await tabTo(page, (f) => f.classes.includes('reveal'));
  await page.keyboard.press('Enter');
  await expect(el.locator('#files > li.file').first()).toHaveClass(/revealed/);
  await tabTo(page, isButton('next', 'files'));
  await page.keyboard.press('Enter');
  await expectStep(page, 'urls');
  await atHeading('h-urls');

  // URLs: type two lines, Tab to Add, Enter; Back once and forward again with Shift+Tab.
  await tabTo(page, (f) => f.id === 'url-input');
  await page.keyboard.type('https://forum.example/t/1');
  await page.keyboard.press('Enter');
  await page.keyboard.type('imagehost.example/i/2.jpg');
  await tabTo(page, (f) => f.id === 'add-urls');
  await page.keyboard.press('Enter');
  await expect(el.locator('#url-list li')).toHaveCount(2);
  await tabTo(page, isButton('next', 'urls'));
  await tabTo(page, isButton('back', 'urls'), { backwards: true });
  await page.keyboard.press('Enter');
  await expectStep(page, 'files');
  await atHeading('h-files');
  await tabTo(page, isButton('next', 'files'));
  await page.keyboard.press('Enter');
  await atHeading('h-urls');
  await tabTo(page, isButton('next', 'urls'));
  await page.keyboard.press('Enter');
  await expectStep(page, 'evidence');
  await atHeading('h-evidence');
  await tabTo(page, isButton('next', 'evidence'));
  await page.keyboard.press('Enter');
  await expectStep(page, 'about');
  await atHeading('h-about');

  // About: type, tick the statement with Space, "Check the report" with Enter.
  await tabTo(page, (f) => f.id === 'name');
  await page.keyboard.type('J. D.');
  await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('email');
  await page.keyboard.type('jd@example.org');
  await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('explanation');
  await page.keyboard.type('Shared without my consent.');
  await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('good-faith');
  await page.keyboard.press('Space');
  await expect(el.locator('#good-faith')).toBeChecked();
  await tabTo(page, isButton('next', 'about'));
  await page.keyboard.press('Enter');
  await expectStep(page, 'review');
  await atHeading('h-review');

  // Review: open the raw JSON with Enter on its summary, then Send.
  await tabTo(page, (f) => f.tag === 'summary' && f.text === m['review.raw']);
  await page.keyboard.press('Enter');
  await expect(el.locator('#raw-json')).toBeVisible();
  await tabTo(page, (f) => f.id === 'send');
  await page.keyboard.press('Enter');
  await expectStep(page, 'send');
  await waitSent(page);
  await atHeading('h-send');
  expect(posts).toHaveLength(1);
  expect(posts[0].json).toMatchObject({
    situation: 'shared',
    urls: ['https://forum.example/t/1', 'https://imagehost.example/i/2.jpg'],
    contact: { name: 'J. D.', email: 'jd@example.org' },
    explanation: 'Shared without my consent.',
    good_faith: true,
  });
  expect(posts[0].json.items).toHaveLength(2);

  // The receipt, by keyboard.
  await tabTo(page, (f) => f.id === 'receipt-json');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe('receipt-RH-KEYS-1.json');
  expect(JSON.parse(await readFile(await download.path(), 'utf8')).reference).toBe('RH-KEYS-1');
  expect(m['sent.receiptJson']).toBe(await el.locator('#receipt-json').textContent());
});

// ---- errors: announced and tied to their fields ---------------------------------------------------

/**
 * The error element `errorId` is shown with `message`, is announced (role=alert, or inside an
 * aria-live region), and `field` is marked aria-invalid and described by it (aria-describedby
 * names the error's id, so the accessible description carries the message).
 */
async function expectTiedError(page, errorId, field, message) {
  const el = helper(page);
  const error = el.locator(`#${errorId}`);
  await expect(error).toBeVisible();
  await expect(error).toContainText(message);
  expect(
    await error.evaluate((e) => e.getAttribute('role') === 'alert' || !!e.closest('[aria-live="assertive"], [aria-live="polite"], [role="alert"], [role="status"]')),
    `#${errorId} is announced`,
  ).toBe(true);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  expect((await field.getAttribute('aria-describedby'))?.split(/\s+/), 'aria-describedby of the field').toContain(errorId);
  await expect(field).toHaveAccessibleDescription(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
}

/** The error is gone and the field no longer marked invalid. */
async function expectCleared(page, errorId, field) {
  await expect(helper(page).locator(`#${errorId}`)).toBeHidden();
  await expect(field).not.toHaveAttribute('aria-invalid', 'true');
}

test('errors are announced (role=alert) and tied to their fields (aria-invalid, aria-describedby), and focus goes to the field', async ({ page }) => {
  const m = await startFlow(page);
  const el = helper(page);

  // URLs: nothing to report, then bad lines.
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await next(page);
  const box = el.locator('#url-input');
  await expectTiedError(page, 'url-errors', box, m['invalid.empty']);
  await expect(box).toBeFocused();
  await addUrls(page, ['https://example.org/ok', 'not an address', 'javascript:alert(1)']);
  const summary = text(m, 'urls.badSummary', { count: 2, added: 1 });
  await expectTiedError(page, 'url-errors', box, summary);
  await expect(el.locator('#url-errors li')).toHaveText([
    // Lines of the box as it is now: the good line above them was taken out (issue 18).
    text(m, 'urls.bad.none', { line: 1, text: 'not an address' }),
    text(m, 'urls.bad.scheme', { line: 2, text: 'javascript:alert(1)' }),
  ]);
  await expect(box).toHaveValue('not an address\njavascript:alert(1)');
  await addUrls(page, '');
  await expectCleared(page, 'url-errors', box);
  await next(page);

  // About: a bad email, then the statement not ticked; each fixed in turn.
  await passEvidence(page);
  await expectStep(page, 'about');
  const email = el.locator('#email');
  const goodFaith = el.locator('#good-faith');
  await fillAbout(page, { email: 'jane at example', goodFaith: false });
  await next(page);
  await expectTiedError(page, 'email-error', email, m['invalid.not-email']);
  await expect(email).toBeFocused();
  await email.fill('jane@example.org');
  await expectCleared(page, 'email-error', email);
  await next(page);
  await expectTiedError(page, 'good-faith-error', goodFaith, m['invalid.good-faith-required']);
  await expect(goodFaith).toBeFocused();
  await goodFaith.check();
  await expectCleared(page, 'good-faith-error', goodFaith);
  await goToReview(page);
});

// The situation step's error is shown in a role=alert and the focus goes to the first radio,
// which gets aria-invalid. Its description is on the <fieldset> (aria-describedby), the group the
// radios are announced in, not on the radio that is marked invalid.
test('the situation error is announced and tied to the radio group', async ({ page }) => {
  const m = await startFlow(page);
  const el = helper(page);
  await next(page);
  const error = el.locator('#situation-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveText(m['invalid.situation']);
  await expect(error).toHaveAttribute('role', 'alert');
  const group = el.getByRole('group', { name: m['situation.legend'] });
  await expect(group).toHaveAttribute('aria-describedby', 'situation-error');
  await expect(group).toHaveAccessibleDescription(m['invalid.situation']);
  const first = el.locator('input[name="situation"]').first();
  await expect(first).toBeFocused();
  await expect(first).toHaveAttribute('aria-invalid', 'true');
  await chooseSituation(page, 'other');
  await expect(error).toBeHidden();
  await expect(el.locator('input[name="situation"][aria-invalid]')).toHaveCount(0);
});

// ---- phones ----------------------------------------------------------------------------------------

/** Buttons and other click targets of the step shown that are smaller than 24x24 CSS px. */
const smallTargets = (page) =>
  helper(page).evaluate((host) => {
    const root = host.shadowRoot;
    const section = root.querySelector('section[data-step]:not([hidden])');
    const targets = [...root.querySelectorAll('#exit'), ...section.querySelectorAll('button, .button, summary, label.choice, input[type="radio"], input[type="checkbox"]')];
    return targets
      .filter((t) => t.getClientRects().length)
      .map((t) => {
        // A radio or checkbox is clicked through its whole label.
        const box = (t.type === 'radio' || t.type === 'checkbox') && t.closest('label') ? t.closest('label') : t;
        const r = box.getBoundingClientRect();
        return { what: `${t.localName}${t.id ? `#${t.id}` : ''}.${[...t.classList].join('.')} ${t.textContent.trim().slice(0, 30)}`, w: r.width, h: r.height };
      })
      .filter((t) => t.w < 24 || t.h < 24);
  });

/**
 * Parts of the page that stick out of the 360 px viewport or spill their content sideways (text
 * wider than its box, e.g. a word that cannot wrap), through the shadow root. Scrolling boxes
 * (the raw JSON's <pre>) may be wider inside: they scroll on their own.
 */
const sideways = (page) =>
  page.evaluate(() => {
    const found = [];
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) walk(e.shadowRoot);
        if (!e.getClientRects().length || e.closest('pre')) continue;
        const r = e.getBoundingClientRect();
        const spills = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible';
        const what = `${e.localName}${e.id ? `#${e.id}` : ''}${e.classList.length ? `.${[...e.classList].join('.')}` : ''}`;
        if (r.left < -0.5 || r.right > 360.5) found.push(`${what} box ${Math.round(r.left)}..${Math.round(r.right)}`);
        else if (spills && !e.children.length) found.push(`${what} content ${e.scrollWidth} px in ${e.clientWidth} px`);
      }
    };
    walk(document);
    return found;
  });

/** Visible buttons (and the file picker's label) whose label runs over more lines than it has words. */
const brokenLabels = (page) =>
  page.evaluate(() => {
    const found = [];
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) walk(e.shadowRoot);
        if (!e.matches('button, .button, summary') || !e.getClientRects().length) continue;
        const range = document.createRange();
        range.selectNodeContents(e);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        const words = e.textContent.trim().split(/\s+/).length;
        if (lines > words) found.push(`${e.localName}${e.id ? `#${e.id}` : ''} "${e.textContent.trim()}": ${lines} lines`);
      }
    };
    walk(document);
    return found;
  });

for (const lang of ['en', 'nl']) {
  test(`phones: every step works at 360x740, the minor variant too, in ${lang}; screenshots of each`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await fulfilReports(page, { reference: 'RH-PHONE-1', token: 'tok-phone-1' });
    const el = helper(page);
    let n = 0;
    const shots = [];
    /** Checks the step shown on the phone and saves its screenshot. */
    const check = async (name, primary) => {
      const step = await el.evaluate((h) => h.step);
      const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
      expect(width, `${name}: no horizontal scroll; sticking out: ${(await sideways(page)).join('; ')}`).toBeLessThanOrEqual(360);
      expect(await sideways(page), `${name}: nothing sticks out sideways`).toEqual([]);
      expect(await smallTargets(page), `${name}: targets under 24x24`).toEqual([]);
      if (primary) {
        const button = section(page, step).locator(primary);
        await expect(button).toBeVisible();
        await button.scrollIntoViewIfNeeded();
        await expect(button).toBeInViewport();
        await button.click({ trial: true }); // visible, stable, enabled, not covered
      }
      const path = join(SCREENSHOTS, `${lang}-${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      shots.push(path);
    };
    await startFlow(page, { lang });
    await check('situation', '.next');
    await next(page);
    await check('situation-error', '.next');
    await chooseSituation(page, 'shared');
    await next(page);
    await addFilesOnStep(page, [photo.path, fx.files[0].path, video.path]);
    await waitAllHashed(page, 3);
    await el.locator('#files > li.file').first().locator('.reveal').tap();
    await check('files', '.next');
    await next(page);
    await addUrls(page, ['https://forum.example/threads/private-pictures-of-someone-i-know/page-3?sort=new', 'not an address']);
    await check('urls-errors', '.next');
    await addUrls(page, '');
    await check('urls', '.next');
    await next(page);
    await el.locator('#shot-input').setInputFiles([photo.path]);
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'marking');
    await el.locator('#shots .add-area').tap();
    await check('evidence', '.next');
    await el.locator('#shots .apply').tap();
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'redacted');
    await check('evidence-kept', '.next');
    await next(page);
    await fillAbout(page, { name: 'J. D.', email: 'nope', goodFaith: false });
    await next(page);
    await check('about-errors', '.next');
    await fillAbout(page, { email: 'jd@example.org', explanation: 'Shared without consent.', goodFaith: true });
    await check('about', '.next');
    await goToReview(page);
    await el.locator('#raw summary').tap();
    await check('review', '#send');
    await send(page);
    await waitSent(page);
    await check('sent', '#receipt-json');
    await page.route('**/api/reports/*', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ reference: 'RH-PHONE-1', status: 'received' }) }));
    await el.locator('#sent-check').tap();
    await el.locator('#check-submit').tap();
    await expect(el.locator('#withdraw')).toBeVisible();
    await el.locator('#withdraw').tap();
    await check('check', '#withdraw-yes');
    await el.locator('#check-back').tap();

    // The minor variant.
    await el.locator('#new-report').tap();
    await expectStep(page, 'situation');
    await chooseSituation(page, 'minor');
    await check('minor-situation', '.next');
    await next(page);
    await addFilesOnStep(page, [photo.path]);
    await waitAllHashed(page, 1);
    await check('minor-files', '.next');
    await next(page);
    await check('minor-urls', '.next');
    await next(page);
    await check('minor-about', '.next');
    await fillAbout(page, {});
    await goToReview(page);
    await check('minor-review', '#send');
    await send(page);
    await waitSent(page);
    await check('minor-sent', '#receipt-json');

    expect(shots).toHaveLength(18);
    await testInfo.attach('screenshots', { body: shots.join('\n'), contentType: 'text/plain' });
    await context.close();
  });
}

// Long text without a break point, which a victim pastes all the time (links, refused lines,
// email addresses), wraps on a 360 px phone: the page never scrolls sideways. (Until 60e770c the
// list's addresses, the refused lines and the review's <dd>s spilled out, up to 732 px wide.)
test('phones: long addresses, refused lines, emails and links in the explanation do not widen the page at 360 px', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const el = helper(page);
  const wide = {};
  const measure = async (state) => {
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    const out = await sideways(page);
    if (width > 360 || out.length) wide[state] = { width, sideways: out };
  };
  for (const lang of ['en', 'nl']) {
    await startFlow(page, { lang });
    await chooseSituation(page, 'shared');
    await next(page);
    await next(page);
    await addUrls(page, [
      'https://forum.example/threads/private-pictures-of-someone-i-know/page-3?sort=new#post-8812',
      'ftp://imagehost.example/i/aVeryLongIdentifierWithoutAnyBreakOpportunity0123456789abcdefghijk.jpg',
    ]);
    await expect(el.locator('#url-errors li')).toHaveCount(1);
    await measure(`${lang}: a long address in the list and a long refused line`);
    await addUrls(page, '');
    await measure(`${lang}: a long address in the list`);
    await next(page);
    await passEvidence(page);
    await fillAbout(page, {
      email: 'jane.doe.private.account.2024@example.org',
      explanation: 'It is here: https://forum.example/threads/private-pictures-of-someone-i-know/page-3',
    });
    await goToReview(page);
    await measure(`${lang}: review with a long email and a link in the explanation`);
  }
  expect(wide).toEqual({});
  await context.close();
});

// No button label breaks inside a word on a phone: the Remove button beside a long address, and
// the preview's reveal button in Dutch ("Vervagen", wider than the 5rem preview). (Until babfe04
// they broke: "Rem|ove", "Ver|wijd|ere|n", "Vervage|n".)
test('phones: button labels stay whole (Remove beside a long address; the preview Blur in Dutch)', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const el = helper(page);
  const broken = {};
  for (const lang of ['en', 'nl']) {
    await startFlow(page, { lang });
    await chooseSituation(page, 'shared');
    await next(page);
    await addFilesOnStep(page, [photo.path]);
    await waitAllHashed(page, 1);
    await el.locator('#files > li.file .reveal').tap();
    await expect(el.locator('#files > li.file')).toHaveClass(/revealed/);
    broken[`${lang}: files, preview shown`] = await brokenLabels(page);
    await next(page);
    await addUrls(page, ['https://forum.example/threads/private-pictures-of-someone-i-know/page-3?sort=new#post-8812']);
    await expect(el.locator('#url-list li')).toHaveCount(1);
    broken[`${lang}: a long address in the list`] = await brokenLabels(page);
  }
  expect(Object.fromEntries(Object.entries(broken).filter(([, v]) => v.length))).toEqual({});
  await context.close();
});
