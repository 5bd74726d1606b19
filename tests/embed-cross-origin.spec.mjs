// A helpline's page on another origin embeds the helper with one script tag, under the CSP the
// docs/embedding.md gives for that case: the worker starts from a blob: module, hashing works, and the
// report goes to the endpoint with no cookies and no referrer.
import { createHash } from 'node:crypto';
import { test, expect } from '@playwright/test';
import { watch } from './helpers.mjs';

test('embedded from another origin, under the CSP docs/embedding.md gives, the helper hashes and sends', async ({ page, baseURL }) => {
  const helper = new URL(baseURL).origin; // http://127.0.0.1:PORT serves the helper's files
  const site = `http://localhost:${new URL(baseURL).port}`; // the helpline's page: another origin
  const endpoint = `${site}/api/reports`;
  const csp = [
    "default-src 'none'",
    `script-src ${helper} 'wasm-unsafe-eval'`,
    `worker-src blob: ${helper}`, // the blob: module, and the worker.js it imports
    `style-src ${helper}`,
    'img-src blob:',
    'media-src blob:',
    `connect-src ${helper} ${site}`,
    "base-uri 'none'",
  ].join('; ');
  const { problems } = await watch(page);
  const fetched = [];
  // The helper's files, served with CORS for the helpline's origin (as a deployment must).
  await page.context().route(`${helper}/**`, async (route) => {
    fetched.push(route.request().url());
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'access-control-allow-origin': site } });
  });
  await page.route(`${site}/page.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers: { 'content-security-policy': csp },
      body: `<!doctype html><html lang="en"><title>Helpline</title><h1>Helpline</h1>
<script type="module" src="${helper}/report-helper.js"></script>
<report-helper endpoint="/api/reports"></report-helper>`,
    }),
  );
  const posted = [];
  await page.route(endpoint, (route) => {
    posted.push(route.request());
    return route.fulfill({ status: 201, json: { reference: 'RH-CROSS-0001', token: 'tok-cross', status: 'received' } });
  });
  await page.goto(`${site}/page.html`);
  await page.locator('input[name=situation][value=other]').check();
  await page.locator('input[name=age][value=no]').check();
  await page.locator('section[data-step=situation] .next').click();
  const bytes = Buffer.from('not an image, hashed all the same\n');
  await page.setInputFiles('#file-input', { name: 'evidence.txt', mimeType: 'text/plain', buffer: bytes });
  const item = page.locator('#files > li').first();
  await expect(item).toHaveAttribute('data-state', 'done');
  await expect(item.locator('code.sha256')).toHaveText(createHash('sha256').update(bytes).digest('hex'));
  await page.locator('section[data-step=files] .next').click();
  await page.locator('section[data-step=urls] .next').click();
  await page.locator('section[data-step=evidence] .next').click();
  await page.locator('#good-faith').check();
  await page.locator('section[data-step=about] .next').click();
  await page.locator('#send').click();
  await expect(page.locator('#reference')).toHaveText('RH-CROSS-0001');
  expect(posted).toHaveLength(1);
  const headers = posted[0].headers();
  expect(headers.cookie).toBeUndefined();
  expect(headers.referer).toBeUndefined();
  expect(JSON.parse(posted[0].postData()).items[0].sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  // The worker came from a blob: module importing the helper's worker.js across origins.
  expect(fetched).toContain(`${helper}/worker.js`);
  expect(problems).toEqual([]);
});
