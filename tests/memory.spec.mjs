// A 4 GiB file hashes with flat memory: past what File.arrayBuffer() can hold (~2 GiB), and the
// browser's resident memory grows by a small fraction of the file while it is read.
import { readdirSync, readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { MiB, nodeDigests, shownDigests, sparseFile } from './helpers.mjs';

/** Resident memory of every Chromium process on this machine, in bytes. */
function chromiumRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+(chromium|chrome)/m.test(status)) continue;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

test('a 4 GiB file hashes correctly with flat memory', async ({ page }) => {
  test.setTimeout(600_000);
  const size = 4 * 1024 * MiB;
  const path = await sparseFile('four-gib.bin', size);
  const want = await nodeDigests(path);
  await page.goto('/');
  const before = chromiumRss();
  expect(before).toBeGreaterThan(0); // we do see the browser's processes
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, chromiumRss())), 250);
  try {
    await page.setInputFiles('#file-input', path);
    const item = page.locator('#files > li').first();
    await expect(item).toHaveAttribute('data-state', 'done', { timeout: 540_000 });
    expect(await shownDigests(page)).toEqual({ sha256: want.sha256, md5: want.md5 });
  } finally {
    clearInterval(sampler);
  }
  const growth = peak - before;
  console.log(`4 GiB file: Chromium's resident memory grew by at most ${(growth / MiB).toFixed(0)} MiB`);
  expect(growth).toBeLessThan(256 * MiB);
});
