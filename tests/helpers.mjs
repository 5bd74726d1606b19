// Shared pieces of the end-to-end tests. Expected digests always come from Node's crypto.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { expect, test } from '@playwright/test';

export const MiB = 1 << 20;
/**
 * Generated files live under here; the global teardown removes it. A run on its own E2E_PORT gets
 * its own folder, so runs side by side do not delete each other's files.
 */
export const FILES_DIR = join(import.meta.dirname, `../target/e2e-files${process.env.E2E_PORT ? `-${process.env.E2E_PORT}` : ''}`);

// Each Playwright worker (a process) writes in a folder of its own: two tests that run at once
// and make a file of the same name never write into each other's.
async function pathFor(name) {
  const dir = join(FILES_DIR, String(process.pid));
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}

/** Writes `size` random bytes (a fresh file every run) to a temporary file; returns its path. */
export async function randomFile(name, size) {
  const path = await pathFor(name);
  const handle = await open(path, 'w');
  for (let done = 0; done < size; ) {
    const n = Math.min(16 * MiB, size - done);
    await handle.write(randomBytes(n));
    done += n;
  }
  await handle.close();
  return path;
}

/** Writes `bytes` to a temporary file; returns its path. */
export async function tempFile(name, bytes) {
  const path = await pathFor(name);
  await writeFile(path, bytes);
  return path;
}

/** A file of `size` zero bytes that takes no disk space. */
export async function sparseFile(name, size) {
  const path = await pathFor(name);
  await writeFile(path, '');
  const handle = await open(path, 'r+');
  await handle.truncate(size);
  await handle.close();
  return path;
}

/** Node's digests of a file, streamed. */
export async function nodeDigests(path) {
  const hashes = { sha256: createHash('sha256'), md5: createHash('md5'), sha1: createHash('sha1') };
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) {
    size += chunk.length;
    for (const h of Object.values(hashes)) h.update(chunk);
  }
  return Object.fromEntries([['size', size], ...Object.entries(hashes).map(([k, h]) => [k, h.digest('hex')])]);
}

/**
 * Collects every console error or warning and CSP violation, of the page and of its workers,
 * every uncaught error, and every request of the page's context.
 */
export async function watch(page) {
  const problems = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  await watchWorkerLogs(page, problems);
  await page.context().route('**/*', (route) => {
    const r = route.request();
    requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer(), headers: r.headers() });
    return route.continue();
  });
  return { problems, requests };
}

/**
 * Opens the page and takes <report-helper> to its files step: chooses `situation` (an adult's), presses that
 * step's Next, and waits for the file input (in the element's open shadow root, which
 * Playwright's CSS locators pierce).
 */
export async function openFilesStep(page, { situation = 'shared' } = {}) {
  await page.goto('/');
  await page.locator(`input[name=situation][value=${situation}]`).check();
  await page.locator('input[name=age][value=no]').check();
  await page.locator('section[data-step=situation] .next').click();
  await expect(page.locator('section[data-step=files]')).toBeVisible();
  await page.locator('#file-input').waitFor({ state: 'attached' });
  expect(await page.evaluate(() => document.querySelector('report-helper').step)).toBe('files');
}

/** Adds a plain file input to the page, for handing files to the JS API. */
export async function apiInput(page, paths) {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'api-input', multiple: true });
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#api-input', paths);
}

/**
 * Drops the files of the `#api-input` that apiInput() made onto the element at `selector`: one
 * of the page's own (light DOM), else one inside <report-helper>'s shadow root.
 */
export async function dropApiFiles(page, selector = 'body') {
  await page.evaluate((target) => {
    const data = new DataTransfer();
    for (const f of document.querySelector('#api-input').files) data.items.add(f);
    const el = document.querySelector(target) ?? document.querySelector('report-helper').shadowRoot.querySelector(target);
    if (!el) throw new Error(`nothing to drop on at ${target}`);
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, selector);
}

/**
 * Waits until a file item has finished, however long hashing takes on a busy machine (within the
 * test's own timeout), then asserts it has its digests: done, or a warning (a damaged file, or one
 * not what its name says, still shows and sends its exact digests); an error fails at once.
 */
async function finished(item) {
  await expect(item).toHaveAttribute('data-state', /^(done|warning|error|cancelled)$/, { timeout: test.info().timeout });
  expect(['done', 'warning'], await item.locator('.status').textContent()).toContain(await item.getAttribute('data-state'));
}

/** The digests the page shows for the file item at `index` once it is done. */
export async function shownDigests(page, index = 0) {
  const item = page.locator('#files > li').nth(index);
  await finished(item);
  return {
    sha256: await item.locator('code.sha256').textContent(),
    md5: await item.locator('code.md5').textContent(),
  };
}

/** The PDQ hash and its note shown for the file at `index`, once done. */
export async function shownPdq(page, index = 0) {
  const item = page.locator('#files > li').nth(index);
  await finished(item);
  return { hash: await item.locator('code.pdq').textContent(), note: await item.locator('.pdq-note').textContent() };
}

/** What hashFile() returns about PDQ for a file that is not an image. */
export const NOT_AN_IMAGE = { pdq: null, pdqError: { code: 'not-an-image', message: expect.any(String) } };

/**
 * Playwright forwards a worker's console calls but not its browser log, where CSP violations
 * go. So attach to each worker over CDP (the non-flattened way, which Playwright's public
 * CDPSession can drive) and enable its Log domain, which replays what was logged before.
 */
async function watchWorkerLogs(page, problems) {
  const cdp = await page.context().browser().newBrowserCDPSession();
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const { method, params } = JSON.parse(message);
    const entry = params?.entry;
    if (method === 'Log.entryAdded' && (entry.level === 'error' || entry.level === 'warning')) {
      problems.push(`worker log ${entry.level}: ${entry.text}`);
    }
  });
  cdp.on('Target.targetCreated', async ({ targetInfo }) => {
    if (targetInfo.type !== 'worker') return;
    try {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false });
      await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Log.enable' }) });
    } catch {
      // The worker ended before we got to it (a cancelled job).
    }
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
}

const dist = resolve(import.meta.dirname, '../dist');
/** The paths of the built site's own files (and `/`), the only things the page may GET. */
export const siteFiles = new Set(
  readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `/${relative(dist, join(e.parentPath, e.name))}`),
);
siteFiles.add('/');

/** The requests that are not a body-less GET of one of the site's own files. */
export function notSiteFileGets(requests, baseURL) {
  const origin = new URL(baseURL).origin;
  return requests.filter((r) => {
    const url = new URL(r.url);
    return url.origin !== origin || r.method !== 'GET' || (r.body && r.body.length) || !siteFiles.has(url.pathname);
  });
}

/** hashFile() on every file of #api-input, one after another; a rejection becomes {rejected}. */
export function hashAll(page, options = {}) {
  return page.evaluate(async (options) => {
    const { hashFile } = await import('./report-helper.js');
    const out = [];
    for (const file of document.querySelector('#api-input').files) {
      out.push(await hashFile(file, options).catch((e) => ({ rejected: `${e.code}: ${e.message}` })));
    }
    return out;
  }, options);
}

/** Serves the worker script with `code` run first: a browser without some feature, in the worker only. */
export async function workerPrelude(page, code) {
  await page.route('**/worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: `${code}\n${await response.text()}` });
  });
}
