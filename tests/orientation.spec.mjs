// EXIF orientation (issue 19): hashFile() gives `pdq` of the picture as displayed and `pdqStored`
// of the pixels as stored, whichever of the two the browser's decode path gave. Expected values
// are Meta's reference (PyPI pdqhash) on Pillow's decode, transposed by ImageOps.exif_transpose
// for the displayed picture (tests/fixtures/pdq/expected/pdq_oriented.csv), never our code's.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test, expect } from '@playwright/test';
import { apiInput, hashAll, tempFile, watch, workerPrelude } from './helpers.mjs';

const VECTORS = join(import.meta.dirname, 'fixtures/pdq');
const ORIENTED = join(VECTORS, 'oriented');

/** Rows of pdq_oriented.csv, in order. */
function expected() {
  const [header, ...rows] = readFileSync(join(VECTORS, 'expected/pdq_oriented.csv'), 'utf8').trim().split('\n');
  const keys = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((cell, i) => [keys[i], cell])));
}

/** Checks every orientation's two hashes against the reference. */
async function expectReference(page) {
  const rows = expected();
  expect(rows.map((r) => r.orientation)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  await page.goto('/');
  await apiInput(page, rows.map((r) => join(ORIENTED, basename(r.file))));
  const results = await hashAll(page);
  for (const [i, want] of rows.entries()) {
    const got = results[i];
    expect(got.pdq, want.file).toEqual({
      hash: want.hash, quality: Number(want.quality), width: Number(want.width), height: Number(want.height), scaled: false,
    });
    if (want.orientation === '1') expect(got, want.file).not.toHaveProperty('pdqStored');
    else expect(got.pdqStored, want.file).toEqual({ hash: want.stored_hash, quality: Number(want.stored_quality) });
  }
  // The stored pixels are the same in all eight files.
  expect(new Set(rows.map((r) => r.stored_hash)).size).toBe(1);
}

test('orientations 1-8 through the VideoFrame: the displayed and the stored picture, as the reference hashes them', async ({ page }) => {
  const { problems } = await watch(page);
  await expectReference(page);
  expect(problems).toEqual([]);
});

test('orientations 1-8 through the canvas (no WebCodecs): the same two hashes, exactly', async ({ page }) => {
  await workerPrelude(page, 'self.VideoFrame = undefined;');
  const { problems } = await watch(page);
  await expectReference(page);
  expect(problems).toEqual([]);
});

test('a probe that shows something unexpected: the picture is hashed as decoded, with a warning, never a failure', async ({ page }) => {
  // The probe's bytes turn into something that is not a JPEG: its decode fails.
  await workerPrelude(page, "self.atob = () => 'not a JPEG';");
  const { problems } = await watch(page);
  const warnings = [];
  page.on('worker', (worker) => worker.on('console', (m) => m.type() === 'warning' && warnings.push(m.text())));
  const rows = expected();
  const six = rows.find((r) => r.orientation === '6');
  const one = rows.find((r) => r.orientation === '1');
  await page.goto('/');
  await apiInput(page, [join(ORIENTED, basename(six.file)), join(ORIENTED, basename(one.file))]);
  const [rotated, upright] = await hashAll(page);
  // Chromium's VideoFrame of a bitmap holds the stored pixels: hashed as they are, and only so.
  expect(rotated.pdq).toEqual({
    hash: six.stored_hash, quality: Number(six.stored_quality), width: Number(six.height), height: Number(six.width), scaled: false,
  });
  expect(rotated).not.toHaveProperty('pdqStored');
  expect(rotated.pdqError).toBeUndefined();
  // An image without orientation needs no probe.
  expect(upright.pdq.hash).toBe(one.hash);
  expect([...warnings, ...problems].join('\n')).toMatch(/orientation probe/);
});

/** `jpeg` with an Exif APP1 segment of orientation `n` (big-endian) inserted after its SOI marker. */
function withOrientation(jpeg, n) {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, n, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('an image decoded scaled down (over 16384 px a side) keeps both hashes, its sides as displayed', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  // A 20000x1000 JPEG the browser encodes: big enough to be decoded scaled down.
  const jpeg = Buffer.from(await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(20000, 1000);
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 20000, 1000);
    gradient.addColorStop(0, '#203040');
    gradient.addColorStop(1, '#f0c080');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 20000, 1000);
    context.fillStyle = '#000';
    for (let x = 0; x < 20000; x += 1500) context.fillRect(x, (x / 30) % 700, 600, 300);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    return [...new Uint8Array(await blob.arrayBuffer())];
  }));
  const paths = [await tempFile('wide.jpg', jpeg), await tempFile('wide-6.jpg', withOrientation(jpeg, 6)),
    await tempFile('wide-2.jpg', withOrientation(jpeg, 2))];
  await apiInput(page, paths);
  const [plain, six, two] = await hashAll(page);
  expect(plain.pdq).toMatchObject({ width: 16384, height: 819, scaled: true });
  expect(plain).not.toHaveProperty('pdqStored');
  // The stored pixels decode the same whatever the tag, once the sides asked for are those the
  // path means (the probe tells): their hash is the untagged file's.
  expect(six.pdqStored).toEqual({ hash: plain.pdq.hash, quality: plain.pdq.quality });
  expect(two.pdqStored).toEqual({ hash: plain.pdq.hash, quality: plain.pdq.quality });
  // The displayed sides, not a squeezed picture.
  expect(six.pdq).toMatchObject({ width: 819, height: 16384, scaled: true });
  expect(two.pdq).toMatchObject({ width: 16384, height: 819, scaled: true });
  for (const turned of [six, two]) expect(turned.pdq.hash).not.toBe(plain.pdq.hash);
});
