// Removing a file while it is hashed, and failures a person can meet: each gives a clear
// message, never a hang.
import { readFileSync } from 'node:fs';
import { rm, truncate } from 'node:fs/promises';
import { test, expect } from '@playwright/test';
import { MiB, apiInput, dropApiFiles, nodeDigests, openFilesStep, randomFile, shownDigests, sparseFile, watch } from './helpers.mjs';

const en = JSON.parse(readFileSync(new URL('../www/i18n/en.json', import.meta.url)));
const nl = JSON.parse(readFileSync(new URL('../www/i18n/nl.json', import.meta.url)));

test('removing a file while it is hashed stops its workers and its item, and the page keeps working', async ({ page }) => {
  const { problems } = await watch(page);
  const big = await sparseFile('cancel-me.bin', 8 * 1024 * MiB);
  await openFilesStep(page);
  await page.setInputFiles('#file-input', big);
  const items = page.locator('#files > li');
  const item = items.first();
  await expect(item).toHaveAttribute('data-state', 'hashing');
  await expect.poll(() => item.locator('progress').evaluate((p) => p.value)).toBeGreaterThan(0);
  const workers = page.workers().length;
  expect(workers).toBeGreaterThan(0);
  await item.getByRole('button', { name: en['files.removeLabel'].replace('{name}', 'cancel-me.bin') }).click();
  // Its item is gone (never left showing a "stopped" state), and a screen reader is told.
  await expect(items).toHaveCount(0);
  await expect(page.locator('#announcer')).toHaveText(en['files.removed']);
  // Focus went back to the file picker, not lost with the removed button.
  await expect.poll(() => page.evaluate(() => document.querySelector('report-helper').shadowRoot.activeElement?.id)).toBe('file-input');
  // Its workers were stopped, not left reading 8 GiB in the background.
  await expect.poll(() => page.workers().length).toBe(0);

  const small = await randomFile('after-cancel.bin', 3 * MiB + 1);
  const want = await nodeDigests(small);
  await page.setInputFiles('#file-input', small);
  await expect(items).toHaveCount(1);
  expect(await shownDigests(page, 0)).toEqual({ sha256: want.sha256, md5: want.md5 });
  await expect(items.first().locator('.name')).toHaveText('after-cancel.bin');
  expect(problems).toEqual([]);
});

test('hashFile() honours an AbortSignal, before and during hashing', async ({ page }) => {
  const big = await sparseFile('abort-me.bin', 8 * 1024 * MiB);
  await page.goto('/');
  await apiInput(page, [big]);
  const outcome = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    const file = document.querySelector('#api-input').files[0];
    const early = await hashFile(file, { signal: AbortSignal.abort() }).then(() => 'resolved', (e) => e.name);
    const controller = new AbortController();
    let seen = 0;
    const late = await hashFile(file, {
      signal: controller.signal,
      onProgress: ({ loaded }) => {
        seen = loaded;
        if (loaded > 0) controller.abort();
      },
    }).then(() => 'resolved', (e) => e.name);
    return { early, late, seen };
  });
  expect(outcome.early).toBe('AbortError');
  expect(outcome.late).toBe('AbortError');
  expect(outcome.seen).toBeGreaterThan(0);
  expect(outcome.seen).toBeLessThan(8 * 1024 * MiB);
});

test('a worker script that fails to load gives a clear message', async ({ page }) => {
  await page.route('**/worker.js', (route) => route.abort());
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'a.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(1000, 1) });
  const item = page.locator('#files > li').first();
  await expect(item).toHaveAttribute('data-state', 'error');
  await expect(item.locator('.status')).toHaveText(en['error.worker-failed']);
  // The page still answers: switching language re-renders the message.
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(item.locator('.status')).toHaveText(nl['error.worker-failed']);
  const code = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return hashFile(new Blob(['x'])).then(() => 'resolved', (e) => `${e.name} ${e.code}`);
  });
  expect(code).toBe('ReportHelperError worker-failed');
});

test('a browser that refuses to start workers gives a clear message', async ({ page }) => {
  await page.addInitScript(() => {
    window.Worker = class {
      constructor() {
        throw new DOMException('workers are blocked here', 'SecurityError');
      }
    };
  });
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'c.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(1000, 3) });
  const item = page.locator('#files > li').first();
  await expect(item).toHaveAttribute('data-state', 'error');
  await expect(item.locator('.status')).toHaveText(en['error.worker-failed']);
  const codes = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    const big = new Blob([new Uint8Array(9 << 20)]);
    return Promise.all([big, new Blob(['y'])].map((f) => hashFile(f).then(() => 'resolved', (e) => e.code)));
  });
  expect(codes).toEqual(['worker-failed', 'worker-failed']);
});

test('WebAssembly that fails to load gives a clear message', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'b.png', mimeType: 'image/png', buffer: Buffer.alloc(1000, 2) });
  const item = page.locator('#files > li').first();
  await expect(item).toHaveAttribute('data-state', 'error');
  await expect(item.locator('.status')).toHaveText(en['error.worker-failed']);
});

test('a file that changed or vanished after it was chosen gives a clear message', async ({ page }) => {
  const { problems } = await watch(page);
  const gone = await randomFile('vanishes.bin', 2 * MiB);
  const changed = await randomFile('changes.bin', 2 * MiB);
  await openFilesStep(page);
  await apiInput(page, [gone, changed]);
  await rm(gone);
  await truncate(changed, 1000);
  const codes = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return Promise.all(
      [...document.querySelector('#api-input').files].map((f) => hashFile(f).then(() => 'resolved', (e) => e.code)),
    );
  });
  expect(codes).toEqual(['read-failed', 'read-failed']);
  // The same files dropped on the page (on the files step, a drop anywhere goes to the element).
  await dropApiFiles(page);
  for (const i of [0, 1]) {
    const item = page.locator('#files > li').nth(i);
    await expect(item).toHaveAttribute('data-state', 'error');
    await expect(item.locator('.status')).toHaveText(en['error.read-failed']);
  }
  expect(problems).toEqual([]);
});

test('leaving asks first once a situation is chosen, while a file is hashed and after it is removed; an untouched page does not', async ({ context }) => {
  // A page nobody has started a report on: closing it does not ask.
  const untouched = await context.newPage();
  const untouchedDialogs = [];
  untouched.on('dialog', (dialog) => {
    untouchedDialogs.push(dialog.type());
    dialog.dismiss();
  });
  await untouched.goto('/');
  await untouched.getByRole('button', { name: 'English' }).click(); // a real user has touched the page
  await untouched.close({ runBeforeUnload: true });
  await expect.poll(() => untouched.isClosed()).toBe(true);
  expect(untouchedDialogs).toEqual([]);

  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    dialog.dismiss(); // stay
  });
  const tryToLeave = async (asked) => {
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs.length).toBe(asked);
    expect(page.isClosed()).toBe(false);
  };
  await page.goto('/');
  // A situation chosen is a report started.
  await page.locator('input[name=situation][value=shared]').check();
  await page.locator('input[name=age][value=no]').check();
  await tryToLeave(1);
  await page.locator('section[data-step=situation] .next').click();
  const big = await sparseFile('leave-me.bin', 8 * 1024 * MiB);
  await page.setInputFiles('#file-input', big);
  const item = page.locator('#files > li').first();
  await expect(item).toHaveAttribute('data-state', 'hashing');
  await tryToLeave(2);
  // Removing the file does not end the report: the situation is still chosen.
  await item.getByRole('button', { name: en['files.removeLabel'].replace('{name}', 'leave-me.bin') }).click();
  await expect(page.locator('#files > li')).toHaveCount(0);
  await tryToLeave(3);
  expect(dialogs).toEqual(['beforeunload', 'beforeunload', 'beforeunload']);
  await page.close();
});
