// normaliseUrl(): each pasted line as the browser's WHATWG parser writes it, or why it is
// refused. Expected forms are written by hand and cross-checked with Node's URL (WHATWG too).
import { test, expect } from '@playwright/test';

const CASES = [
  ['https://Example.COM/a#frag', { url: 'https://example.com/a' }],
  ['  example.org/x  ', { url: 'https://example.org/x' }],
  ['example.org:8080/x', { url: 'https://example.org:8080/x' }],
  ['http:/example.com/x', { url: 'http://example.com/x' }],
  ['https://user:pw@example.com/p?q=1', { url: 'https://example.com/p?q=1' }],
  ['https://bücher.example/ä', { url: 'https://xn--bcher-kva.example/%C3%A4' }],
  // A space inside a line means two things were pasted together, not one address.
  ['https://example.com/a b', { problem: 'invalid' }],
  ['htps:/example.com/x', { problem: 'scheme' }],
  ['ftp://example.com/x', { problem: 'scheme' }],
  ['javascript:alert(1)', { problem: 'scheme' }],
  ['mailto:someone@example.com', { problem: 'scheme' }],
  ['not an address', { problem: 'invalid' }],
  ['https://', { problem: 'invalid' }],
  [`https://example.com/${'a'.repeat(2100)}`, { problem: 'long' }],
];

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
