// A 4 GiB file hashes with flat memory: past what File.arrayBuffer() can hold (~2 GiB), and the
// browser's resident memory grows by a small fraction of the file while it is read. So does a
// 2 GiB video, whose frames are demuxed and decoded in the same reading.
import { readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { MiB, apiInput, nodeDigests, openFilesStep, shownDigests, sparseFile, tempFile } from './helpers.mjs';

/**
 * Resident memory of this test's Chromium, in bytes: every Chromium process descending from this
 * Node process (which launched the browser), so browsers of other runs on the machine don't count.
 */
function chromiumRss() {
  const parent = new Map();
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
  for (const pid of pids) {
    try {
      // "pid (comm) state ppid …": the name may hold spaces or parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const ours = (pid) => {
    for (let p = parent.get(pid); p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const pid of pids.filter(ours)) {
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
  await openFilesStep(page);
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

test('a 2 GiB video (its frames, then sparse zeros) gives the frames of the video alone, with flat memory', async ({ page }) => {
  test.setTimeout(600_000);
  const videos = join(import.meta.dirname, 'fixtures/video');
  // The reference's frames of the video alone (tests/fixtures/video/reference.py).
  const want = readFileSync(join(videos, 'expected/mandel-h264.mp4.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','))
    .map(([frame, quality, hash]) => ({ frame: Number(frame), quality: Number(quality), hash }));
  const path = await tempFile('two-gib.mp4', readFileSync(join(videos, 'mandel-h264.mp4')));
  const handle = await open(path, 'r+');
  await handle.truncate(2048 * MiB);
  await handle.close();
  const digests = await nodeDigests(path);
  await page.goto('/');
  await apiInput(page, [path]);
  const before = chromiumRss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, chromiumRss())), 250);
  let got;
  try {
    got = await page.evaluate(async () => {
      const { hashFile } = await import('./report-helper.js');
      return hashFile(document.querySelector('#api-input').files[0]);
    });
  } finally {
    clearInterval(sampler);
  }
  expect([got.sha256, got.md5, got.size]).toEqual([digests.sha256, digests.md5, digests.size]);
  expect(got.vpdq.frames).toEqual(want);
  const growth = peak - before;
  console.log(`2 GiB video: Chromium's resident memory grew by at most ${(growth / MiB).toFixed(0)} MiB`);
  expect(growth).toBeLessThan(256 * MiB);
});
