// Digests shown on the page and returned by hashFile() equal Node's crypto.
import { createHash } from 'node:crypto';
import { test, expect } from '@playwright/test';
import { MiB, NOT_AN_IMAGE, apiInput, dropApiFiles, nodeDigests, openFilesStep, randomFile, shownDigests, sparseFile, watch } from './helpers.mjs';

const SIZES = [
  ['empty.bin', 0],
  ['one.bin', 1],
  ['five-mib.bin', 5 * MiB],
  ['three-hundred-mib.bin', 300 * MiB],
  // Not a whole number of chunks or batches: a lost tail in the two-worker hand-over shows.
  ['odd.bin', 33 * MiB + 12345],
];

for (const [name, size] of SIZES) {
  test(`${name}, ${size} bytes: page and hashFile() equal Node's crypto`, async ({ page }) => {
    const path = await randomFile(name, size);
    const want = await nodeDigests(path);
    const { problems } = await watch(page);
    await openFilesStep(page);
    await page.setInputFiles('#file-input', path);
    if (size === 0) {
      // The page refuses an empty file (its digests match every empty file anywhere, issue 18);
      // hashFile() below still gives its exact digests.
      await expect(page.locator('#files-error')).toContainText(name);
      await expect(page.locator('#files > li')).toHaveCount(0);
    } else {
      expect(await shownDigests(page)).toEqual({ sha256: want.sha256, md5: want.md5 });
    }

    await apiInput(page, [path]);
    const got = await page.evaluate(async () => {
      const { hashFile } = await import('./report-helper.js');
      const file = document.querySelector('#api-input').files[0];
      const progress = [];
      const result = await hashFile(file, { sha1: true, onProgress: (p) => progress.push(p) });
      return { result, progress };
    });
    // Random bytes are not an image: exact digests, and PDQ says why it has none.
    expect(got.result).toEqual({ ...want, ...NOT_AN_IMAGE });
    // Progress counts bytes up to the total and never goes back.
    const loaded = got.progress.map((p) => p.loaded);
    expect(loaded.at(-1)).toBe(size);
    expect(got.progress.every((p) => p.total === size)).toBe(true);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    if (size > 100 * MiB) expect(new Set(loaded).size).toBeGreaterThan(3);

    const noSha1 = await page.evaluate(async () => {
      const { hashFile } = await import('./report-helper.js');
      return hashFile(document.querySelector('#api-input').files[0]);
    });
    expect(noSha1).toEqual({ size, sha256: want.sha256, md5: want.md5, ...NOT_AN_IMAGE });
    expect(problems).toEqual([]);
  });
}

test('several files at once, picked and dropped, all correct', async ({ page }) => {
  const sizes = [3 * MiB, 17 * MiB + 5, 64 * 1024 - 1, 40 * MiB + 3];
  const paths = await Promise.all(sizes.map((s, i) => randomFile(`many-${i}.bin`, s)));
  const wants = await Promise.all(paths.map(nodeDigests));
  const { problems } = await watch(page);
  await openFilesStep(page);
  await page.setInputFiles('#file-input', paths.slice(0, 3));
  // The last one arrives by drag and drop while the others are hashing, dropped on the page
  // outside the element (its heading): drops anywhere go to the element on the files step.
  await apiInput(page, [paths[3]]);
  await dropApiFiles(page, 'h1');
  for (const [i, want] of wants.entries()) {
    expect(await shownDigests(page, i)).toEqual({ sha256: want.sha256, md5: want.md5 });
  }
  // And through the API, all at once.
  await page.setInputFiles('#api-input', paths);
  const got = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return Promise.all([...document.querySelector('#api-input').files].map((f) => hashFile(f, { sha1: true })));
  });
  expect(got).toEqual(wants.map((want) => ({ ...want, ...NOT_AN_IMAGE })));
  expect(problems).toEqual([]);
});

test('a photo chosen while a video is being hashed does not wait for the video', async ({ page }) => {
  const video = await sparseFile('long-video.mp4', 6 * 1024 * MiB);
  const photos = await Promise.all([1, 2, 3].map((i) => randomFile(`photo-${i}.jpg`, 200_000 + i)));
  const wants = await Promise.all(photos.map(nodeDigests));
  await openFilesStep(page);
  await page.setInputFiles('#file-input', video);
  const first = page.locator('#files > li').first();
  await expect(first).toHaveAttribute('data-state', 'hashing');
  await page.setInputFiles('#file-input', photos);
  for (const [i, want] of wants.entries()) {
    expect(await shownDigests(page, i + 1)).toEqual({ sha256: want.sha256, md5: want.md5 });
  }
  await expect(first).toHaveAttribute('data-state', 'hashing');
  // The extra worker retired: the pool is back to its size (two here: video's lead and partner).
  await expect.poll(() => page.workers().length).toBeLessThanOrEqual(await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 4)));
  await first.locator('.remove').click(); // stops the video's hashing
});

test('on a one-core phone a large file is hashed by one worker, correctly', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 1 }));
  const path = await randomFile('one-core.bin', 21 * MiB + 777);
  const want = await nodeDigests(path);
  await page.goto('/');
  await apiInput(page, [path]);
  const got = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    const file = document.querySelector('#api-input').files[0];
    return Promise.all([hashFile(file, { sha1: true }), hashFile(file, { sha1: true })]);
  });
  expect(got).toEqual([{ ...want, ...NOT_AN_IMAGE }, { ...want, ...NOT_AN_IMAGE }]);
  expect(page.workers().length).toBe(1);
});

test('an onProgress that throws is reported, and hashFile() still resolves', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const digests = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return hashFile(new Blob(['abc']), {
      onProgress: () => {
        throw new Error('caller bug');
      },
    });
  });
  expect(digests).toEqual({
    size: 3,
    sha256: createHash('sha256').update('abc').digest('hex'),
    md5: createHash('md5').update('abc').digest('hex'),
    ...NOT_AN_IMAGE,
  });
  expect(errors).toContain('caller bug');
});

test('hashFile() rejects what is not a file', async ({ page }) => {
  await page.goto('/');
  const message = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return hashFile('not a file').then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
  });
  expect(message).toBe('TypeError: hashFile expects a File or Blob');
});

test('the two-worker hand-over loses nothing, whatever the chunks', async ({ page }) => {
  // Drives worker.js's internal protocol with streams whose chunk sizes we choose; File.stream()
  // picks its own, so only this reaches every tail case.
  const size = 9 * MiB + 12345;
  const message = Buffer.alloc(size);
  for (let i = 0; i < size; i++) message[i] = (i * 167 + (i >> 8) * 31 + 13) & 255;
  const want = {
    size,
    sha256: createHash('sha256').update(message).digest('hex'),
    md5: createHash('md5').update(message).digest('hex'),
    sha1: createHash('sha1').update(message).digest('hex'),
  };
  await page.goto('/');
  const chunkings = [[12345], [MiB], [MiB - 1], [MiB + 1], [1, 0, 65536, 7], [3 * MiB], [size]];
  const got = await page.evaluate(
    async ([size, chunkings]) => {
      const message = new Uint8Array(size);
      for (let i = 0; i < size; i++) message[i] = (i * 167 + (i >> 8) * 31 + 13) & 255;
      const results = [];
      for (const [pattern, type] of chunkings.flatMap((c) => [[c, 'bytes'], [c, undefined]])) {
        let at = 0;
        let k = 0;
        // A byte stream is read with BYOB, as File.stream() is; a plain one is copied in.
        const stream = new ReadableStream({
          type,
          pull(controller) {
            if (at >= size) {
              controller.close();
              controller.byobRequest?.respond(0); // hands a pending BYOB read its buffer back
              return;
            }
            let n = pattern[k++ % pattern.length];
            // A byte stream takes no empty chunk.
            while (type === 'bytes' && !n) n = pattern[k++ % pattern.length];
            controller.enqueue(message.slice(at, at + n));
            at += n;
          },
        });
        const lead = new Worker('./worker.js', { type: 'module' });
        const partner = new Worker('./worker.js', { type: 'module' });
        const { port1, port2 } = new MessageChannel();
        partner.postMessage({ type: 'assist', id: 1, port: port2, own: { sha256: true } }, [port2]);
        const done = new Promise((resolve, reject) => {
          lead.onmessage = ({ data }) => {
            if (data.type === 'done') resolve(data.digests);
            if (data.type === 'error') reject(new Error(data.message));
          };
        });
        lead.postMessage({ type: 'hash', id: 1, file: stream, own: { md5: true, sha1: true }, partner: port1 }, [stream, port1]);
        results.push(await done);
        lead.terminate();
        partner.terminate();
      }
      return results;
    },
    [size, chunkings],
  );
  expect(got.length).toBe(2 * chunkings.length);
  for (const [i, result] of got.entries()) expect(result, `chunks of ${chunkings[i >> 1]}`).toEqual(want);
});
