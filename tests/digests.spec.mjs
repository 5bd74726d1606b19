// Digests shown on the page and returned by hashFile() equal Node's crypto.
import { test, expect } from '@playwright/test';
import { MiB, apiInput, nodeDigests, randomFile, shownDigests, watch } from './helpers.mjs';

const SIZES = [
  ['empty.bin', 0],
  ['one.bin', 1],
  ['five-mib.bin', 5 * MiB],
  ['three-hundred-mib.bin', 300 * MiB],
];

for (const [name, size] of SIZES) {
  test(`${size} bytes: page and hashFile() equal Node's crypto`, async ({ page }) => {
    const path = await randomFile(name, size);
    const want = await nodeDigests(path);
    const { problems } = await watch(page);
    await page.goto('/');
    await page.setInputFiles('#file-input', path);
    expect(await shownDigests(page)).toEqual({ sha256: want.sha256, md5: want.md5 });

    await apiInput(page, [path]);
    const got = await page.evaluate(async () => {
      const { hashFile } = await import('./report-helper.js');
      const file = document.querySelector('#api-input').files[0];
      const progress = [];
      const result = await hashFile(file, { sha1: true, onProgress: (p) => progress.push(p) });
      return { result, progress };
    });
    expect(got.result).toEqual(want);
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
    expect(noSha1).toEqual({ size, sha256: want.sha256, md5: want.md5 });
    expect(problems).toEqual([]);
  });
}

test('several files at once, picked and dropped, all correct', async ({ page }) => {
  const sizes = [3 * MiB, 17 * MiB + 5, 64 * 1024 - 1, 40 * MiB + 3];
  const paths = await Promise.all(sizes.map((s, i) => randomFile(`many-${i}.bin`, s)));
  const wants = await Promise.all(paths.map(nodeDigests));
  const { problems } = await watch(page);
  await page.goto('/');
  await page.setInputFiles('#file-input', paths.slice(0, 3));
  // The last one arrives by drag and drop while the others are hashing.
  await apiInput(page, [paths[3]]);
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(document.querySelector('#api-input').files[0]);
    document.querySelector('.intro').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  for (const [i, want] of wants.entries()) {
    expect(await shownDigests(page, i)).toEqual({ sha256: want.sha256, md5: want.md5 });
  }
  // And through the API, all at once.
  await page.setInputFiles('#api-input', paths);
  const got = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return Promise.all([...document.querySelector('#api-input').files].map((f) => hashFile(f, { sha1: true })));
  });
  expect(got).toEqual(wants);
  expect(problems).toEqual([]);
});

test('hashFile() rejects what is not a file', async ({ page }) => {
  await page.goto('/');
  const message = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    return hashFile('not a file').then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
  });
  expect(message).toBe('TypeError: hashFile expects a File or Blob');
});
