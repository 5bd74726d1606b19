// The helpline's configuration on screen (issue 17, items 1-3 and 7): the standalone page's Dutch
// example names its helpline, contacts, time frames and privacy statement where promised (the
// first step, the review, "Want to talk to someone?" on every step and the status check); a
// minor gets the line for children first and is told they are not in trouble; no configuration
// gives neutral words and no empty link; an invalid one loses only its bad parts; the `config`
// property redraws; the configuration makes no request; axe, a 360 px phone and screenshots of
// each new state; and config.js's rules, called in the page.
// Expected values come from the configuration the test gives (the standalone page's, read from
// www/index.html, or one written here), the catalogs and numbers written out by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { notSiteFileGets, watch } from './helpers.mjs';
import {
  addFilesOnStep,
  axe,
  catalog,
  chooseSituation,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  passEvidence,
  routeExits,
  send,
  startFlow,
  text,
  waitAllHashed,
  waitSent,
} from './flow-helpers.mjs';

const ROOT = join(import.meta.dirname, '..');
const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

/** The configuration inside the standalone page's element, as shipped. */
const STANDALONE = JSON.parse(readFileSync(join(ROOT, 'www/index.html'), 'utf8').match(/<script type="application\/json">([\s\S]*?)<\/script>/)[1]);
const SUPPORT = Object.fromEntries(STANDALONE.support.map((s) => [s.kind, s]));
const inLang = (value, lang) => (typeof value === 'string' ? value : value[lang]);
// The numbers the README names, as a phone dials them.
const DIALS = { victims: 'tel:09000101', crisis: 'tel:113', children: 'tel:08000432' };

/** A page of the site's origin with `<report-helper>` in `lang` and `inside` as its content. */
async function testPage(page, { lang = 'en', inside = '', path = '/helpline-test.html' } = {}) {
  await page.route(`**${path}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>A helpline</title>
<script type="module" src="/report-helper.js"></script></head>
<body><main><h1>A helpline</h1><report-helper endpoint="/api/reports">${inside}</report-helper></main></body></html>`,
    }),
  );
  await routeExits(page);
  await page.goto(path);
  await expect(page.locator('#h-situation')).toHaveText(catalog(lang)['situation.heading']);
}

const talk = (page) => helper(page).locator('#talk');
const who = (page, step) => helper(page).locator(`section[data-step="${step}"] .who`);

/** Opens "Want to talk to someone?" (if closed) and returns what it lists. */
async function openTalk(page) {
  const box = talk(page);
  if (!(await box.evaluate((d) => d.open))) await box.locator('summary').click();
  await expect(box.locator('#talk-body')).toBeVisible();
  return box.evaluate((d) => ({
    paragraphs: [...d.querySelectorAll('#talk-body > p')].map((p) => p.textContent),
    people: [...d.querySelectorAll('.contacts > li')].map((li) => ({
      kind: li.className,
      name: li.querySelector('strong')?.textContent ?? '',
      texts: [...li.querySelectorAll('p:not(.ways)')].map((p) => p.textContent),
      links: [...li.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.textContent]),
    })),
  }));
}

/** Every link inside the element: [href attribute, text]. */
const links = (page) => helper(page).evaluate((el) => [...el.shadowRoot.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.textContent]));

/** The who-sees-what box of `step`, its details opened: its paragraphs and links. */
async function openWho(page, step) {
  const box = who(page, step);
  await expect(box).toBeVisible();
  if (!(await box.locator('details').evaluate((d) => d.open))) await box.locator('summary').click();
  return box.evaluate((b) => ({
    title: b.querySelector('strong').textContent,
    paragraphs: [...b.querySelectorAll('p')].map((p) => p.textContent),
    links: [...b.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.textContent]),
  }));
}

/** On a 360 px phone: page width, parts sticking out, and the element's targets under 24x24 px. */
const phoneProblems = (page) =>
  page.evaluate(() => {
    const found = [];
    if (document.scrollingElement.scrollWidth > 360) found.push(`page ${document.scrollingElement.scrollWidth} px wide`);
    const root = document.querySelector('report-helper').shadowRoot;
    for (const e of root.querySelectorAll('*')) {
      if (!e.getClientRects().length || e.closest('pre')) continue;
      const r = e.getBoundingClientRect();
      if (r.left < -0.5 || r.right > 360.5) found.push(`${e.localName}.${e.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    for (const t of root.querySelectorAll('#talk summary, #talk a, .who summary, .who a, button, label.choice')) {
      if (!t.getClientRects().length) continue;
      const r = t.getBoundingClientRect();
      if (r.width < 24 || r.height < 24) found.push(`target ${t.localName} "${t.textContent.trim()}" ${r.width}x${r.height}`);
    }
    return found;
  });

// ---- the standalone page's configuration ----------------------------------------------------------

for (const lang of ['en', 'nl']) {
  test(`standalone page, ${lang}: name, contacts, time frames and privacy statement where promised, on every step`, async ({ page }) => {
    await fulfilReports(page, { reference: 'RH-HELP-1', token: 'tok-help-1' });
    const m = await startFlow(page, { lang });
    const name = STANDALONE.name;
    const el = helper(page);

    // Before starting: how long, what to have ready, nothing saved.
    for (const key of ['start.time', 'start.ready', 'start.unsaved']) await expect(el.locator('.before')).toContainText(m[key]);

    // Who sees what, on the first step.
    const first = await openWho(page, 'situation');
    expect(first).toEqual({
      title: m['who.heading'],
      paragraphs: [
        m['who.heading'],
        text(m, 'who.receives', { name }),
        m['who.never'],
        inLang(STANDALONE.handling, lang),
        text(m, 'who.keep', { months: String(STANDALONE.keepMonths), name }),
        m['who.shared'],
        text(m, 'who.privacy', { name }),
      ],
      links: [[STANDALONE.privacyUrl, text(m, 'who.privacy', { name })]],
    });
    expect(first.paragraphs.join(' ')).toContain('12');

    // Talk to someone: the helpline, victim support, crisis line, children's line, in that order.
    const listed = await openTalk(page);
    expect(listed.people.map((p) => [p.kind, p.name])).toEqual([
      ['helpline', name],
      ['victims', 'Slachtofferhulp Nederland'],
      ['crisis', '113 Zelfmoordpreventie'],
      ['children', 'De Kindertelefoon'],
    ]);
    const [own, victims, crisis, children] = listed.people;
    expect(own.links).toEqual([[STANDALONE.url, m['talk.web']]]);
    expect(own.texts).toEqual([m['talk.helpline'], text(m, 'talk.hours', { hours: inLang(STANDALONE.hours, lang) })]);
    expect(victims.links).toEqual([[DIALS.victims, text(m, 'talk.call', { phone: '0900 0101' })], [SUPPORT.victims.url, m['talk.web']]]);
    expect(crisis.links).toEqual([[DIALS.crisis, text(m, 'talk.call', { phone: '113' })], [SUPPORT.crisis.url, m['talk.web']]]);
    expect(children.links).toEqual([[DIALS.children, text(m, 'talk.call', { phone: '0800 0432' })], [SUPPORT.children.chatUrl, m['talk.chat']]]);
    for (const [kind, person] of Object.entries({ victims, crisis, children })) expect(person.texts[0]).toBe(inLang(SUPPORT[kind].about, lang));
    expect(crisis.texts).toContain(text(m, 'talk.hours', { hours: inLang(SUPPORT.crisis.hours, lang) }));
    expect(crisis.texts.join(' ')).toContain('0800 0113');
    expect(listed.paragraphs).toEqual([m['talk.emergency']]);
    // Every link is a phone number or https.
    for (const [href] of listed.people.flatMap((p) => p.links)) expect(href).toMatch(/^(tel:\+?\d+|https:\/\/)/);
    await talk(page).locator('summary').click();

    // The line is there on every step, closed until asked, and keeps its text.
    const onStep = async (step) => {
      await expectStep(page, step);
      await expect(talk(page)).toBeVisible();
      await expect(talk(page).locator('summary')).toHaveText(m['talk.summary']);
    };
    await onStep('situation');
    await chooseSituation(page, 'shared');
    await next(page);
    await onStep('files');
    await addFilesOnStep(page, [{ name: 'a.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('helpline test') }]);
    await waitAllHashed(page, 1);
    await next(page);
    await onStep('urls');
    await next(page);
    await onStep('evidence');
    await passEvidence(page);
    await onStep('about');
    await fillAbout(page, { email: 'me@example.org' });
    await goToReview(page);
    await onStep('review');
    const review = await openWho(page, 'review');
    expect(review.paragraphs).toEqual(first.paragraphs);
    expect(review.links).toEqual(first.links);
    await send(page);
    await waitSent(page);
    await onStep('send');
    await el.locator('#sent-check').click();
    expect(await el.evaluate((h) => h.step)).toBe('check');
    await expect(talk(page)).toBeVisible();
    expect((await openTalk(page)).people.map((p) => p.kind)).toEqual(['helpline', 'victims', 'crisis', 'children']);
  });

  test(`a minor, ${lang}: the children's line first, "you are not in trouble", an anonymous report`, async ({ page }) => {
    const m = await startFlow(page, { lang });
    await chooseSituation(page, 'minor');
    const listed = await openTalk(page);
    expect(listed.paragraphs).toEqual([m['talk.minor'], m['talk.emergency']]);
    expect(listed.people.map((p) => p.kind)).toEqual(['children', 'helpline', 'victims', 'crisis']);
    expect(listed.people[0].name).toBe('De Kindertelefoon');
    expect(listed.people[0].links[0][0]).toBe(DIALS.children);
    const box = await openWho(page, 'situation');
    expect(box.paragraphs[1]).toBe(text(m, 'who.receivesMinor', { name: STANDALONE.name }));
    // Back to an adult's report: the usual order and words.
    await chooseSituation(page, 'shared');
    const adult = await openTalk(page);
    expect(adult.paragraphs).toEqual([m['talk.emergency']]);
    expect(adult.people.map((p) => p.kind)).toEqual(['helpline', 'victims', 'crisis', 'children']);
    expect((await openWho(page, 'situation')).paragraphs[1]).toBe(text(m, 'who.receives', { name: STANDALONE.name }));
  });
}

// ---- no configuration, a bad one, the property --------------------------------------------------

for (const lang of ['en', 'nl']) {
  test(`no configuration, ${lang}: neutral words, no contacts, no empty link`, async ({ page }) => {
    const { problems } = await watch(page);
    await testPage(page, { lang });
    const m = catalog(lang);
    const name = m['helpline.neutral'];
    const box = await openWho(page, 'situation');
    expect(box.paragraphs).toEqual([
      m['who.heading'],
      text(m, 'who.receives', { name }),
      m['who.never'],
      text(m, 'who.keepUnknown', { name }),
      m['who.shared'],
    ]);
    expect(box.links).toEqual([]);
    const listed = await openTalk(page);
    expect(listed).toEqual({ paragraphs: [text(m, 'talk.none', { name }), m['talk.emergency']], people: [] });
    await chooseSituation(page, 'minor');
    expect(await openTalk(page)).toEqual({ paragraphs: [m['talk.minor'], text(m, 'talk.none', { name }), m['talk.emergency']], people: [] });
    // The only link left is the hotline of the minor's note, and it has an address.
    const all = await links(page);
    expect(all.length).toBe(1);
    for (const [href, label] of all) {
      expect(href).toMatch(/^https:\/\/./);
      expect(label.trim()).not.toBe('');
    }
    // The flow goes on as before.
    await next(page);
    await expectStep(page, 'files');
    expect(problems).toEqual([]);
  });
}

test('an invalid configuration loses only its bad parts (http and javascript links, unknown kinds, bad numbers) and breaks nothing', async ({ page }) => {
  const { problems } = await watch(page);
  const config = {
    name: { en: 'Line X', nl: 'Lijn X' },
    url: 'http://line-x.example/',
    privacyUrl: 'javascript:alert(1)',
    phone: 'call us',
    email: 'help@line-x.example',
    keepMonths: -3,
    colour: 'red',
    support: [
      { kind: 'police', name: 'Police', phone: '112' },
      { kind: 'victims', name: 'Only http', url: 'http://victims.example/' },
      { kind: 'crisis', name: 'Crisis line', phone: '0800-1234', chatUrl: 'https://user:pw@crisis.example/chat', url: 'https://crisis.example/' },
      'not an object',
    ],
  };
  await testPage(page, { inside: `<script type="application/json">${JSON.stringify(config)}</script>` });
  const m = catalog('en');
  const box = await openWho(page, 'situation');
  expect(box.paragraphs[1]).toBe(text(m, 'who.receives', { name: 'Line X' }));
  expect(box.paragraphs).toContain(text(m, 'who.keepUnknown', { name: 'Line X' }));
  expect(box.links).toEqual([]);
  const listed = await openTalk(page);
  expect(listed.people).toEqual([
    { kind: 'helpline', name: 'Line X', texts: [m['talk.helpline']], links: [['mailto:help@line-x.example', 'help@line-x.example']] },
    { kind: 'crisis', name: 'Crisis line', texts: [], links: [['tel:08001234', text(m, 'talk.call', { phone: '0800-1234' })], ['https://crisis.example/', m['talk.web']]] },
  ]);
  for (const [href] of await links(page)) expect(href).not.toMatch(/^(http:|javascript:)|@crisis/);
  // One warning, naming what was dropped; no error.
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^console warning: report-helper: parts of the configuration are ignored: /);
  for (const part of ['unknown field "colour"', 'url is not valid', 'privacyUrl is not valid', 'phone is not valid', 'keepMonths is not valid', 'support[0].kind', 'support[1] has no phone', 'support[2].chatUrl is not valid', 'support[3] is not an object']) {
    expect(problems[0]).toContain(part);
  }
  // The flow goes on.
  await chooseSituation(page, 'other');
  await next(page);
  await expectStep(page, 'files');
});

test('JSON that does not parse is ignored with a warning: neutral words', async ({ page }) => {
  const { problems } = await watch(page);
  await testPage(page, { inside: '<script type="application/json">{ "name": "Broken", }</script>' });
  const m = catalog('en');
  expect((await openWho(page, 'situation')).paragraphs[1]).toBe(text(m, 'who.receives', { name: m['helpline.neutral'] }));
  expect(problems).toEqual([expect.stringMatching(/^console warning: report-helper: the configuration is not valid JSON/)]);
});

test('the config property set from JS redraws every text, in the language of now; setting {} goes back to neutral words', async ({ page }) => {
  await testPage(page);
  const en = catalog('en');
  const nl = catalog('nl');
  await openWho(page, 'situation');
  await openTalk(page);
  await helper(page).evaluate((el) => {
    el.config = { name: { en: 'Line Y', nl: 'Lijn Y' }, keepMonths: 6, phone: '+31 20 123 4567', privacyUrl: 'https://line-y.example/privacy' };
  });
  let box = await openWho(page, 'situation');
  expect(box.paragraphs).toEqual(expect.arrayContaining([text(en, 'who.receives', { name: 'Line Y' }), text(en, 'who.keep', { months: '6', name: 'Line Y' })]));
  expect(box.links).toEqual([['https://line-y.example/privacy', text(en, 'who.privacy', { name: 'Line Y' })]]);
  let listed = await openTalk(page);
  expect(listed.people.map((p) => [p.name, p.links])).toEqual([['Line Y', [['tel:+31201234567', text(en, 'talk.call', { phone: '+31 20 123 4567' })]]]]);
  // The getter gives the checked, frozen configuration.
  expect(await helper(page).evaluate((el) => [Object.isFrozen(el.config), el.config.keepMonths])).toEqual([true, 6]);
  // Another language: the texts follow.
  await helper(page).evaluate((el) => el.setAttribute('lang', 'nl'));
  await expect(helper(page).locator('#h-situation')).toHaveText(nl['situation.heading']);
  box = await openWho(page, 'situation');
  expect(box.paragraphs[1]).toBe(text(nl, 'who.receives', { name: 'Lijn Y' }));
  listed = await openTalk(page);
  expect(listed.people[0].links[0][1]).toBe(text(nl, 'talk.call', { phone: '+31 20 123 4567' }));
  await helper(page).evaluate((el) => {
    el.config = {};
  });
  expect((await openWho(page, 'situation')).paragraphs[1]).toBe(text(nl, 'who.receives', { name: nl['helpline.neutral'] }));
  expect((await openTalk(page)).people).toEqual([]);
});

test('the configuration makes no request: only GETs of the site\'s own files, none to a configured address', async ({ page, baseURL }) => {
  const { requests, problems } = await watch(page);
  const m = await startFlow(page);
  await openWho(page, 'situation');
  await openTalk(page);
  await chooseSituation(page, 'minor');
  await openTalk(page);
  const before = requests.length;
  await helper(page).evaluate((el) => {
    el.config = { name: 'Z', url: 'https://z.example/', privacyUrl: 'https://z.example/privacy', chatUrl: 'https://z.example/chat', support: [{ kind: 'crisis', url: 'https://crisis.example/' }] };
  });
  await expect(who(page, 'situation')).toContainText(text(m, 'who.receivesMinor', { name: 'Z' }));
  await openTalk(page);
  expect(requests.length).toBe(before);
  expect(requests.length).toBeGreaterThan(5); // the watcher saw the page load
  expect(notSiteFileGets(requests, baseURL)).toEqual([]);
  const configured = [STANDALONE.url, STANDALONE.privacyUrl, ...STANDALONE.support.flatMap((s) => [s.url, s.chatUrl])].filter(Boolean);
  for (const r of requests) for (const url of configured) expect(r.url).not.toContain(new URL(url).host);
  expect(problems).toEqual([]);
});

// ---- accessibility, phones, screenshots -------------------------------------------------------------

for (const lang of ['en', 'nl']) {
  test(`axe (WCAG 2.2 AA) and a 360x740 phone at each new state, ${lang}; screenshots`, async ({ browser }) => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const found = {};
    let n = 0;
    const state = async (name) => {
      found[name] = [...(await axe(page)), ...(await phoneProblems(page))];
      await page.screenshot({ path: join(SCREENSHOTS, `${lang}-help-${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    await startFlow(page, { lang });
    await state('first-step');
    await openWho(page, 'situation');
    await state('who-open');
    await openTalk(page);
    await state('talk-open');
    await chooseSituation(page, 'minor');
    await state('talk-minor');
    await talk(page).locator('summary').click();
    await chooseSituation(page, 'shared');
    await next(page);
    await addFilesOnStep(page, [{ name: 'b.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('phone test') }]);
    await waitAllHashed(page, 1);
    await next(page);
    await next(page);
    await passEvidence(page);
    await fillAbout(page, {});
    await goToReview(page);
    await openWho(page, 'review');
    await state('review-who-open');
    await openTalk(page);
    await state('review-talk-open');
    // No configuration: the neutral words.
    await testPage(page, { lang, path: '/neutral.html' });
    await openWho(page, 'situation');
    await openTalk(page);
    await state('neutral');
    expect(Object.keys(found)).toHaveLength(7);
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length))).toEqual({});
    await context.close();
  });
}

// ---- config.js's rules ---------------------------------------------------------------------------

test('config.js: what readConfig keeps and drops, contacts() and localise()', async ({ page }) => {
  const { problems } = await watch(page);
  await page.goto('/');
  const got = await page.evaluate(async () => {
    const { readConfig, localise } = await import('/config.js');
    const keys = (v) => Object.keys(readConfig(v));
    const one = (field, value) => readConfig({ [field]: value })[field];
    return {
      notObjects: [null, undefined, 'x', 3, [], true].map((v) => keys(v)),
      frozen: Object.isFrozen(readConfig({ name: 'A' })),
      unknown: keys({ name: 'A', colour: 'red' }),
      urls: ['https://a.example/x', 'http://a.example/', 'https://u:p@a.example/', 'ftp://a.example/', 'javascript:alert(1)', '/relative', 42].map((v) => one('privacyUrl', v)),
      phones: ['0900 0101', '+31 (0)20-123 45 67', '12', '1234567890123456', 'call 113', '113', ''].map((v) => one('phone', v)),
      emails: ['help@x.example', ' help@x.example ', 'no-at.example', 'a@b', 'a b@x.example', 'a@x.example>'].map((v) => one('email', v)),
      counts: [1, 12, 365, 366, 0, -1, 1.5, '12'].map((v) => one('firstLookDays', v)),
      months: [1200, 1201].map((v) => one('keepMonths', v)),
      texts: ['  Helpwanted  ', '', '   ', 'x'.repeat(400), 'x'.repeat(401), { nl: 'Hulp', en: 'Help' }, { NL: 'x' }, { nl: '' }, {}, 7].map((v) => one('name', v)),
      support: readConfig({
        support: [
          { kind: 'victims', name: 'V', url: 'https://v.example/' },
          { kind: 'police', phone: '112' },
          { kind: 'crisis', name: 'No way to reach' },
          { kind: 'children', phone: '0800 0432', url: 'http://k.example/' },
          'x',
        ],
      }).support,
      notList: keys({ support: 'x' }),
      localise: [localise({ nl: 'a', en: 'b' }, 'nl'), localise({ nl: 'a', en: 'b' }, 'de'), localise({ fr: 'c' }, 'nl'), localise('d', 'nl'), localise(undefined, 'nl')],
    };
  });
  expect(got.notObjects).toEqual([[], [], [], [], [], []]);
  expect(got.frozen).toBe(true);
  expect(got.unknown).toEqual(['name']);
  expect(got.urls).toEqual(['https://a.example/x', undefined, undefined, undefined, undefined, undefined, undefined]);
  expect(got.phones).toEqual(['0900 0101', '+31 (0)20-123 45 67', undefined, undefined, undefined, '113', undefined]);
  expect(got.emails).toEqual(['help@x.example', 'help@x.example', undefined, undefined, undefined, undefined]);
  expect(got.counts).toEqual([1, 12, 365, undefined, undefined, undefined, undefined, undefined]);
  expect(got.months).toEqual([1200, undefined]);
  expect(got.texts).toEqual(['Helpwanted', undefined, undefined, 'x'.repeat(400), undefined, { nl: 'Hulp', en: 'Help' }, undefined, undefined, undefined, undefined]);
  expect(got.support).toEqual([{ kind: 'victims', name: 'V', url: 'https://v.example/' }, { kind: 'children', phone: '0800 0432' }]);
  expect(got.notList).toEqual([]);
  const orders = await page.evaluate(async () => {
    const { readConfig, contacts } = await import('/config.js');
    const cfg = readConfig({ email: 'h@x.example', support: [{ kind: 'children', phone: '1 2 3' }, { kind: 'crisis', phone: '113' }, { kind: 'victims', phone: '0900 0101' }] });
    return {
      adult: contacts(cfg, 'en').map((c) => [c.kind, c.tel]),
      minor: contacts(cfg, 'en', { minor: true }).map((c) => c.kind),
      none: contacts(readConfig({ name: 'Only a name' }), 'en'),
    };
  });
  expect(orders.adult).toEqual([['helpline', ''], ['victims', 'tel:09000101'], ['crisis', 'tel:113'], ['children', 'tel:123']]);
  expect(orders.minor).toEqual(['children', 'helpline', 'victims', 'crisis']);
  expect(orders.none).toEqual([]);
  expect(got.localise).toEqual(['a', 'b', 'c', 'd', '']);
  // Each bad configuration above warned once, and nothing failed.
  expect(problems.every((p) => p.startsWith('console warning: report-helper: parts of the configuration are ignored'))).toBe(true);
});
