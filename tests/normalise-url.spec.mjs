// normaliseUrl(): each pasted line as the browser's WHATWG parser writes it, or why it is
// refused. Expected forms are written by hand and cross-checked with Node's URL (WHATWG too).
// What it gives must be what the core accepts (the core parses with the `url` crate, WHATWG as
// well): every URL it makes goes through buildReport, and every URL of the shared cases file
// (schema/tests/report-v1-cases.json) the core refuses as a private address is refused here too.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { KEY } from '../schema/tests/make-report-v1-cases.mjs';
import { startFlow, chooseSituation, next, expectStep, addUrls, listedUrls, text } from './flow-helpers.mjs';

const CASES = [
  ['https://Example.COM/a#frag', { url: 'https://example.com/a' }],
  ['  example.org/x  ', { url: 'https://example.org/x' }],
  ['example.org:8080/x', { url: 'https://example.org:8080/x' }],
  ['http:/example.com/x', { url: 'http://example.com/x' }],
  ['https://user:pw@example.com/p?q=1', { url: 'https://example.com/p?q=1' }],
  ['https://bücher.example/ä', { url: 'https://xn--bcher-kva.example/%C3%A4' }],
  // Issue 16: quotes and <> are escaped, a backslash is a slash, public addresses stay.
  ['https://x.com/"><script>alert(1)</script>', { url: 'https://x.com/%22%3E%3Cscript%3Ealert(1)%3C/script%3E' }],
  ['https://evil.example\\@good.example/', { url: 'https://evil.example/@good.example/' }],
  ['https://8.8.8.8/x', { url: 'https://8.8.8.8/x' }],
  ['https://[2001:db8::1]/x', { url: 'https://[2001:db8::1]/x' }],
  ['https://172.32.0.1/', { url: 'https://172.32.0.1/' }],
  ['https://localhost.example/', { url: 'https://localhost.example/' }],
  // A space inside a line means two things were pasted together, not one address.
  ['https://example.com/a b', { problem: 'invalid' }],
  ['https://example.com/%zz', { problem: 'invalid' }],
  ['https://example.com/50%', { problem: 'invalid' }],
  ['htps:/example.com/x', { problem: 'scheme' }],
  ['ftp://example.com/x', { problem: 'scheme' }],
  ['javascript:alert(1)', { problem: 'scheme' }],
  ['mailto:someone@example.com', { problem: 'scheme' }],
  ['not an address', { problem: 'invalid' }],
  ['https://', { problem: 'invalid' }],
  ['https://[/', { problem: 'invalid' }],
  ['https://example.com:99999999/', { problem: 'invalid' }],
  // This device and private networks: no helpline can open them.
  ['http://192.168.1.1/x', { problem: 'private' }],
  ['169.254.169.254/latest/meta-data/', { problem: 'private' }],
  ['http://10.0.0.1/', { problem: 'private' }],
  ['http://172.16.0.1/', { problem: 'private' }],
  ['http://100.64.0.1/', { problem: 'private' }],
  ['http://0.0.0.0/', { problem: 'private' }],
  ['http://0x7f.1/', { problem: 'private' }],
  ['localhost:3000/x', { problem: 'private' }],
  ['http://a.localhost/', { problem: 'private' }],
  ['http://[::1]/', { problem: 'private' }],
  ['http://[::]/', { problem: 'private' }],
  ['http://[fd12::1]/', { problem: 'private' }],
  ['http://[fe80::1]/', { problem: 'private' }],
  ['http://[::ffff:10.0.0.1]/', { problem: 'private' }],
  ['http://[64:ff9b::192.168.0.1]/', { problem: 'private' }],
  [`https://example.com/${'a'.repeat(2100)}`, { problem: 'long' }],
];

/** The URLs of the cases file, with the core's verdict on each. */
const FILE_URLS = JSON.parse(readFileSync(new URL('../schema/tests/report-v1-cases.json', import.meta.url), 'utf8'))
  .filter((c) => typeof c.report === 'object' && c.report.urls?.length === 1 && (c.valid || c.field === 'urls[0]'))
  .map((c) => ({ url: c.report.urls[0], valid: c.valid, problem: c.problem }));

test('normaliseUrl reads each line as the WHATWG parser does and refuses the rest', async ({ page }) => {
  // The expected URLs are what Node's WHATWG parser makes of them, minus fragment and credentials.
  for (const [, want] of CASES) if (want.url) expect(new URL(want.url).href).toBe(want.url);
  await page.goto('/');
  const got = await page.evaluate(async (lines) => {
    const { normaliseUrl } = await import('./report-helper.js');
    return lines.map((line) => normaliseUrl(line));
  }, CASES.map(([line]) => line));
  expect(got).toEqual(CASES.map(([, want]) => want));
});

test('the core accepts every URL normaliseUrl gives, and the page refuses every private one the core does', async ({ page }) => {
  await page.goto('/');
  const lines = [...CASES.map(([line]) => line), ...FILE_URLS.map((u) => u.url)];
  const results = await page.evaluate(async ({ lines, key }) => {
    const { normaliseUrl, buildReport } = await import('./report-helper.js');
    const out = [];
    for (const line of lines) {
      const { url, problem } = normaliseUrl(line);
      let core = null;
      if (url) {
        try {
          await buildReport({ idempotency_key: key, created_at: '2026-11-27T21:57:00Z', language: 'en', situation: 'shared', items: [], urls: [url], good_faith: true });
          core = 'ok';
        } catch (e) {
          core = `${e.field}: ${e.problem}`;
        }
      }
      out.push({ line, url, problem, core });
    }
    return out;
  }, { lines, key: KEY });
  for (const r of results) if (r.url) expect(r.core, r.line).toBe('ok');
  const privates = FILE_URLS.filter((u) => u.problem === 'private-address');
  expect(privates.length).toBeGreaterThanOrEqual(4);
  for (const { url } of privates) expect(results.find((r) => r.line === url).problem, url).toBe('private');
  // Every URL the core accepts as it is, the page keeps as it is.
  for (const { url } of FILE_URLS.filter((u) => u.valid)) expect(results.find((r) => r.line === url).url, url).toBe(url);
});

for (const lang of ['en', 'nl']) {
  test(`a pasted private address is refused with its own message (${lang})`, async ({ page }) => {
    const messages = await startFlow(page, { lang });
    await chooseSituation(page, 'shared');
    await next(page);
    await expectStep(page, 'files');
    await next(page);
    await expectStep(page, 'urls');
    await addUrls(page, ['https://example.com/a', 'http://192.168.1.1/x']);
    expect(await listedUrls(page)).toEqual(['https://example.com/a']);
    await expect(page.locator('#url-errors li')).toHaveText([
      // Line 1 of the box as it is now: the good line above it was taken out.
      text(messages, 'urls.bad.private', { line: 1, text: 'http://192.168.1.1/x' }),
    ]);
    await expect(page.locator('#url-input')).toHaveValue('http://192.168.1.1/x');
  });
}
