// Feature checks, not browser names (issue 19): every fallback of the hashing worker, forced in
// Chromium by serving the worker script with the feature taken away or made to behave as another
// engine's (WebKit has no BYOB readers and ignores copyTo's `format`), gives the exact digests
// (Node's crypto) and PDQ hashes (Meta's reference, tests/fixtures/pdq/expected) all the same.
// Each test also sees that its fallback was taken (a count kept in the worker, or the error code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { apiInput, hashAll, MiB, nodeDigests, randomFile, watch, workerPrelude } from './helpers.mjs';

const VECTORS = join(import.meta.dirname, 'fixtures/pdq');
const DATA = join(VECTORS, 'upstream/pdq/data');
const VIDEO = join(import.meta.dirname, 'fixtures/video/mandel-480x360.mp4');

/** Rows of a reference CSV by their `file` column. */
function csv(name) {
  const [header, ...rows] = readFileSync(join(VECTORS, 'expected', name), 'utf8').trim().split('\n');
  const keys = header.split(',');
  return new Map(rows.map((r) => r.split(',')).map((cells) => [cells[0], Object.fromEntries(keys.map((k, i) => [k, cells[i]]))]));
}

/** `self.fallbackTaken` of every hashing worker, added up: what the prelude counted. */
async function taken(page) {
  let n = 0;
  for (const worker of page.workers()) n += (await worker.evaluate(() => self.fallbackTaken ?? 0)) || 0;
  return n;
}

const PDQ_FILES = ['reg-test-input/dih/bridge-1-original.jpg', 'misc-images/c.png', 'misc-images/modes/P.png',
  'reg-test-input/labelme-subset/q0004.jpg'];

/** The reference's `pdq` of each of PDQ_FILES. */
function pdqWanted() {
  const full = csv('pdq_cpp_full.csv');
  return PDQ_FILES.map((name) => {
    const want = full.get(name);
    return { hash: want.hash, quality: Number(want.quality), width: Number(want.width), height: Number(want.height), scaled: false };
  });
}

test('without BYOB readers (WebKit) the plain reader gives the exact digests, split across two workers too', async ({ page }) => {
  test.setTimeout(180_000);
  await workerPrelude(page, `{
    const getReader = ReadableStream.prototype.getReader;
    ReadableStream.prototype.getReader = function (options) {
      if (options?.mode === 'byob') {
        self.fallbackTaken = (self.fallbackTaken ?? 0) + 1;
        throw new TypeError('no BYOB readers here');
      }
      return getReader.call(this, options);
    };
  }`);
  const { problems } = await watch(page);
  // 33 MiB + 12345 B: two workers hand chunks over; 1 MiB + 1 B: one worker, a short last chunk.
  const paths = [await randomFile('plain-reader-big.bin', 33 * MiB + 12345), await randomFile('plain-reader-small.bin', MiB + 1)];
  await page.goto('/');
  await apiInput(page, paths);
  const results = await hashAll(page, { sha1: true });
  for (const [i, path] of paths.entries()) expect(results[i]).toMatchObject(await nodeDigests(path));
  expect(await taken(page)).toBeGreaterThanOrEqual(2);
  expect(problems).toEqual([]);
});

test("a frame format copyTo must convert, where it honours format 'RGBA': the exact PDQ hashes", async ({ page }) => {
  // Every frame's format unknown: the worker asks copyTo for RGBA, having checked it converts.
  await workerPrelude(page, `{
    Object.defineProperty(VideoFrame.prototype, 'format', { get: () => null });
    const copyTo = VideoFrame.prototype.copyTo;
    VideoFrame.prototype.copyTo = function (destination, options) {
      if (options?.format === 'RGBA' && options?.rect) self.fallbackTaken = (self.fallbackTaken ?? 0) + 1;
      return copyTo.call(this, destination, options);
    };
  }`);
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, PDQ_FILES.map((n) => join(DATA, n)));
  const results = await hashAll(page);
  expect(results.map((r) => r.pdq)).toEqual(pdqWanted());
  expect(await taken(page)).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test("where copyTo ignores format 'RGBA' (WebKit: BGRA comes back) the canvas reads it: the exact PDQ hashes", async ({ page }) => {
  await workerPrelude(page, `{
    Object.defineProperty(VideoFrame.prototype, 'format', { get: () => null });
    const copyTo = VideoFrame.prototype.copyTo;
    VideoFrame.prototype.copyTo = function (destination, { format, ...options } = {}) {
      return copyTo.call(this, destination, options);
    };
    const getImageData = OffscreenCanvasRenderingContext2D.prototype.getImageData;
    OffscreenCanvasRenderingContext2D.prototype.getImageData = function (...args) {
      self.fallbackTaken = (self.fallbackTaken ?? 0) + 1;
      return getImageData.apply(this, args);
    };
  }`);
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, PDQ_FILES.map((n) => join(DATA, n)));
  const results = await hashAll(page);
  expect(results.map((r) => r.pdq)).toEqual(pdqWanted());
  expect(await taken(page)).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('where one copyTo costs as much as the whole frame (Firefox), the rest comes in big bands: the exact PDQ hashes', async ({ page }) => {
  // Every copy made slow, as Firefox's are on a big picture: after the first band the worker asks
  // for bands of many more rows. Until 2026-12-03 it then skipped the rows between (WebKit under
  // load took the path too, and a photo came back "damaged").
  await workerPrelude(page, `{
    const copyTo = VideoFrame.prototype.copyTo;
    VideoFrame.prototype.copyTo = async function (destination, options) {
      if (options?.rect?.height > 128) self.fallbackTaken = (self.fallbackTaken ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 40));
      return copyTo.call(this, destination, options);
    };
  }`);
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, PDQ_FILES.map((n) => join(DATA, n)));
  const results = await hashAll(page);
  expect(results.map((r) => r.pdq)).toEqual(pdqWanted());
  expect(await taken(page)).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('without VideoDecoder, or with a codec it says it cannot decode, a video says why and keeps its digests', async ({ page }) => {
  const want = await nodeDigests(VIDEO);
  for (const [prelude, code] of [
    ['self.VideoDecoder = undefined;', 'unsupported-browser'],
    ['VideoDecoder.isConfigSupported = async () => ({ supported: false });', 'unsupported-codec'],
  ]) {
    await page.unrouteAll();
    await workerPrelude(page, prelude);
    await page.goto('/');
    await apiInput(page, [VIDEO]);
    const [result] = await hashAll(page, { sha1: true });
    expect(result, prelude).toMatchObject(want);
    expect(result.vpdq, prelude).toBeNull();
    expect(result.vpdqError, prelude).toEqual({ code, message: expect.stringMatching(/.{20}/) });
  }
});
