// The page itself: languages, accessibility, and the weight of what it loads.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { test, expect } from '@playwright/test';
import { MiB, shownDigests, sparseFile, watch } from './helpers.mjs';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../www/i18n/${lang}.json`, import.meta.url)));
const en = catalog('en');
const nl = catalog('nl');

test('catalogues have the same keys, and every key the page uses exists', () => {
  expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
  for (const c of [en, nl]) for (const v of Object.values(c)) expect(v.trim()).not.toBe('');
  const html = readFileSync(new URL('../www/index.html', import.meta.url), 'utf8');
  const app = readFileSync(new URL('../www/app.js', import.meta.url), 'utf8');
  const used = [
    ...[...html.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)].map((m) => m[1]),
    ...[...app.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]),
    ...['worker-failed', 'read-failed', 'hash-failed'].map((code) => `error.${code}`),
  ];
  expect(used.length).toBeGreaterThan(10);
  for (const key of used) expect(Object.keys(en)).toContain(key);
});

for (const [locale, want] of [['nl-NL', 'nl'], ['en-GB', 'en'], ['de-DE', 'en']]) {
  test(`a browser in ${locale} gets ${want}`, async ({ browser }) => {
    const page = await browser.newPage({ locale });
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', want);
    await expect(page.locator('h1')).toHaveText(catalog(want).title);
    await expect(page).toHaveTitle(catalog(want).pageTitle);
    await page.close();
  });
}

test('the lang attribute of the page wins over the browser', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.route('**/', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('<html>', '<html lang="nl">');
    await route.fulfill({ response, body });
  });
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText(nl.title);
  await page.close();
});

test('switching language re-renders everything, files included', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto('/');
  await page.setInputFiles('#file-input', { name: 'c.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5) });
  await shownDigests(page);
  const status = page.locator('#files .status').first();
  await expect(status).toHaveText(en.done);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  await expect(page.locator('h1')).toHaveText(nl.title);
  await expect(page.locator('label[for=file-input]')).toHaveText(nl.choose);
  await expect(status).toHaveText(nl.done);
  await expect(page.getByRole('button', { name: 'Nederlands' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(status).toHaveText(en.done);
  await page.close();
});

test('no accessibility violations (axe-core), before and after hashing, in both languages', async ({ browser }) => {
  // axe is injected as a script, which the page's CSP would refuse: bypass it for this scan only.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const scan = async () => {
    await page.addScriptTag({ path: axe });
    const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
  };
  await page.goto('/');
  expect(await scan()).toEqual([]);
  await page.setInputFiles('#file-input', [
    { name: 'd.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(7) },
  ]);
  await shownDigests(page);
  expect(await scan()).toEqual([]);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  expect(await scan()).toEqual([]);
  await context.close();
});

test('the JS and WebAssembly the page loads stay under 100 KB gzipped', async ({ page }) => {
  const { requests } = await watch(page);
  await page.goto('/');
  await page.setInputFiles('#file-input', { name: 'e.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(9) });
  await shownDigests(page);
  const loaded = new Set(requests.map((r) => new URL(r.url).pathname).filter((p) => /\.(m?js|wasm)$/.test(p)));
  expect([...loaded].sort()).toEqual(['/app.js', '/report-helper.js', '/wasm/report_helper.js', '/wasm/report_helper_bg.wasm', '/worker.js']);
  let total = 0;
  for (const path of loaded) total += gzipSync(readFileSync(new URL(`../dist${path}`, import.meta.url)), { level: 9 }).length;
  console.log(`JS + WebAssembly the page loads: ${total} bytes gzipped`);
  expect(total).toBeLessThan(100 * 1024);
});

test('the live status changes with the state only; the percent is shown beside it', async ({ page }) => {
  const big = await sparseFile('status.bin', 1024 * MiB);
  await page.goto('/');
  await page.evaluate(() => {
    window.statusChanges = [];
    new MutationObserver((records) => {
      for (const r of records) {
        if (!r.target.classList?.contains('status')) continue;
        for (const node of r.addedNodes) window.statusChanges.push(node.textContent);
      }
    }).observe(document.querySelector('#files'), { subtree: true, childList: true });
  });
  await page.setInputFiles('#file-input', big);
  const item = page.locator('#files > li').first();
  await expect(item.locator('.percent')).toHaveText(/[1-9]\d* ?%/);
  await expect(item).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const changes = await page.evaluate(() => window.statusChanges);
  expect(changes).toEqual([en.queued, en.hashing, en.done]);
});

test('a catalogue that fails to load falls back to English and says so', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'nl-NL' });
  await page.route('**/i18n/nl.json', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText(en.title);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('alert')).toHaveText(en['error.catalog']);
  await page.close();
});
