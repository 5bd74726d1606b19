// The words (issue 18, item 11): the glossary of docs/words.md held over both catalogs, the plural
// rule of format(), and no word broken mid-way on a 360 px phone, on every step, in both languages.
import { test, expect } from '@playwright/test';
import {
  addFilesOnStep,
  addUrls,
  catalog,
  chooseSituation,
  fillAbout,
  flowFile,
  fulfilReports,
  goToReview,
  helper,
  next,
  removeFlowFiles,
  routeReports,
  send,
  startFlow,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';

const en = catalog('en');
const nl = catalog('nl');
const placeholders = (value) => [...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// Keys whose values belong to another part of issue 18 (the helpers of items 1-5 rewrite them);
// their new words are listed for the lead in the report of item 11. Empty this set once applied.
const AWAITING = new Set();
// The children's hotline is another organisation, named as such: the one "meldpunt" that stays.
const OTHER_ORGANISATION = new Set(['minor.hotline', 'minor.hotlineLink']);

/** Every value of `messages` matching `re`, as "key: value", but for the keys in `except`. */
const matching = (messages, re, except = new Set()) =>
  Object.entries(messages)
    .filter(([key, value]) => !AWAITING.has(key) && !except.has(key) && re.test(value))
    .map(([key, value]) => `${key}: ${value}`);

test('the glossary holds in both catalogs (docs/words.md)', () => {
  // Plurals are written out (a `.one` key), never "(s)", "(en)" or "(e)".
  for (const messages of [en, nl]) expect(matching(messages, /\w\((s|en|e|n)\)/i)).toEqual([]);
  // A unit is a word: "over 2 seconden", not "over 2 s".
  for (const messages of [en, nl]) expect(matching(messages, /(\d|\})\s?(s|ms|sec)\b/)).toEqual([]);
  // Links, not URLs (the singular only where an app's own label is quoted).
  for (const messages of [en, nl]) expect(matching(messages, /\bURL'?s\b/)).toEqual([]);
  // Dutch: the reference is a "meldingsnummer"; the receiver is the helpline, not "het meldpunt";
  // informal "je", never "u" or "uw".
  expect(matching(nl, /zaaknummer/i)).toEqual([]);
  expect(matching(nl, /meldpunt/i, OTHER_ORGANISATION)).toEqual([]);
  expect(matching(nl, /\b(u|uw|uzelf)\b/i)).toEqual([]);
  // English: "reference number" and "confirmation"; the receipt is a file name only.
  expect(matching(en, /receipt|case reference/i)).toEqual([]);
  // "Bewijs" is evidence only, "bevestiging" the confirmation: each Dutch word goes with its
  // English one, key by key, in both directions.
  for (const key of Object.keys(en)) {
    expect(/\bbewijs/i.test(nl[key]), `${key}: "bewijs" where the English says "evidence"`).toBe(/evidence/i.test(en[key]));
    expect(/bevestiging/i.test(nl[key]), `${key}: "bevestiging" where the English says "confirmation"`).toBe(/confirmation/i.test(en[key]));
  }
});

test('every key has the same placeholders in both languages, and every `.one` its plural right before it', () => {
  expect(Object.keys(nl)).toEqual(Object.keys(en));
  for (const key of Object.keys(en)) expect(placeholders(nl[key]), key).toEqual(placeholders(en[key]));
  const keys = Object.keys(en);
  const singulars = keys.filter((key) => key.endsWith('.one'));
  expect(singulars.length).toBeGreaterThan(0);
  for (const key of singulars) {
    const plural = key.slice(0, -'.one'.length);
    expect(keys[keys.indexOf(key) - 1], `${key} follows ${plural}`).toBe(plural);
    // The two forms take the same values, the count among them.
    expect(placeholders(en[key]), key).toEqual(placeholders(en[plural]));
    expect(placeholders(en[plural]), plural).toContain('count');
  }
});

test('format(): with a count of 1 the `.one` form when there is one, else the plural key', async ({ page }) => {
  await page.goto('/');
  const got = await page.evaluate(async () => {
    const { format } = await import('/i18n.js');
    const messages = { lines: '{count} lines of {name}', 'lines.one': '{count} line of {name}', days: '{count} days' };
    return [
      format(messages, 'lines', { count: 1, name: 'A' }),
      format(messages, 'lines', { count: 2, name: 'A' }),
      format(messages, 'lines', { count: 0, name: 'A' }),
      format(messages, 'lines', { count: '1', name: 'A' }), // a string is not a count
      format(messages, 'lines', { name: 'A' }),
      format(messages, 'days', { count: 1 }),
      format(messages, 'missing', { count: 1 }),
      format(messages, 'lines.one', { count: 5, name: 'A' }),
    ];
  });
  expect(got).toEqual([
    '1 line of A',
    '2 lines of A',
    '0 lines of A',
    '1 lines of A',
    ' lines of A',
    '1 days',
    'missing',
    '5 line of A',
  ]);
});

// ---- no word broken mid-way at 360 px ------------------------------------------------------------

/**
 * Words of the page's visible text (in the shadow roots too) whose letters run over two lines:
 * broken mid-word by `overflow-wrap: anywhere` or hyphenation. A word is a run without spaces,
 * hyphens or slashes (where a line may end); addresses, emails and codes (with a dot, @, colon
 * or underscore inside, or in code, pre and the list's .url and .name) may break anywhere.
 * Returns them, and how many words were measured.
 */
const brokenWords = (page) =>
  page.evaluate(() => {
    const found = [];
    let seen = 0;
    const FREE = 'code, pre, .url, .name, input, textarea, .visually-hidden, [hidden]';
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
      const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = texts.nextNode(); node; node = texts.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(FREE) || !parent.getClientRects().length) continue;
        for (const m of node.data.matchAll(/[^\s\-‐–—/]+/g)) {
          if (m[0].length < 2 || /\w[.@:_]\w/.test(m[0])) continue;
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          seen++;
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
          if (lines.size > 1) found.push(`"${m[0]}" in <${parent.localName}${parent.id ? `#${parent.id}` : ''}>`);
        }
      }
    };
    walk(document);
    return { found, seen };
  });

/** Opens every <details> (who sees what, talk to someone, how to copy a link, the raw JSON). */
const openAll = (page) =>
  page.evaluate(() => {
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) walk(e.shadowRoot);
        if (e.localName === 'details') e.open = true;
      }
    };
    walk(document);
  });

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

test('the check finds a word broken mid-way at 360 px', async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await startFlow(page, { lang: 'nl' });
  expect((await brokenWords(page)).found).toEqual([]);
  // A compound longer than the phone is wide, as a heading: it can only break inside.
  const word = 'Vingerafdrukkenberekeningsprogrammaonderdelen';
  await helper(page).evaluate((el, w) => (el.shadowRoot.querySelector('#h-situation').textContent = w), word);
  expect((await brokenWords(page)).found).toEqual([`"${word}" in <h2#h-situation>`]);
  await context.close();
});

let fx;
test.beforeAll(async ({ browser }) => {
  fx = await makeFlowFixtures(browser);
});
test.afterAll(async () => {
  await removeFlowFixtures(fx);
  await removeFlowFiles();
});

for (const lang of ['nl', 'en']) {
  test(`no word is broken mid-way at 360 px on any step, in ${lang}`, async ({ browser }) => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const el = helper(page);
    const broken = {};
    const check = async (state) => {
      await openAll(page);
      const { found, seen } = await brokenWords(page);
      expect(seen, `${state}: words measured`).toBeGreaterThan(40);
      if (found.length) broken[state] = found;
    };
    await routeReports(page, [{ status: 400, body: { error: 'Refused for the test' } }]);
    const m = await startFlow(page, { lang });
    await check('situation');
    await next(page);
    await check('situation: nothing chosen');
    await chooseSituation(page, 'threatened');
    await next(page);
    const photo = fx.files.find((f) => f.name.startsWith('IMG_'));
    const video = fx.files.find((f) => f.kind === 'video');
    await addFilesOnStep(page, [photo.path, video.path, await flowFile('notes.txt', 'notes')]);
    await waitAllHashed(page, 3);
    await check('files');
    await next(page);
    await addUrls(page, ['https://forum.example/t/1', 'not an address', 'http://192.168.1.20/x']);
    await check('urls: refused lines');
    await addUrls(page, '');
    await el.locator('#account-platform').fill('Snapchat');
    await el.locator('#account-name').fill('sanne_fake');
    await el.locator('#account-name').press('Enter');
    await check('urls');
    await next(page);
    await el.locator('#shot-input').setInputFiles([photo.path]);
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'marking');
    await el.locator('#shots .add-area').tap();
    await check('evidence: marking');
    await el.locator('#shots .apply').tap();
    await expect(el.locator('#shots > li.shot')).toHaveAttribute('data-state', 'redacted');
    await check('evidence: kept');
    await next(page);
    await fillAbout(page, { email: 'nope', goodFaith: false });
    await next(page);
    await check('about: errors');
    await fillAbout(page, { email: 'sam@example.org', explanation: 'Gedeeld zonder toestemming.', goodFaith: true });
    await goToReview(page);
    await check('review');
    await send(page);
    await expect(el.locator('#h-send')).toHaveText(m['send.failedHeading']);
    await check('send: refused');
    await el.locator('#back-to-review').click();
    await fulfilReports(page, { reference: 'RH-WORD-0001', token: 'tok-word-0001' });
    await send(page);
    await waitSent(page);
    await check('sent');
    await page.route('**/api/reports/*', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ reference: 'RH-WORD-0001', status: 'in_progress' }) }));
    await el.locator('#sent-check').tap();
    await el.locator('#check-submit').tap();
    await el.locator('#withdraw').tap();
    await check('check: withdraw?');
    await el.locator('#check-back').tap();
    // The child's path.
    await el.locator('#new-report').tap();
    await chooseSituation(page, 'minor');
    await check('minor: situation');
    await next(page);
    await addFilesOnStep(page, [photo.path]);
    await waitAllHashed(page, 1);
    await next(page);
    await next(page);
    await check('minor: about');
    await fillAbout(page, {});
    await goToReview(page);
    await send(page);
    await waitSent(page);
    await check('minor: sent');
    expect(broken).toEqual({});
    await context.close();
  });
}
