// vPDQ in the browser: hashFile() reads a video in the worker, the core demuxes it, WebCodecs
// decodes it, and the frames the reference picks are hashed from their planes. Expected values
// come from Meta's reference (PyPI vpdq 0.2.5 on Debian's FFmpeg, in
// tests/fixtures/video/expected, written by reference.py), from python-threatexchange's matcher
// (expected/matches.json) and from Node's crypto, never from our code.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { apiInput, nodeDigests, randomFile, tempFile, watch } from './helpers.mjs';
import { catalog, driveToReview, helper, startFlow, text } from './flow-helpers.mjs';

const VIDEOS = join(import.meta.dirname, 'fixtures/video');
const EXPECTED = join(VIDEOS, 'expected');
// Debian's Chromium has no H.265 decoder; a browser that has one must hash the file as the
// others (checked below either way).
const HEVC = 'mandel-hevc.mp4';

/** The fixture videos with a reference output: [name, path] (upstream/x.mp4 is upstream__x.mp4). */
const referenced = readdirSync(EXPECTED)
  .filter((n) => n.endsWith('.csv'))
  .map((n) => n.slice(0, -4))
  .map((name) => [name, join(VIDEOS, name.replace('__', '/'))]);

/** The reference's frames of a fixture: [{frame, quality, hash}]. */
function reference(name) {
  return readFileSync(join(EXPECTED, `${name}.csv`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .map(([frame, quality, hash]) => ({ frame: Number(frame), quality: Number(quality), hash }));
}

function distance(a, b) {
  let d = 0;
  for (let i = 0; i < 64; i++) for (let x = parseInt(a[i], 16) ^ parseInt(b[i], 16); x; x >>= 1) d += x & 1;
  return d;
}

/**
 * python-threatexchange's rule (vpdq_brute_matcher): drop exact duplicates (keep the first),
 * then frames of quality under 50; a frame matches within distance 31; count * 100 / n.
 */
function matchPercents(query, compared) {
  const usable = (frames) => {
    const seen = new Set();
    return frames.filter((f) => !seen.has(f.hash) && seen.add(f.hash)).filter((f) => f.quality >= 50);
  };
  const [q, c] = [usable(query), usable(compared)];
  const found = (these, those) => (these.filter((h) => those.some((t) => distance(h.hash, t.hash) <= 31)).length * 100) / these.length;
  return [found(q, c), found(c, q)];
}

/** hashFile() on every file of #api-input, one after another; a rejection becomes {rejected}. */
function hashAll(page, options = {}) {
  return page.evaluate(async (options) => {
    const { hashFile } = await import('./report-helper.js');
    const out = [];
    for (const file of document.querySelector('#api-input').files) {
      out.push(await hashFile(file, { sha1: true, ...options }).catch((e) => ({ rejected: `${e.code}: ${e.message}` })));
    }
    return out;
  }, options);
}

test('every test video gives the reference\'s frames, hashes and qualities, bit for bit, and its match percentages', async ({ page }) => {
  test.setTimeout(300_000);
  const { problems } = await watch(page);
  await page.goto('/');
  await apiInput(page, referenced.map(([, path]) => path));
  const results = await hashAll(page);
  const ours = new Map();
  const report = [];
  for (const [i, [name, path]] of referenced.entries()) {
    const got = results[i];
    const want = await nodeDigests(path);
    expect({ sha256: got.sha256, md5: got.md5, sha1: got.sha1, size: got.size }, name).toEqual({
      sha256: want.sha256,
      md5: want.md5,
      sha1: want.sha1,
      size: want.size,
    });
    if (name === HEVC && got.vpdqError?.code === 'unsupported-codec') {
      expect(got.vpdq, name).toBeNull();
      continue;
    }
    const frames = got.vpdq?.frames;
    expect(frames, `${name}: ${JSON.stringify(got.vpdqError)}`).toBeTruthy();
    expect(got.vpdq.secondsPerHash).toBe(1);
    expect(got.vpdq.partial, name).toBeUndefined();
    const ref = reference(name);
    expect(frames.map((f) => f.frame), `${name}: frame numbers`).toEqual(ref.map((f) => f.frame));
    const bits = frames.map((f, k) => distance(f.hash, ref[k].hash));
    report.push(`${name}: ${frames.length} frames, mean ${(bits.reduce((a, b) => a + b, 0) / bits.length).toFixed(2)} bits, max ${Math.max(...bits)}`);
    expect(frames, name).toEqual(ref);
    ours.set(name, frames);
  }
  console.log(report.join('\n'));
  // Percentages between every pair, by the reference's rule on our frames, against the
  // reference matcher's on its own frames.
  const matches = JSON.parse(readFileSync(join(EXPECTED, 'matches.json'), 'utf8'));
  let compared = 0;
  for (const m of matches) {
    if (!ours.has(m.query) || !ours.has(m.compared)) continue;
    expect(matchPercents(ours.get(m.query), ours.get(m.compared)), `${m.query} in ${m.compared}`).toEqual([m.query_percent, m.compared_percent]);
    compared += 1;
  }
  expect(compared).toBeGreaterThan(150);
  expect(problems).toEqual([]);
});

test("Meta's 2022 sample hashes: test-padded-dimensions bit for bit, doorknob within 22 bits", async ({ page }) => {
  await page.goto('/');
  const upstream = ['test-padded-dimensions', 'doorknob-hd-no-bar'];
  await apiInput(page, upstream.map((n) => join(VIDEOS, 'upstream', `${n}.mp4`)));
  const results = await hashAll(page);
  for (const [i, name] of upstream.entries()) {
    // Every frame of the video, as vPDQ wrote them in 2022: frame,quality,hash,timestamp.
    const lines = readFileSync(join(VIDEOS, 'upstream', `${name}.txt`), 'utf8').trim().split('\n').map((l) => l.split(','));
    const byFrame = new Map(lines.map(([frame, quality, hash]) => [Number(frame), { quality: Number(quality), hash }]));
    const frames = results[i].vpdq.frames;
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) {
      const want = byFrame.get(f.frame);
      if (name === 'test-padded-dimensions') expect(f, `${name} frame ${f.frame}`).toEqual({ frame: f.frame, ...want });
      else if (want.quality >= 50) expect(distance(f.hash, want.hash), `${name} frame ${f.frame}`).toBeLessThanOrEqual(22);
    }
  }
});

test('what is not a readable video says why, and its exact digests still count', async ({ page }) => {
  const { problems } = await watch(page);
  await page.goto('/');
  const h264 = readFileSync(join(VIDEOS, 'mandel-h264.mp4'));
  const moovEnd = readFileSync(join(VIDEOS, 'mandel-h264-moov-end.mp4'));
  const cases = [
    // Random bytes named .mp4: not a container, so no fingerprint, and the type it claims is answered.
    ['random.mp4', await randomFile('random.mp4', 300_000), 'not-a-video'],
    ['audio-only.mp4', join(VIDEOS, 'audio-only.mp4'), 'not-a-video'],
    ['empty-track.mp4', join(VIDEOS, 'empty-track.mp4'), 'no-frames'],
    // The index at the end, and the file cut before it: nothing says where the frames are.
    ['moov-end-cut.mp4', await tempFile('moov-end-cut.mp4', moovEnd.subarray(0, moovEnd.length - 3000)), 'decode-failed'],
    [HEVC, join(VIDEOS, HEVC), 'unsupported-codec'],
  ];
  await apiInput(page, cases.map(([, path]) => path));
  const results = await hashAll(page);
  for (const [i, [name, path, code]] of cases.entries()) {
    const got = results[i];
    const want = await nodeDigests(path);
    expect([got.sha256, got.md5, got.size], name).toEqual([want.sha256, want.md5, want.size]);
    expect(got.vpdq, name).toBeNull();
    expect(got.vpdqError, name).toEqual({ code, message: expect.any(String) });
  }
  // A file that claims nothing and is not a container gets no vPDQ fields at all.
  await apiInput(page, [await tempFile('notes.txt', Buffer.from('not a video'))]);
  const [plain] = await hashAll(page);
  expect('vpdq' in plain || 'vpdqError' in plain).toBe(false);
  expect(h264.length).toBeGreaterThan(100_000);
  expect(problems.filter((p) => !/VideoDecoder|decod/i.test(p))).toEqual([]);
});

test('a video cut short hashes the frames that decode and says partial', async ({ page }) => {
  await page.goto('/');
  const h264 = readFileSync(join(VIDEOS, 'mandel-h264.mp4'));
  const webm = readFileSync(join(VIDEOS, 'mandel-vp9.webm'));
  const cut = [
    ['mandel-h264.mp4', await tempFile('h264-cut.mp4', h264.subarray(0, Math.floor(h264.length * 0.6)))],
    ['mandel-vp9.webm', await tempFile('vp9-cut.webm', webm.subarray(0, Math.floor(webm.length * 0.6)))],
  ];
  await apiInput(page, cut.map(([, path]) => path));
  const results = await hashAll(page);
  for (const [i, [name]] of cut.entries()) {
    const { vpdq } = results[i];
    expect(vpdq?.partial, name).toBe(true);
    const ref = reference(name);
    // The first frames, exactly the reference's; not all of them.
    expect(vpdq.frames.length, name).toBeGreaterThan(2);
    expect(vpdq.frames.length, name).toBeLessThan(ref.length);
    expect(vpdq.frames, name).toEqual(ref.slice(0, vpdq.frames.length));
  }
});

test('onProgress tells video time, and an abort stops a video at once', async ({ page }) => {
  await page.goto('/');
  await apiInput(page, [join(VIDEOS, 'mandel-h264.mp4')]);
  const { times, aborted } = await page.evaluate(async () => {
    const { hashFile } = await import('./report-helper.js');
    const file = document.querySelector('#api-input').files[0];
    const times = [];
    await hashFile(file, { onProgress: ({ seconds, duration }) => seconds !== undefined && times.push([seconds, duration]) });
    const controller = new AbortController();
    const running = hashFile(file, { signal: controller.signal });
    controller.abort();
    const aborted = await running.then(() => 'finished', (e) => e.name);
    return { times, aborted };
  });
  expect(times.length).toBeGreaterThan(0);
  const [lastSeconds, duration] = times.at(-1);
  // 291 frames at 30000/1001 fps: 9.7 s; the last frame starts at 9.676 s.
  expect(duration).toBeCloseTo(9.71, 1);
  expect(lastSeconds).toBeGreaterThan(9);
  expect(lastSeconds).toBeLessThanOrEqual(duration);
  expect(aborted).toBe('AbortError');
});

test('the page: a video shows its frame count and what its fingerprint finds, the review counts its frames, the report carries them', async ({ page }) => {
  const { problems } = await watch(page);
  const messages = await startFlow(page);
  const ref = reference('mandel-h264.mp4');
  await driveToReview(page, { files: [join(VIDEOS, 'mandel-h264.mp4'), join(VIDEOS, HEVC)], urls: ['https://tube.example/v/1'], about: { name: 'Sam', email: 'sam@example.org' } });
  const el = helper(page);
  const [video, hevc] = [el.locator('#files > li.file').nth(0), el.locator('#files > li.file').nth(1)];
  await expect(video.locator('.status')).toHaveText(messages['done.video']);
  await expect(video.locator('.vpdq')).toHaveText(text(messages, 'vpdq.frames', { count: ref.length }));
  await expect(video.locator('.vpdq-note')).toHaveText(messages['vpdq.finds']);
  await expect(video.locator('dd.pdq-row')).toBeHidden();
  await expect(hevc.locator('.vpdq-note')).toHaveText(messages['vpdqError.unsupported-codec']);
  // The review counts the frames the report carries: quality 50 or more, duplicates dropped.
  const usable = new Set(ref.filter((f) => f.quality >= 50).map((f) => f.hash));
  await expect(el.locator('#review')).toContainText(text(messages, 'review.fp.video', { count: usable.size }));
  const sent = JSON.parse(await el.locator('#raw-json').textContent());
  const hashes = Buffer.from(sent.items[0].vpdq.hashes, 'base64').toString('hex');
  expect(hashes.match(/.{64}/g)).toEqual([...usable]);
  expect(sent.items[1].vpdq).toBeUndefined();
  expect(problems).toEqual([]);
});

test('the page tells a video\'s progress in video time', async ({ page }) => {
  await startFlow(page);
  const messages = catalog('en');
  await helper(page).locator('input[name="situation"][value="shared"]').check();
  await helper(page).locator('input[name="age"][value="no"]').check();
  await helper(page).locator('section[data-step="situation"] .next').click();
  // Hold the first progress report with video time: the card must show it as "0:0x of 0:09".
  await page.evaluate(() => {
    window.seenTimes = [];
    const observer = new MutationObserver(() => {
      const percent = document.querySelector('report-helper').shadowRoot.querySelector('#files .percent');
      if (percent?.textContent) window.seenTimes.push(percent.textContent);
    });
    observer.observe(document.querySelector('report-helper').shadowRoot, { subtree: true, childList: true, characterData: true });
  });
  await helper(page).locator('#file-input').setInputFiles(join(VIDEOS, 'mandel-h264.mp4'));
  await expect(helper(page).locator('#files > li.file')).toHaveAttribute('data-state', 'done');
  const seen = await page.evaluate(() => window.seenTimes);
  const pattern = new RegExp(`^${text(messages, 'videoTime', { time: '0:0\\d', duration: '0:09' })}$`);
  expect(seen.some((t) => pattern.test(t)), seen.join(' | ')).toBe(true);
});
