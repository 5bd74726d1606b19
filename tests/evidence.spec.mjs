// The evidence step: screenshots blacked out on the device, kept in one ZIP with the receipts,
// never sent. The reference for the pixels is the browser's own decoder (of the original and of
// our PNG); for the digests, Node's crypto; for the ZIP, Python's zipfile; for the receipt's
// claims, `report-helper verify`.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  catalog,
  chooseSituation,
  expectStep,
  fillAbout,
  fulfilReports,
  goToReview,
  helper,
  next,
  back,
  send,
  startFlow,
  text,
  waitSent,
  addUrls,
} from './flow-helpers.mjs';
import { makeFlowFixtures, removeFlowFixtures } from './fixtures/make-flow-fixtures.mjs';
import { BIN } from './intake-server.mjs';
import { apiInput, dropApiFiles } from './helpers.mjs';

const en = catalog('en');
const nl = catalog('nl');

let fx;
let dir;
test.beforeAll(async ({ browser }) => {
  fx = await makeFlowFixtures(browser);
  dir = await mkdtemp(join(tmpdir(), 'rh-evidence-'));
});
test.afterAll(async () => {
  await removeFlowFixtures(fx);
  await rm(dir, { recursive: true, force: true });
});

const digest = (algorithm, bytes) => createHash(algorithm).update(bytes).digest('hex');
const shots = (page) => helper(page).locator('#shots > li.shot');

/** Python's zipfile: the names, and testzip()'s verdict (None when every CRC is right). */
function pythonZip(path) {
  const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n'
    + 'print(json.dumps({"bad": z.testzip(), "names": z.namelist(), "stored": [i.compress_type == 0 for i in z.infolist()]}))';
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
}

/** Extracts `name` from the ZIP at `path` with Python's zipfile. */
function pythonUnzip(path, name) {
  return execFileSync('python3', ['-c', 'import sys,zipfile;sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', path, name], { maxBuffer: 1 << 28 });
}

/** The chunk types of a PNG, in order. */
function pngChunks(bytes) {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const types = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    types.push(bytes.subarray(at + 4, at + 8).toString('latin1'));
    at += 12 + length;
  }
  return types;
}

/**
 * Decodes `original` and `ours` in the page (the browser's decoders are the reference) and
 * compares them: pixels inside `areas` (by more than a pixel) must be opaque black, pixels
 * outside them (by more than a pixel) equal to the original's. Without areas, all must be equal.
 */
async function comparePixels(page, original, ours, areas = []) {
  return page.evaluate(async ([a, b, areas]) => {
    const decode = async (b64) => {
      // (Not a fetch of a data: URL: the page's CSP allows no such connection.)
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes]));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [o, r] = [await decode(a), await decode(b)];
    const result = { width: o.width, height: o.height, sameSize: o.width === r.width && o.height === r.height, black: 0, kept: 0, bad: [] };
    if (!result.sameSize) return result;
    const inside = (x, y, margin) => areas.some((q) => x >= q.x - margin && x < q.x + q.w + margin && y >= q.y - margin && y < q.y + q.h + margin);
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        const i = 4 * (y * o.width + x);
        const px = [r.data[i], r.data[i + 1], r.data[i + 2], r.data[i + 3]];
        if (inside(x, y, -1)) {
          if (px.join() === '0,0,0,255') result.black++;
          else if (result.bad.length < 5) result.bad.push(`inside ${x},${y}: ${px}`);
        } else if (!inside(x, y, 1)) {
          if ([0, 1, 2, 3].every((k) => px[k] === o.data[i + k])) result.kept++;
          else if (result.bad.length < 5) result.bad.push(`outside ${x},${y}: ${px}`);
        }
      }
    }
    return result;
  }, [Buffer.from(original).toString('base64'), Buffer.from(ours).toString('base64'), areas]);
}

/** The areas drawn over a screenshot, in pixels, read from the boxes' positions. */
async function drawnAreas(shot, width, height) {
  return shot.locator('.box').evaluateAll((boxes, [w, h]) => boxes.map((b) => {
    const pct = (v) => parseFloat(v) / 100;
    return { x: pct(b.style.left) * w, y: pct(b.style.top) * h, w: pct(b.style.width) * w, h: pct(b.style.height) * h };
  }), [width, height]);
}

/** From the first step to the evidence step, with no files and one address. */
async function toEvidence(page, situation, url) {
  await chooseSituation(page, situation);
  await next(page);
  await next(page);
  await addUrls(page, url);
  await next(page);
  await expectStep(page, 'evidence');
}

/** Drags from (fx, fy) to (tx, ty), fractions of the screenshot's stage. */
async function drag(page, shot, [fx0, fy0], [tx, ty]) {
  const stage = shot.locator('.editor .stage');
  await stage.scrollIntoViewIfNeeded();
  const box = await stage.boundingBox();
  await page.mouse.move(box.x + fx0 * box.width, box.y + fy0 * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + ((fx0 + tx) / 2) * box.width, box.y + ((fy0 + ty) / 2) * box.height, { steps: 3 });
  await page.mouse.move(box.x + tx * box.width, box.y + ty * box.height, { steps: 3 });
  await page.mouse.up();
}

test('screenshots are blacked out on the device: drawn by mouse, added and moved by keys, removed from the list; the PNG has only the pixels', async ({ page }) => {
  await fulfilReports(page, { reference: 'RH-EVID0001', token: 'TOKEN-EVIDENCE-0001' });
  const m = await startFlow(page);
  await toEvidence(page, 'shared', 'https://forum.example/t/1');
  await expect(helper(page).locator('#h-evidence')).toHaveText(m['evidence.heading']);
  await expect(helper(page).locator('#step-count')).toHaveText(text(m, 'step', { n: 4, total: 7 }));

  // The PNG with an eXIf chunk and text chunks, and the JPEG with EXIF.
  const png = fx.files.find((f) => f.name.endsWith('.png'));
  const jpeg = fx.files[1];
  await helper(page).locator('#shot-input').setInputFiles([png.path, jpeg.path]);
  await expect(shots(page)).toHaveCount(2);
  const [first, second] = [shots(page).nth(0), shots(page).nth(1)];
  for (const shot of [first, second]) await expect(shot).toHaveAttribute('data-state', 'marking');
  await expect(first.locator('.shot-title')).toHaveText(text(m, 'evidence.shot', { n: 1 }));
  // Blurred until shown.
  const canvas = first.locator('canvas.picture');
  expect(await canvas.evaluate((c) => getComputedStyle(c).filter)).toMatch(/blur/);
  await first.locator('.editor .reveal').click();
  await expect(first.locator('.editor .reveal')).toHaveAttribute('aria-pressed', 'true');
  expect(await canvas.evaluate((c) => getComputedStyle(c).filter)).toBe('none');

  // Next is refused while a screenshot is not finished.
  await next(page);
  await expectStep(page, 'evidence');
  await expect(helper(page).locator('#shot-error')).toHaveText(m['evidence.unfinished']);

  // Mouse: two areas drawn; a click alone draws none.
  await drag(page, first, [0.1, 0.1], [0.4, 0.3]);
  await drag(page, first, [0.6, 0.5], [0.9, 0.9]);
  const stage = await first.locator('.editor .stage').boundingBox();
  await page.mouse.click(stage.x + stage.width * 0.5, stage.y + stage.height * 0.05);
  await expect(first.locator('.box')).toHaveCount(2);
  // Keyboard: "Add an area" makes a third, focused; arrows move it (Shift: further), Ctrl+arrows size it.
  await first.locator('.add-area').click();
  await expect(first.locator('.box')).toHaveCount(3);
  const third = first.locator('.box').nth(2);
  await expect(third).toBeFocused();
  const before = await third.evaluate((b) => [b.style.left, b.style.top, b.style.width, b.style.height].map(parseFloat));
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Control+ArrowRight');
  const after = await third.evaluate((b) => [b.style.left, b.style.top, b.style.width, b.style.height].map(parseFloat));
  expect(after[0]).toBeLessThan(before[0]);
  expect(after[1]).toBeLessThan(before[1] - 2);
  expect(after[2]).toBeGreaterThan(before[2]);
  expect(after[3]).toBeCloseTo(before[3], 5);
  // Each area is listed with a Remove button (the alternative to dragging); Delete removes too.
  await expect(first.locator('.areas li')).toHaveCount(3);
  await expect(first.locator('.areas li').nth(0)).toContainText(text(m, 'evidence.area', { n: 1, left: 10, top: 10, width: 30, height: 20 }).split(':')[0]);
  await first.locator('.areas button[data-area="1"]').click();
  await expect(first.locator('.box')).toHaveCount(2);
  await first.locator('.add-area').click();
  await page.keyboard.press('Delete');
  await expect(first.locator('.box')).toHaveCount(2);

  // Black out and keep: the original goes, the PNG from the core is shown.
  const { width, height } = await canvas.evaluate((c) => ({ width: c.width, height: c.height }));
  const areas = await drawnAreas(first, width, height);
  await first.locator('.apply').click();
  await expect(first).toHaveAttribute('data-state', 'redacted');
  await expect(first.locator('.status')).toHaveText(text(m, 'evidence.redacted', { count: 2 }));
  await expect(first.locator('.editor')).toBeHidden();
  expect(await first.locator('canvas.picture').evaluate((c) => [c.width, c.height])).toEqual([0, 0]);
  const img = first.locator('img.redacted');
  await expect(img).toHaveAttribute('src', /^blob:/);
  expect(await img.evaluate((i) => getComputedStyle(i).filter)).toMatch(/blur/);
  // The second one with no area at all: kept without its metadata.
  await second.locator('.apply').click();
  await expect(second).toHaveAttribute('data-state', 'redacted');

  await next(page);
  await expectStep(page, 'about');
  await fillAbout(page, { goodFaith: true });
  await goToReview(page);
  // The review says nothing of the screenshots, and the report holds none of their digests.
  const report = JSON.parse(await helper(page).locator('#raw-json').textContent());
  const pngBytes = await readFile(png.path);
  const jpegBytes = await readFile(jpeg.path);
  expect(JSON.stringify(report)).not.toContain(digest('sha256', pngBytes));
  expect(JSON.stringify(report)).not.toContain(digest('sha256', jpegBytes));
  await send(page);
  const { reference } = await waitSent(page);

  // ---- the package ----
  await expect(helper(page).locator('#evidence-intro')).toHaveText(en['sent.evidenceIntro']);
  const [download] = await Promise.all([page.waitForEvent('download'), helper(page).locator('#evidence-zip').click()]);
  expect(download.suggestedFilename()).toBe(`evidence-${reference}.zip`);
  expect(download.url()).toMatch(/^blob:/);
  const zipPath = join(dir, download.suggestedFilename());
  await download.saveAs(zipPath);
  const zip = pythonZip(zipPath);
  expect(zip).toEqual({ bad: null, names: ['evidence-1.png', 'evidence-2.png', 'receipt.json', 'receipt.html'], stored: [true, true, true, true] });
  const redacted = pythonUnzip(zipPath, 'evidence-1.png');
  const plain = pythonUnzip(zipPath, 'evidence-2.png');
  for (const bytes of [redacted, plain]) {
    // Only the critical chunks: no eXIf, tEXt, iCCP, tIME, …
    expect(new Set(pngChunks(bytes))).toEqual(new Set(['IHDR', 'IDAT', 'IEND']));
    for (const s of fx.planted) expect(bytes.toString('latin1'), s).not.toContain(s);
  }

  // The pixels, as the browser decodes our PNG: black inside the areas, the original outside.
  const cmp = await comparePixels(page, pngBytes, redacted, areas);
  expect(cmp.bad).toEqual([]);
  expect([cmp.sameSize, cmp.width, cmp.height]).toEqual([true, width, height]);
  expect(cmp.black).toBeGreaterThan(width * height * 0.08);
  expect(cmp.kept).toBeGreaterThan(width * height * 0.5);
  // The JPEG without areas: the browser's pixels of it, unchanged.
  const same = await comparePixels(page, jpegBytes, plain);
  expect([same.sameSize, same.bad, same.kept]).toEqual([true, [], 256 * 256]);

  // The receipt: the report as sent, and each screenshot's digests, before and after.
  const receipt = JSON.parse(pythonUnzip(zipPath, 'receipt.json').toString('utf8'));
  expect(receipt.reference).toBe(reference);
  expect(receipt.evidence).toEqual([
    { file: 'evidence-1.png', sha256: digest('sha256', redacted), width, height, rectangles: 2, original: { sha256: digest('sha256', pngBytes), md5: digest('md5', pngBytes) } },
    { file: 'evidence-2.png', sha256: digest('sha256', plain), width: 256, height: 256, rectangles: 0, original: { sha256: digest('sha256', jpegBytes), md5: digest('md5', jpegBytes) } },
  ]);
  const html = pythonUnzip(zipPath, 'receipt.html').toString('utf8');
  for (const s of [reference, digest('sha256', redacted), digest('sha256', pngBytes), en['receipt.policeHeading'], en['receipt.police']]) expect(html).toContain(s);
  expect(html.toLowerCase()).not.toContain('<script');

  // The JSON receipt on its own carries the evidence too.
  const [json] = await Promise.all([page.waitForEvent('download'), helper(page).locator('#receipt-json').click()]);
  expect(JSON.parse(await readFile(await json.path(), 'utf8')).evidence).toEqual(receipt.evidence);

  // ---- report-helper verify: each file is found in the receipt; a stranger is not ----
  const receiptPath = join(dir, 'receipt.json');
  await writeFile(receiptPath, pythonUnzip(zipPath, 'receipt.json'));
  const redactedPath = join(dir, 'evidence-1.png');
  await writeFile(redactedPath, redacted);
  const ok = spawnSync(BIN, ['verify', receiptPath, redactedPath, png.path], { encoding: 'utf8' });
  expect(ok.status, ok.stderr).toBe(0);
  const lines = ok.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.matches.map((x) => x.in))).toEqual([['evidence[0]'], ['evidence[0].original']]);
  const stranger = join(dir, 'stranger.txt');
  await writeFile(stranger, 'not in the receipt\n');
  const bad = spawnSync(BIN, ['verify', receiptPath, redactedPath, stranger], { encoding: 'utf8' });
  expect(bad.status).toBe(1);
});

test('under 18: there is no evidence step, and screenshots added before are dropped', async ({ page }) => {
  const m = await startFlow(page, { lang: 'nl' });
  await toEvidence(page, 'shared', 'https://forum.example/t/2');
  await helper(page).locator('#shot-input').setInputFiles([fx.files[1].path]);
  await expect(shots(page)).toHaveCount(1);
  // Back to the start: a minor after all.
  for (const step of ['urls', 'files', 'situation']) {
    await back(page);
    await expectStep(page, step);
  }
  await chooseSituation(page, 'minor');
  await expect(helper(page).locator('#minor-note')).toContainText(nl['minor.noScreenshots']);
  await expect(helper(page).locator('#step-count')).toHaveText(text(m, 'step', { n: 1, total: 6 }));
  await expect(shots(page)).toHaveCount(0);
  await next(page);
  await next(page);
  await next(page);
  await expectStep(page, 'about');
  await expect(helper(page).locator('#step-count')).toHaveText(text(m, 'step', { n: 4, total: 6 }));
  await back(page);
  await expectStep(page, 'urls');
});

test('a file that is not a picture gets a clear message; removing a screenshot moves focus on', async ({ page }) => {
  const m = await startFlow(page);
  await toEvidence(page, 'other', 'https://forum.example/t/3');
  await helper(page).locator('#shot-input').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture\n') },
    { name: 'shot.jpg', mimeType: 'image/jpeg', buffer: await readFile(fx.files[1].path) },
  ]);
  await expect(shots(page).nth(0)).toHaveAttribute('data-state', 'error');
  await expect(shots(page).nth(0).locator('.status')).toHaveText(m['evidence.error.not-a-picture']);
  await expect(shots(page).nth(1)).toHaveAttribute('data-state', 'marking');
  await shots(page).nth(0).locator('.remove').click();
  await expect(shots(page)).toHaveCount(1);
  await expect(shots(page).nth(0).locator('.remove')).toBeFocused();
  await expect(shots(page).nth(0).locator('.shot-title')).toHaveText(text(m, 'evidence.shot', { n: 1 }));
  await shots(page).nth(0).locator('.remove').click();
  await expect(helper(page).locator('#shot-input')).toBeFocused();
  // Dropped on the step's zone, a screenshot is added as if chosen.
  await apiInput(page, [fx.files[1].path]);
  await dropApiFiles(page, '#shot-drop');
  await expect(shots(page)).toHaveCount(1);
  await expect(shots(page).nth(0)).toHaveAttribute('data-state', 'marking');
  await shots(page).nth(0).locator('.remove').click();
  // Nothing left to finish: Next goes on.
  await next(page);
  await expectStep(page, 'about');
});

/**
 * A finger on the screenshot's stage: touches from `from` along to `to` (fractions of the
 * stage), sent as real touch events through the DevTools protocol, so Chromium makes the
 * pointer events (pointerType "touch") and applies touch-action as it does on a phone.
 */
async function fingerDrag(cdp, shot, from, to) {
  const box = await shot.locator('.editor .stage').boundingBox();
  const at = ([fx0, fy0]) => ({ x: box.x + fx0 * box.width, y: box.y + fy0 * box.height });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(from)] });
  for (let k = 1; k <= 6; k++) {
    const f = [from[0] + ((to[0] - from[0]) * k) / 6, from[1] + ((to[1] - from[1]) * k) / 6];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(f)] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('on a phone a finger draws an area and moves it, a tap draws none, and the page does not scroll meanwhile', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  try {
    const m = await startFlow(page);
    await toEvidence(page, 'shared', 'https://forum.example/t/4');
    await helper(page).locator('#shot-input').setInputFiles([fx.files[1].path]);
    const shot = shots(page).nth(0);
    await expect(shot).toHaveAttribute('data-state', 'marking');
    await shot.locator('.editor .reveal').tap();
    const stage = shot.locator('.editor .stage');
    await stage.scrollIntoViewIfNeeded();
    const cdp = await context.newCDPSession(page);
    const scrolled = () => page.evaluate(() => [window.scrollX, window.scrollY]);
    const before = await scrolled();
    // Percentages of the picture, as the boxes are placed.
    const placed = (b) => b.evaluate((el) => [el.style.left, el.style.top, el.style.width, el.style.height].map(parseFloat));

    // Drawn: from (20 %, 20 %) to (70 %, 60 %). A vertical drag would scroll the page if the
    // stage let the browser have it.
    await fingerDrag(cdp, shot, [0.2, 0.2], [0.7, 0.6]);
    await expect(shot.locator('.box')).toHaveCount(1);
    const drawn = await placed(shot.locator('.box').nth(0));
    [20, 20, 50, 40].forEach((want, i) => expect(Math.abs(drawn[i] - want)).toBeLessThan(1.5));
    expect(await scrolled()).toEqual(before);
    await expect(shot.locator('.areas li')).toHaveCount(1);

    // Moved: a finger on the area drags it 10 % right and 10 % down; its size stays.
    await fingerDrag(cdp, shot, [0.45, 0.4], [0.55, 0.5]);
    await expect(shot.locator('.box')).toHaveCount(1);
    const moved = await placed(shot.locator('.box').nth(0));
    [30, 30, 50, 40].forEach((want, i) => expect(Math.abs(moved[i] - want)).toBeLessThan(1.5));
    expect(await scrolled()).toEqual(before);

    // A tap outside the area is no area.
    await fingerDrag(cdp, shot, [0.1, 0.9], [0.1, 0.9]);
    await expect(shot.locator('.box')).toHaveCount(1);

    // And the finger's area is what is blacked out.
    await shot.locator('.apply').tap();
    await expect(shot).toHaveAttribute('data-state', 'redacted');
    await expect(shot.locator('.status')).toHaveText(text(m, 'evidence.redacted', { count: 1 }));
  } finally {
    await context.close();
  }
});

test('redactScreenshot (the JS API): the areas of an ImageData blacked out, as a PNG of only critical chunks; refusals are redact-refused', async ({ page }) => {
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const { redactScreenshot } = await import('./report-helper.js');
    // 37x23 opaque pixels from a fixed pseudo-random sequence; the second area runs off the edge.
    const [width, height] = [37, 23];
    const picture = new ImageData(width, height);
    let seed = 12345;
    for (let i = 0; i < picture.data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      picture.data[i] = i % 4 === 3 ? 255 : seed >>> 24;
    }
    const areas = [{ x: 3, y: 4, w: 10, h: 5 }, { x: 30, y: 20, w: 20, h: 20 }];
    const before = picture.data.slice();
    const png = await redactScreenshot(picture, areas);
    // The browser's decoder is the reference.
    const bitmap = await createImageBitmap(new Blob([png], { type: 'image/png' }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const ctx = new OffscreenCanvas(width, height).getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const got = ctx.getImageData(0, 0, width, height).data;
    let black = 0;
    let kept = 0;
    const bad = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        const inside = areas.some((a) => x >= a.x && x < a.x + a.w && y >= a.y && y < a.y + a.h);
        const px = Array.from(got.subarray(i, i + 4));
        if (inside ? px.join() === '0,0,0,255' : px.join() === Array.from(before.subarray(i, i + 4)).join()) inside ? black++ : kept++;
        else bad.push(`${x},${y}`);
      }
    }
    const refusal = async (...args) => {
      try {
        await redactScreenshot(...args);
        return 'accepted';
      } catch (e) {
        return `${e.name} ${e.code}`;
      }
    };
    return {
      size: [bitmap.width, bitmap.height], black, kept, bad, png: Array.from(png),
      // The caller's pixels are left as they were: the core works on a copy.
      untouched: picture.data.every((v, i) => v === before[i]),
      refused: [
        await refusal(picture, [{ x: 1, y: 1, w: 0, h: 4 }]),
        await refusal(picture, [{ x: 40, y: 1, w: 4, h: 4 }]),
        await refusal(picture, [{ x: 1.5, y: 1, w: 4, h: 4 }]),
        await refusal({ data: new Uint8Array(10), width, height }, []),
        await refusal(picture, Array.from({ length: 1001 }, () => ({ x: 0, y: 0, w: 1, h: 1 }))),
        await refusal(new ImageData(1, 1), 'everything'),
        await refusal({ data: picture.data, width: String(width), height }, []),
        await refusal({ data: picture.data, width: -1, height }, []),
      ],
    };
  });
  expect(result.size).toEqual([37, 23]);
  expect(result.untouched).toBe(true);
  expect(result.bad).toEqual([]);
  expect(result.black).toBe(10 * 5 + 7 * 3);
  expect(result.kept).toBe(37 * 23 - result.black);
  expect(pngChunks(Buffer.from(result.png)).filter((type) => type !== 'IDAT')).toEqual(['IHDR', 'IEND']);
  expect(result.refused).toEqual(Array(8).fill('ReportHelperError redact-refused'));
});
