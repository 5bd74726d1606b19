// PDQ in the browser: hashFile() decodes images in the worker and hashes their pixels.
// Expected hashes come from Meta's reference (tests/fixtures/pdq/expected) and expected digests
// from Node's crypto (the fixtures' manifest), never from our code.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test, expect } from '@playwright/test';
import { apiInput, hashAll, openFilesStep, shownPdq, tempFile, watch } from './helpers.mjs';
import { DEFAULT_OUT_DIR as HOSTILE, makeHostile } from './fixtures/make-hostile.mjs';

const VECTORS = join(import.meta.dirname, 'fixtures/pdq');
const DATA = join(VECTORS, 'upstream/pdq/data');
const ZERO = '0'.repeat(64);

/** Rows of a reference CSV by their `file` column. */
function csv(name) {
  const [header, ...rows] = readFileSync(join(VECTORS, 'expected', name), 'utf8').trim().split('\n');
  const keys = header.split(',');
  return new Map(rows.map((r) => r.split(',')).map((cells) => [cells[0], Object.fromEntries(keys.map((k, i) => [k, cells[i]]))]));
}

const walk = (dir) =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));

/** Hamming distance of two PDQ hashes in hex. */
function distance(a, b) {
  let d = 0;
  for (let i = 0; i < 64; i++) for (let x = parseInt(a[i], 16) ^ parseInt(b[i], 16); x; x >>= 1) d += x & 1;
  return d;
}

test('every vector JPEG and PNG gives the reference hash and quality, bit for bit', async ({ page }) => {
  const full = csv('pdq_cpp_full.csv');
  const paths = walk(DATA).filter((p) => /\.(jpe?g|png)$/i.test(p));
  expect(paths.length).toBeGreaterThanOrEqual(35);
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, paths);
  const results = await hashAll(page);
  for (const [i, path] of paths.entries()) {
    const name = relative(DATA, path);
    const want = full.get(name);
    // Chromium's decode with colorSpaceConversion 'none' is byte-identical to the reference's
    // libjpeg-turbo and libpng decodes on every vector (CMYK and palette ones included), and the
    // RGBA PNGs are opaque: so no exception is needed.
    expect(results[i].pdq, name).toEqual({
      hash: want.hash,
      quality: Number(want.quality),
      width: Number(want.width),
      height: Number(want.height),
      scaled: false,
    });
  }
  expect(problems).toEqual([]);
});

test('the page shows the PDQ hash of an image, and why a non-image has none', async ({ page }) => {
  const full = csv('pdq_cpp_full.csv');
  const { problems } = await watch(page);
  await openFilesStep(page);
  const { files } = await makeHostile();
  expect(files.some((f) => f.name === 'text.txt')).toBe(true);
  await page.setInputFiles('#file-input', [join(DATA, 'reg-test-input/labelme-subset/q0003.jpg'), join(DATA, 'bridge-mods/aaa-orig.jpg'), join(HOSTILE, 'text.txt')]);
  const en = JSON.parse(readFileSync(join(import.meta.dirname, '../www/i18n/en.json'), 'utf8'));
  const low = await shownPdq(page, 0);
  expect(low.hash).toBe(full.get('reg-test-input/labelme-subset/q0003.jpg').hash);
  expect(low.note).toBe(en['pdq.lowQuality'].replace('{quality}', '3'));
  expect(await shownPdq(page, 1)).toEqual({ hash: full.get('bridge-mods/aaa-orig.jpg').hash, note: en['pdq.quality'].replace('{quality}', '100') });
  expect(await shownPdq(page, 2)).toEqual({ hash: '', note: en['pdqError.not-an-image'] });
  expect(problems).toEqual([]);
});

// What each fixture must give. A `pdq` entry is checked field by field.
const HOSTILE_EXPECTED = {
  'truncated.jpg': { code: 'decode-failed' },
  'truncated.png': { code: 'decode-failed' },
  'empty.jpg': { code: 'not-an-image' },
  'random.jpg': { code: 'not-an-image' },
  'random-jpeg-header.jpg': { code: 'decode-failed' },
  // 1.6 gigapixels: Chromium refuses to decode it even scaled down, at once.
  'huge-40000x40000.png': { code: 'too-large' },
  'cells-20000x1200.png': { pdq: { width: 16384, height: 983, scaled: true } },
  'cells-2000x120.png': { pdq: { width: 2000, height: 120, scaled: false } },
  'cells-11000x10000.png': { pdq: { width: 10488, height: 9534, scaled: true } },
  'cells-1100x1000.png': { pdq: { width: 1100, height: 1000, scaled: false } },
  // Under 5 pixels a side the reference gives the all-zero hash and quality 0.
  'tall-1x10000.png': { pdq: { hash: ZERO, quality: 0, width: 1, height: 10000, scaled: false } },
  'wide-10000x1.png': { pdq: { hash: ZERO, quality: 0, width: 10000, height: 1, scaled: false } },
  'tiny-4x4.png': { pdq: { hash: ZERO, quality: 0, width: 4, height: 4, scaled: false } },
  // The first frame.
  'animated.gif': { pdq: { width: 64, height: 48, scaled: false } },
  // Never rendered: its <image> and <script> would make requests, and the watcher would see them.
  'image.svg': { code: 'not-an-image' },
  'text.txt': { code: 'not-an-image' },
  'zero-dims.png': { code: 'decode-failed' },
};

test('bad input: exact digests and a clear PDQ result for every hostile file, no hang, nothing sent', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const manifest = await makeHostile();
  expect(manifest.files.map((f) => f.name).sort()).toEqual(Object.keys(HOSTILE_EXPECTED).sort());
  const { problems, requests } = await watch(page);
  await page.goto('/');
  await apiInput(page, manifest.files.map((f) => join(HOSTILE, f.name)));
  const results = await hashAll(page, { sha1: true });
  const byName = {};
  for (const [i, f] of manifest.files.entries()) {
    const got = results[i];
    byName[f.name] = got;
    expect(got, f.name).toMatchObject({ size: f.size, sha256: f.sha256, md5: f.md5, sha1: f.sha1 });
    const want = HOSTILE_EXPECTED[f.name];
    if (want.code) {
      expect(got.pdq, f.name).toBeNull();
      expect(got.pdqError, f.name).toEqual({ code: want.code, message: expect.stringMatching(/.{20}/) });
    } else {
      expect(got.pdq, f.name).toMatchObject(want.pdq);
      expect(got.pdq.hash, f.name).toMatch(/^[0-9a-f]{64}$/);
      expect(got.pdqError, f.name).toBeUndefined();
    }
  }
  // Decoded scaled down, the big pictures still hash close to their small copies (measured: 2-4
  // bits; 31 is PDQ's match threshold).
  expect(distance(byName['cells-20000x1200.png'].pdq.hash, byName['cells-2000x120.png'].pdq.hash)).toBeLessThanOrEqual(8);
  expect(distance(byName['cells-11000x10000.png'].pdq.hash, byName['cells-1100x1000.png'].pdq.hash)).toBeLessThanOrEqual(8);
  expect(requests.filter((r) => !r.url.startsWith(baseURL))).toEqual([]);
  expect(problems).toEqual([]);
});

/** `jpeg` with an EXIF APP1 segment saying `orientation` inserted after its SOI marker. */
function withOrientation(jpeg, orientation) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // Orientation, SHORT
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('EXIF orientation: pdqStored is the stored pixels\' hash, as the reference gives it; pdq the picture as displayed', async ({ page }) => {
  const row = csv('pdq_cpp_full.csv').get('reg-test-input/dih/bridge-1-original.jpg');
  const original = readFileSync(join(DATA, 'reg-test-input/dih/bridge-1-original.jpg'));
  // 6: shown turned 90 degrees clockwise; 8: counter-clockwise; 3: upside down; 2: mirrored.
  const orientations = [6, 8, 3, 2];
  const paths = [];
  for (const o of orientations) paths.push(await tempFile(`exif-${o}.jpg`, withOrientation(original, o)));
  await page.goto('/');
  // The browser does honour the tag when it shows the image, so the test means something.
  await apiInput(page, paths);
  const shown = await page.evaluate(async () => {
    const bitmap = await createImageBitmap(document.querySelector('#api-input').files[0]);
    return [bitmap.width, bitmap.height];
  });
  expect(shown).toEqual([1004, 1600]);
  const results = await hashAll(page);
  for (const [i, o] of orientations.entries()) {
    expect(results[i].pdqStored, `orientation ${o}`).toEqual({ hash: row.hash, quality: 100 });
    // The displayed picture's exact hashes are orientation.spec's; here its sides, and not the stored hash.
    const [width, height] = o >= 5 ? [1004, 1600] : [1600, 1004];
    expect(results[i].pdq, `orientation ${o}`).toMatchObject({ quality: 100, width, height, scaled: false });
    expect(results[i].pdq.hash, `orientation ${o}`).not.toBe(row.hash);
  }
});

test('without WebCodecs the canvas does the same, exactly; pdq: false skips decoding', async ({ page }) => {
  const full = csv('pdq_cpp_full.csv');
  const names = ['reg-test-input/dih/bridge-1-original.jpg', 'misc-images/c.png', 'misc-images/modes/P.png', 'reg-test-input/labelme-subset/q0004.jpg'];
  // A browser without VideoFrame in workers: the worker script is served with it removed.
  await page.route('**/worker.js', async (route) => {
    const response = await route.fetch();
    const body = `self.VideoFrame = undefined;\n${await response.text()}`;
    await route.fulfill({ response, body });
  });
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, names.map((n) => join(DATA, n)));
  const results = await hashAll(page);
  for (const [i, name] of names.entries()) {
    const want = full.get(name);
    expect(results[i].pdq, name).toEqual({
      hash: want.hash, quality: Number(want.quality), width: Number(want.width), height: Number(want.height), scaled: false,
    });
  }
  const skipped = await hashAll(page, { pdq: false });
  expect(skipped[0]).not.toHaveProperty('pdq');
  expect(skipped[0]).not.toHaveProperty('pdqError');
  expect(skipped[0].sha256).toBe(results[0].sha256);
  expect(problems).toEqual([]);
});
