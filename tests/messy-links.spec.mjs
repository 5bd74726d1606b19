// Issue 18, item 6: links from messy text. A chat message pasted into the URL box gives every
// http(s) link in it, without the punctuation around it and without the parameters that only
// track a share; each pasted line says what was taken from it; a refused piece stays in the box
// and its error names its line as the box shows it now; a short "how to copy a link"; accounts
// without a link, sent as `accounts` and valid against the JSON Schema.
//
// The expected links are written by hand from the rules in docs/payload.md ("Links from pasted
// text"), never from the code: parentheses, brackets, quotes and `.,;:!?` around a link are the
// text's; a balanced `(...)` inside a link is the link's (Wikipedia); `utm_*`, `fbclid`, `gclid`,
// `igshid`, `mibextid`, X's `s` and `t`, YouTube's `si` are dropped; `v`, `t` on YouTube, `id`,
// `story_fbid`, `p` stay.
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  addUrls,
  axe,
  chooseSituation,
  expectStep,
  expectValidReport,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  listedUrls,
  next,
  passEvidence,
  send,
  startFlow,
  text,
} from './flow-helpers.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');

/** The messy paste: chat messages, brackets, quotes, trailing punctuation, several links a line. */
const PASTE = [
  'Hoi, kijk hier (https://twitter.com/sanne_fake/status/1790000000000000001?s=20&t=Ab12Cd) en ook: https://x.com/sanne_fake/status/1790000000000000002?s=46,',
  'Zie: https://www.instagram.com/p/Cx1y2z3/?igshid=MzRlODBiNWFlZA==&utm_source=ig_web_copy_link',
  '',
  '<https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEf&t=42s>, https://youtu.be/dQw4w9WgXcQ?si=xyz.',
  'snapchat: sanne_fake',
  '“https://www.facebook.com/permalink.php?story_fbid=123456&id=789&mibextid=Nif5oz”!',
  'http://192.168.1.1/admin en https://example.org/album?id=7&fbclid=IwAR0abc&utm_campaign=x',
  'https://en.wikipedia.org/wiki/Tor_(network).',
  'example.org/x;',
  'https://x.com/sanne_fake/status/1790000000000000002',
  '[https://example.com/a?gclid=1&p=2](https://example.com/b)',
  'keekhttps://example.net/glued!',
];

/** What it gives, in order: written by hand from the rules above. */
const LINKS = [
  'https://twitter.com/sanne_fake/status/1790000000000000001',
  'https://x.com/sanne_fake/status/1790000000000000002',
  'https://www.instagram.com/p/Cx1y2z3/',
  'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s',
  'https://youtu.be/dQw4w9WgXcQ',
  'https://www.facebook.com/permalink.php?story_fbid=123456&id=789',
  'https://example.org/album?id=7',
  'https://en.wikipedia.org/wiki/Tor_(network)',
  'https://example.org/x',
  'https://example.com/a?p=2',
  'https://example.com/b',
  'https://example.net/glued',
];

/** What each pasted line gave: [line, links added] (0: all already in the list). */
const TAKEN = [[1, 2], [2, 1], [4, 2], [6, 1], [7, 1], [8, 1], [9, 1], [10, 0], [11, 2], [12, 1]];

/** Buttons and summaries of the URL step under 24 x 24 px. */
const smallTargets = (page) =>
  helper(page).evaluate((host) => [...host.shadowRoot.querySelectorAll('section[data-step="urls"] :is(button, summary, input)')]
    .filter((t) => t.getClientRects().length)
    .map((t) => ({ what: t.id || t.textContent, r: t.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 24 || r.height < 24)
    .map(({ what }) => what));

for (const lang of ['en', 'nl']) {
  test(`a messy paste gives its exact links, tracking dropped; per-line results; errors on the box's lines; accounts sent (${lang})`, async ({ browser }) => {
    // axe is injected as a script, which the page's CSP would refuse: bypass it for this test only.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const posts = await fulfilReports(page);
    const el = helper(page);
    let shot = 0;
    /** axe, no sideways scroll at 360 px, targets of 24 px, and a screenshot of this state. */
    const check = async (state) => {
      // The sticky exit bar covers whatever scrolls under it, and axe counts a covered button as a
      // small target: scan with the page at its top, where nothing is under the bar.
      await page.evaluate(() => window.scrollTo(0, 0));
      expect(await axe(page), `axe: ${state}`).toEqual([]);
      expect(await page.evaluate(() => document.scrollingElement.scrollWidth), `${state}: no sideways scroll`).toBeLessThanOrEqual(360);
      expect(await smallTargets(page), `${state}: targets under 24 px`).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `${lang}-links-${++shot}-${state}.png`), fullPage: true });
    };

    const messages = await startFlow(page, { lang });
    const t = (key, params) => text(messages, key, params);
    await chooseSituation(page, 'shared');
    await next(page);
    await expectStep(page, 'files');
    await next(page);
    await expectStep(page, 'urls');

    // How to copy a link: closed until asked, then a line for each common app.
    const howto = el.locator('#url-howto');
    await expect(howto).not.toHaveAttribute('open');
    await expect(howto.locator('summary')).toHaveText(messages['urls.howto']);
    await howto.locator('summary').click();
    await expect(howto).toHaveAttribute('open');
    await expect(howto.locator('li')).toHaveText(
      ['instagram', 'tiktok', 'snapchat', 'x', 'facebook', 'chat', 'browser'].map((app) => messages[`urls.howto.${app}`]),
    );

    await addUrls(page, PASTE);
    expect(await listedUrls(page)).toEqual(LINKS);
    await expect(el.locator('#url-taken li')).toHaveText(
      TAKEN.map(([line, count]) => (count ? t('urls.took', { line, count }) : t('urls.known', { line }))),
    );
    // What was refused stays in the box, a line each, and the errors name those lines.
    await expect(el.locator('#url-input')).toHaveValue('snapchat: sanne_fake\nhttp://192.168.1.1/admin');
    await expect(el.locator('#url-errors-summary')).toHaveText(t('urls.badSummary', { count: 2, added: LINKS.length }));
    await expect(el.locator('#url-errors li')).toHaveText([
      t('urls.bad.none', { line: 1, text: 'snapchat: sanne_fake' }),
      t('urls.bad.private', { line: 2, text: 'http://192.168.1.1/admin' }),
    ]);
    await check('pasted');

    // The person corrects the box and adds again: the refused pieces are what the box holds now,
    // and each error names its line there, not its line in what was pasted.
    await addUrls(page, ['https://good.example/a?utm_medium=chat', 'http://10.0.0.1/x']);
    await expect(el.locator('#url-input')).toHaveValue('http://10.0.0.1/x');
    await expect(el.locator('#url-errors li')).toHaveText([t('urls.bad.private', { line: 1, text: 'http://10.0.0.1/x' })]);
    await expect(el.locator('#url-taken li')).toHaveText([t('urls.took', { line: 1, count: 1 })]);
    await addUrls(page, ['https://good.example/b', 'nothing here', 'http://10.0.0.1/x']);
    await expect(el.locator('#url-input')).toHaveValue('nothing here\nhttp://10.0.0.1/x');
    await expect(el.locator('#url-errors li')).toHaveText([
      t('urls.bad.none', { line: 1, text: 'nothing here' }),
      t('urls.bad.private', { line: 2, text: 'http://10.0.0.1/x' }),
    ]);
    await el.locator('#url-input').fill('');

    // An account without a link: both fields are needed.
    await el.locator('#account-platform').fill('Snapchat');
    await el.locator('#add-account').click();
    await expect(el.locator('#account-errors')).toHaveText(messages['accounts.missing']);
    await expect(el.locator('#account-name')).toBeFocused();
    await expect(el.locator('#account-name')).toHaveAttribute('aria-invalid', 'true');
    await check('account-error');
    await el.locator('#account-name').fill(' sanne_fake ');
    await el.locator('#account-name').press('Enter');
    await expect(el.locator('#account-errors')).toBeHidden();
    await el.locator('#account-platform').fill('Instagram');
    await el.locator('#account-name').fill('@sanne.fake');
    await el.locator('#add-account').click();
    await expect(el.locator('#account-list-heading')).toHaveText(t('accounts.listHeading', { count: 2 }));
    await expect(el.locator('#account-list li .url')).toHaveText(['Snapchat: sanne_fake', 'Instagram: @sanne.fake']);
    await check('accounts');
    // Remove the second; focus goes to the one left.
    await el.getByRole('button', { name: t('accounts.removeLabel', { url: 'Instagram: @sanne.fake' }) }).click();
    await expect(el.locator('#account-list li .url')).toHaveText(['Snapchat: sanne_fake']);

    await next(page);
    await passEvidence(page);
    await fillAbout(page, { email: 'me@example.org' });
    await goToReview(page);
    await expect(el.locator('#review dl.summary')).toContainText(t('accounts.review', { count: 1 }));
    await expect(el.locator('#review dl.summary')).toContainText('Snapchat: sanne_fake');
    await send(page);
    await expect.poll(() => posts.length).toBe(1);
    const report = posts[0].json;
    expect(report.urls).toEqual([...LINKS, 'https://good.example/a', 'https://good.example/b']);
    expect(report.accounts).toEqual([{ platform: 'Snapchat', name: 'sanne_fake' }]);
    expectValidReport(report);
    await context.close();
  });
}

test('a threat with no file and no link: an account alone is a report, valid against the schema', async ({ page }) => {
  const posts = await fulfilReports(page);
  const el = helper(page);
  const messages = await startFlow(page, { lang: 'nl' });
  await chooseSituation(page, 'threatened');
  await next(page);
  await expectStep(page, 'files');
  await next(page);
  await expectStep(page, 'urls');
  // Nothing yet: Next says what is missing.
  await next(page);
  await expectStep(page, 'urls');
  await el.locator('#account-platform').fill('Snapchat');
  await el.locator('#account-name').fill('sanne_fake');
  await el.locator('#add-account').click();
  await next(page);
  await passEvidence(page);
  await fillAbout(page, {});
  await goToReview(page);
  await expect(el.locator('#review dl.summary')).toContainText(text(messages, 'accounts.review', { count: 1 }));
  await send(page);
  await expect.poll(() => posts.length).toBe(1);
  const report = posts[0].json;
  expect(report.items).toEqual([]);
  expect(report.urls).toEqual([]);
  expect(report.accounts).toEqual([{ platform: 'Snapchat', name: 'sanne_fake' }]);
  expectValidReport(report);
});
