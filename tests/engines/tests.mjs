// The tests the engine runner (run.mjs) runs in Firefox and WebKit, each in one browser session.
// Expected values come from references: Meta's PDQ and vPDQ outputs (tests/fixtures/pdq/expected,
// tests/fixtures/video/expected), Node's crypto, the catalogs; never from the code under test.
//
// A test is {name, run(ctx)}; run throws to fail, returns nothing to pass, or returns
// {cannotRun: 'why'} when this engine cannot run it. After each test the runner also fails it on
// any probe finding (console error or warning, uncaught error, CSP violation), any failed request
// and any request the proxy saw for another host (ctx.after).
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { makeFlowFixtures, removeFlowFixtures } from '../fixtures/make-flow-fixtures.mjs';
import { FRAMES_PATH, PROBE_SCRIPT } from './server.mjs';

const ROOT = join(import.meta.dirname, '../..');
const PDQ = join(ROOT, 'tests/fixtures/pdq');
const PDQ_DATA = join(PDQ, 'upstream/pdq/data');
const ORIENTED = join(PDQ, 'oriented');
const VIDEOS = join(ROOT, 'tests/fixtures/video');
export const FILES_DIR = join(ROOT, 'target/engines-files');
const MiB = 1 << 20;
/** The large file: big enough to cross every chunk and worker hand-over, small enough for CI. */
const LARGE_BYTES = 300 * MiB + 12345;

const en = JSON.parse(readFileSync(join(ROOT, 'www/i18n/en.json'), 'utf8'));

// ---- references --------------------------------------------------------------------------------

/** Rows of a reference CSV (header first) by their first column. */
function csv(path) {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = header.split(',');
  return new Map(rows.map((r) => r.split(',')).map((cells) => [cells[0], Object.fromEntries(keys.map((k, i) => [k, cells[i]]))]));
}

/** Hamming distance of two PDQ hashes in hex. */
export function distance(a, b) {
  let d = 0;
  for (let i = 0; i < 64; i++) for (let x = parseInt(a[i], 16) ^ parseInt(b[i], 16); x; x >>= 1) d += x & 1;
  return d;
}

const walk = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));

/** Node's digests of a file, streamed. */
export async function nodeDigests(path) {
  const hashes = { sha256: createHash('sha256'), md5: createHash('md5'), sha1: createHash('sha1') };
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) {
    size += chunk.length;
    for (const h of Object.values(hashes)) h.update(chunk);
  }
  return { size, ...Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, h.digest('hex')])) };
}

/**
 * A file of `size` pseudo-random bytes, the same every time (AES-128-CTR of zeros under a fixed
 * key), written once under target/engines-files and kept.
 */
export async function deterministicFile(name, size) {
  await mkdir(FILES_DIR, { recursive: true });
  const path = join(FILES_DIR, name);
  if (existsSync(path) && (await stat(path)).size === size) return path;
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x2a), Buffer.alloc(16, 0));
  const handle = await open(path, 'w');
  const zeros = Buffer.alloc(16 * MiB);
  for (let done = 0; done < size; ) {
    const n = Math.min(zeros.length, size - done);
    await handle.write(cipher.update(zeros.subarray(0, n)));
    done += n;
  }
  await handle.close();
  return path;
}

// ---- assertions --------------------------------------------------------------------------------

function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** JSON with object keys sorted, so that equal() ignores key order. */
const sortedKeys = (x) => Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)));
const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? sortedKeys(x) : x));

function equal(got, want, what) {
  const [g, w] = [canonical(got), canonical(want)];
  assert(g === w, `${what}: got ${g}, want ${w}`);
}

// ---- in the page -------------------------------------------------------------------------------

/** Opens the standalone page and waits for the element's first step, in English. */
export async function openPage(ctx) {
  await ctx.session.navigate(ctx.server.url);
  await waitFor(ctx, () => document.querySelector('report-helper')?.shadowRoot?.querySelector('#h-situation')?.textContent || null);
}

/**
 * Polls `fn` in the page until it returns a truthy value (returned). The limit is a hang guard,
 * not a timed assertion.
 */
export async function waitFor(ctx, fn, { limit = 120_000, what = String(fn).slice(0, 120), args = [] } = {}) {
  const start = Date.now();
  for (;;) {
    const value = await ctx.session.execute(fn, ...args);
    if (value) return value;
    if (Date.now() - start > limit) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Puts a hidden <input type=file multiple id=api-input> in the page and gives it `paths`. */
async function apiInput(ctx, paths) {
  const input = await ctx.session.execute(() => {
    document.querySelector('#api-input')?.remove();
    const el = Object.assign(document.createElement('input'), { type: 'file', id: 'api-input', multiple: true });
    document.body.append(el);
    return el;
  });
  await ctx.session.sendKeys(Object.values(input)[0], paths.join('\n'));
  const count = await ctx.session.execute(() => document.querySelector('#api-input').files.length);
  equal(count, paths.length, 'files on #api-input');
}

/** hashFile() on every file of #api-input, one after another; a rejection becomes {rejected}. */
function hashAll(ctx, options = {}) {
  return ctx.session.execute(async (options) => {
    const { hashFile } = await import('./report-helper.js');
    const out = [];
    for (const file of document.querySelector('#api-input').files) {
      out.push(await hashFile(file, options).catch((e) => ({ rejected: `${e.code}: ${e.message}` })));
    }
    return out;
  }, options);
}

// ---- the tests -------------------------------------------------------------------------------

const pageLoads = {
  name: 'the standalone page loads: the element renders, no console error, no CSP violation',
  async run(ctx) {
    await openPage(ctx);
    const shown = await ctx.session.execute(() => {
      const root = document.querySelector('report-helper').shadowRoot;
      const visible = (el) => !!el && el.getClientRects().length > 0;
      return {
        heading: root.querySelector('#h-situation').textContent,
        step: document.querySelector('report-helper').step,
        next: visible(root.querySelector('section[data-step="situation"] .next')),
        styled: getComputedStyle(root.querySelector('section[data-step="situation"]')).display !== 'inline',
        title: document.querySelector('h1').textContent,
      };
    });
    equal(shown, { heading: en['situation.heading'], step: 'situation', next: true, styled: true, title: en.title }, 'shown');
    // The page's requests were all GETs of the site's own files, answered.
    const paths = ctx.server.requests.map((r) => `${r.method} ${new URL(r.path, 'http://x').pathname} ${r.status}`);
    for (const p of ['GET / 200', 'GET /report-helper.js 200', 'GET /i18n/en.json 200', 'GET /report-helper.css 200']) {
      assert(paths.includes(p), `no ${p} among ${paths.join(', ')}`);
    }
  },
};

const watchersWork = {
  name: 'the watchers are not blind: a CSP violation and console.error in page and worker, a stray host at the proxy',
  async run(ctx) {
    await openPage(ctx);
    await ctx.session.execute(async () => {
      const { hashFile } = await import('./report-helper.js');
      await hashFile(new Blob(['x'])); // starts a worker (with its probe)
      fetch('https://tracker.invalid/page').catch(() => {});
      console.error('planted page error');
    });
    // A worker of the same script (with its probe), asked through the probe's own test hook to
    // try a request off the site and to call console.error.
    await ctx.session.execute(() => {
      const w = new Worker('./worker.js', { type: 'module' });
      w.postMessage({ __probe: 'https://tracker.invalid/worker' });
      setTimeout(() => w.terminate(), 10_000);
    });
    const findings = async () => ctx.server.findings().join('\n');
    await until(async () => /tracker\.invalid(:443)?\/page/.test(await findings()), 'the page\'s CSP violation');
    await until(async () => (await findings()).includes('planted page error'), 'the page\'s console.error');
    await until(async () => (await findings()).includes('worker console.error: planted worker error'), 'the worker\'s console.error');
    let note;
    if (WORKER_CSP_UNREPORTED[ctx.engine]) {
      // The worker logged after its fetch was refused: the request never reached the proxy.
      equal(ctx.proxy.elsewhere().map((r) => r.url), [], 'requests off the site');
      note = WORKER_CSP_UNREPORTED[ctx.engine];
    } else {
      await until(async () => /worker csp: .*tracker\.invalid/.test(await findings()), 'the worker\'s CSP violation');
    }
    // A navigation off the site is not the CSP's business: the proxy must see it.
    await ctx.session.navigate('http://canary.example/leak?f=secret-name').catch(() => {});
    await until(async () => ctx.proxy.elsewhere().some((r) => r.url.includes('canary.example')), 'the proxy seeing canary.example');
    await ctx.session.navigate('about:blank');
    await new Promise((r) => setTimeout(r, 500)); // the favicon request of the refused page
    ctx.server.reset();
    ctx.proxy.reset();
    return note && { note };
  },
};

/**
 * Engines that block a worker's request under its CSP but fire no securitypolicyviolation in
 * the worker and send no report (measured): there the probe cannot see such a violation; the
 * proxy still sees any request that gets out.
 */
const WORKER_CSP_UNREPORTED = {
  webkit: 'WebKitGTK 2.50 blocks a worker\'s request under the CSP but reports nothing (no event in the worker, no report-uri/report-to): '
    + 'a CSP violation in a worker goes unseen by the probe here; the proxy sees any request that gets out',
};

/** Waits for `check` (async, in Node) to hold; the limit is a hang guard. */
async function until(check, what, limit = 30_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limit) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Vectors an engine decodes differently from the reference's libjpeg-turbo, with the measured
 * distance and why; each is checked at exactly that distance (so a change either way shows).
 * Empty until a run shows one.
 */
export const PDQ_EXCEPTIONS = {
  firefox: {},
  webkit: {
    // An opaque RGBA PNG with an iCCP chunk: WebKitGTK 2.50 applies the embedded ICC profile
    // although the worker asks for colorSpaceConversion 'none' (the reference and Chromium ignore
    // it). Measured: the same PNG with its iCCP chunk removed gives the reference hash exactly.
    'reg-test-input/pen-and-coaster.png': { bits: 2 },
  },
};

const pdqVectors = {
  name: 'hashFile on every PDQ vector JPEG and PNG: the reference hash and quality, bit for bit',
  async run(ctx) {
    const full = csv(join(PDQ, 'expected/pdq_cpp_full.csv'));
    const paths = walk(PDQ_DATA).filter((p) => /\.(jpe?g|png)$/i.test(p));
    assert(paths.length >= 35, `only ${paths.length} vectors`);
    await openPage(ctx);
    await apiInput(ctx, paths);
    const results = await hashAll(ctx);
    const wrong = [];
    const exceptions = PDQ_EXCEPTIONS[ctx.engine] ?? {};
    for (const [i, path] of paths.entries()) {
      const name = relative(PDQ_DATA, path);
      const want = full.get(name);
      const got = results[i];
      if (!got?.pdq) {
        wrong.push(`${name}: no PDQ (${JSON.stringify(got?.pdqError ?? got)})`);
        continue;
      }
      const bits = distance(got.pdq.hash, want.hash);
      const size = `${got.pdq.width}x${got.pdq.height}`;
      const exception = exceptions[name];
      if (size !== `${want.width}x${want.height}` || got.pdq.scaled) {
        wrong.push(`${name}: ${size} scaled=${got.pdq.scaled}, want ${want.width}x${want.height}`);
      }
      else if (exception ? bits !== exception.bits : bits !== 0 || got.pdq.quality !== Number(want.quality)) {
        const listed = exception ? `; listed at ${exception.bits} bits` : '';
        wrong.push(`${name}: ${bits} bits off, quality ${got.pdq.quality} (want ${want.quality})${listed}`);
      }
    }
    assert(wrong.length === 0, `${wrong.length} of ${paths.length} vectors differ:\n      ${wrong.join('\n      ')}`);
    const listed = Object.keys(exceptions).length;
    return listed ? { note: `${paths.length - listed} exact, ${listed} listed exceptions` } : { note: `${paths.length} vectors exact` };
  },
};

const orientations = {
  name: 'EXIF orientations 1-8: pdq (as displayed) and pdqStored (as stored) equal the reference',
  async run(ctx) {
    const expected = join(PDQ, 'expected/pdq_oriented.csv');
    const files = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => join(ORIENTED, `orientation-${n}.jpg`));
    const missing = [expected, ...files].filter((p) => !existsSync(p)).map((p) => relative(ROOT, p));
    // Not a cannot-run: the fixtures belong in the repository (issue 19 item 1); without them
    // this fails.
    assert(missing.length === 0, `missing reference fixtures: ${missing.join(', ')}`);
    const want = csv(expected);
    await openPage(ctx);
    await apiInput(ctx, files);
    const results = await hashAll(ctx);
    const wrong = [];
    for (const [i, path] of files.entries()) {
      const name = relative(join(PDQ), path);
      const row = want.get(name) ?? want.get(`oriented/orientation-${i + 1}.jpg`) ?? want.get(`orientation-${i + 1}.jpg`);
      if (!row) {
        wrong.push(`${name}: no row in pdq_oriented.csv`);
        continue;
      }
      const got = results[i];
      const pdq = got?.pdq && { hash: got.pdq.hash, quality: got.pdq.quality, width: got.pdq.width, height: got.pdq.height };
      const shouldBe = { hash: row.hash, quality: Number(row.quality), width: Number(row.width), height: Number(row.height) };
      if (canonical(pdq) !== canonical(shouldBe)) {
        const off = pdq ? ` (${distance(pdq.hash, row.hash)} bits off)` : '';
        wrong.push(`orientation ${i + 1} pdq: ${JSON.stringify(pdq ?? got?.pdqError)}${off}, want ${JSON.stringify(shouldBe)}`);
      }
      const stored = Number(row.orientation) === 1 ? undefined : { hash: row.stored_hash, quality: Number(row.stored_quality) };
      if (canonical(got?.pdqStored) !== canonical(stored)) {
        wrong.push(`orientation ${i + 1} pdqStored: ${JSON.stringify(got?.pdqStored)}, want ${JSON.stringify(stored)}`);
      }
    }
    assert(wrong.length === 0, wrong.join('\n      '));
  },
};

const largeFile = {
  name: `hashFile on a ${Math.round(LARGE_BYTES / MiB)} MiB file: SHA-256, MD5 and SHA-1 equal Node's crypto`,
  async run(ctx) {
    const path = await deterministicFile('large.bin', LARGE_BYTES);
    const want = await nodeDigests(path);
    await openPage(ctx);
    await apiInput(ctx, [path]);
    const [got] = await hashAll(ctx, { sha1: true, pdq: false });
    equal({ size: got.size, sha256: got.sha256, md5: got.md5, sha1: got.sha1 }, want, 'digests');
  },
};

/** The test videos with a reference output (as tests/vpdq.spec.mjs reads them): [name, path]. */
function referencedVideos() {
  return readdirSync(join(VIDEOS, 'expected'))
    .filter((n) => n.endsWith('.csv'))
    .map((n) => n.slice(0, -4))
    .map((name) => [name, join(VIDEOS, name.replace('__', '/'))]);
}

/** The reference's frames of a test video: [{frame, quality, hash}]. */
function videoReference(name) {
  return readFileSync(join(VIDEOS, 'expected', `${name}.csv`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .map(([frame, quality, hash]) => ({ frame: Number(frame), quality: Number(quality), hash }));
}

/** Pixel formats of RGB frames: the engine converted the decoded YUV itself. */
const RGB_FORMATS = new Set(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

/**
 * Each test video is a test of its own: hashed alone, with the pixel formats of its frames as the
 * worker's probe saw them (one copyTo per hashed frame).
 */
function videoTests() {
  let support = null;
  return referencedVideos().map(([name, path]) => ({
    name: `video ${name}: the reference's frames, hashes and qualities, bit for bit, and Node's digests`,
    async run(ctx) {
      if (!support) {
        await openPage(ctx);
        // What the engine's WebCodecs says of each codec (for the cannot-run lines).
        support = await ctx.session.execute(async () => {
          if (typeof VideoDecoder === 'undefined') return 'no VideoDecoder';
          const out = {};
          for (const codec of ['avc1.64001f', 'hev1.1.6.L93.B0', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
            out[codec] = await VideoDecoder.isConfigSupported({ codec, codedWidth: 640, codedHeight: 360 }).then((s) => s.supported, (e) => String(e));
          }
          return out;
        });
      }
      ctx.server.reset();
      await apiInput(ctx, [path]);
      const [got] = await hashAll(ctx, { sha1: true });
      const want = await nodeDigests(path);
      equal({ size: got.size, sha256: got.sha256, md5: got.md5, sha1: got.sha1 }, want, 'digests');
      if (got.vpdqError?.code === 'unsupported-codec' || got.vpdqError?.code === 'no-decoder') {
        return { cannotRun: `${got.vpdqError.code}: ${got.vpdqError.message} (VideoDecoder.isConfigSupported here: ${JSON.stringify(support)})` };
      }
      const ref = videoReference(name);
      const frames = got.vpdq?.frames;
      assert(frames, `no vPDQ: ${JSON.stringify(got.vpdqError)}`);
      equal(frames.map((f) => f.frame), ref.map((f) => f.frame), 'frame numbers');
      equal(got.vpdq.partial, undefined, 'partial');
      await until(async () => ctx.server.frameFormats().length >= frames.length, 'the frames\' formats from the probe');
      const formats = [...new Set(ctx.server.frameFormats())];
      const bits = frames.map((f, k) => distance(f.hash, ref[k].hash));
      const quality = frames.filter((f, k) => f.quality !== ref[k].quality).length;
      const differ = `${bits.filter(Boolean).length} of ${frames.length} frames differ (bits: ${bits.join(' ')}), ${quality} qualities differ`;
      if (formats.some((f) => RGB_FORMATS.has(f))) {
        // Not a loosened check: the exact one cannot run, and the line says by how much it missed.
        return {
          cannotRun: `this engine's VideoDecoder hands over ${formats.join('/')} frames (its own YUV to RGB), not the YUV planes `
            + `the reference converts with libswscale: the frame numbers are exact; ${differ}`,
        };
      }
      assert(Math.max(...bits) === 0 && quality === 0, `${differ}; frame formats ${formats.join('/')}`);
      return { note: `frames ${formats.join('/')}` };
    },
  }));
}

// ---- the whole flow ----------------------------------------------------------------------------

/** Runs `fn(root, ...args)` in the page with the element's shadow root. */
const inElement = (ctx, fn, ...args) =>
  ctx.session.execute(`(...a) => (${fn})(document.querySelector('report-helper').shadowRoot, ...a)`, ...args);

async function expectStep(ctx, name) {
  await waitFor(ctx, (name) => document.querySelector('report-helper').step === name, { args: [name], what: `the ${name} step` });
}

const pressNext = (ctx) => inElement(ctx, (root) => root.querySelector('section[data-step]:not([hidden]) .next').click());

/**
 * A WebM as recordWebm() returns it: the committed recording of Chromium's MediaRecorder
 * (tests/fixtures/video/mediarecorder-vp8.webm) rather than one recorded in the engine under
 * test, so every engine hashes the same video and no Chromium is started.
 */
const recordedWebm = {
  newContext: async () => ({
    newPage: async () => ({
      goto: async () => {},
      evaluate: async () => readFileSync(join(VIDEOS, 'mediarecorder-vp8.webm')).toString('base64'),
    }),
    close: async () => {},
  }),
};

/** The flow's results, shared by the flow test and the privacy canary over it. */
function flowTests() {
  let flow = null;
  const flowTest = {
    name: 'the whole flow to "sent" against the real intake (report-helper serve): stored as posted',
    async run(ctx) {
      if (!ctx.intake) return { cannotRun: `no intake: ${ctx.intakeError}` };
      const fx = await makeFlowFixtures(recordedWebm);
      flow = { fx, done: false };
      try {
        await openPage(ctx);
        ctx.server.reset();
        ctx.proxy.reset();
        // Start again with everything watched from the first request.
        await openPage(ctx);
        await inElement(ctx, (root) => {
          root.querySelector('input[name="situation"][value="shared"]').click();
          root.querySelector('input[name="age"][value="no"]').click();
        });
        await pressNext(ctx);
        await expectStep(ctx, 'files');
        const input = await inElement(ctx, (root) => root.querySelector('#file-input'));
        await ctx.session.sendKeys(Object.values(input)[0], fx.files.map((f) => f.path).join('\n'));
        const states = await waitFor(ctx, (n) => {
          const items = [...document.querySelector('report-helper').shadowRoot.querySelectorAll('#files > li.file')];
          return items.length === n && items.every((li) => /^(done|warning|error)$/.test(li.dataset.state)) &&
            items.map((li) => (li.dataset.state === 'done' ? 'done' : `${li.dataset.state}: ${li.textContent.replace(/\s+/g, ' ').slice(0, 300)}`));
        }, { args: [fx.files.length], what: 'every file hashed', limit: 180_000 });
        equal(states, fx.files.map(() => 'done'), 'file states');
        await pressNext(ctx);
        await expectStep(ctx, 'urls');
        await inElement(ctx, (root) => {
          const box = root.querySelector('#url-input');
          box.value = 'https://forum.example/thread/8812#post-3\nimagehost.example/i/abc123.jpg';
          box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
          root.querySelector('#add-urls').click();
        });
        equal(await inElement(ctx, (root) => root.querySelectorAll('#url-list li').length), 2, 'URLs listed');
        await pressNext(ctx);
        await expectStep(ctx, 'evidence');
        await pressNext(ctx);
        await expectStep(ctx, 'about');
        await inElement(ctx, (root) => {
          for (const [id, value] of [['name', 'J. D.'], ['email', 'jd@example.org'], ['explanation', 'Posted without my consent.']]) {
            const el = root.querySelector(`#${id}`);
            el.value = value;
            el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
          }
          const box = root.querySelector('#good-faith');
          if (!box.checked) box.click();
        });
        await pressNext(ctx);
        await expectStep(ctx, 'review');
        const shown = JSON.parse(await inElement(ctx, (root) => root.querySelector('#raw-json').textContent));
        equal(shown.items.length, fx.files.length, 'items in the review');
        await waitFor(ctx, () => !document.querySelector('report-helper').shadowRoot.querySelector('#send').disabled, { what: 'Send enabled' });
        await inElement(ctx, (root) => root.querySelector('#send').click());
        const sent = await waitFor(ctx, () => {
          const root = document.querySelector('report-helper').shadowRoot;
          const box = root.querySelector('#sent');
          const shown = box && !box.hidden && box.getClientRects().length > 0;
          return shown && { reference: root.querySelector('#reference').textContent, token: root.querySelector('#token').textContent };
        }, { what: 'the sent box' });
        // The intake stored exactly what was posted, less its idempotency key.
        const posts = ctx.server.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/'));
        equal(posts.map((p) => `${p.path} ${p.status}`), ['/api/reports 201'], 'POSTs to the intake');
        const posted = JSON.parse(posts[0].body.toString('utf8'));
        equal(posted, shown, 'the POST against the review\'s JSON');
        const listed = ctx.intake.reports('list').filter((r) => r.reference === sent.reference);
        assert(listed.length === 1, `the intake lists ${listed.length} reports ${sent.reference}`);
        const [row] = ctx.intake.reports('show', sent.reference);
        const { idempotency_key: _key, ...stored } = JSON.parse(posts[0].body.toString('utf8'));
        equal(JSON.stringify(row.report), JSON.stringify(stored), 'the stored report against the POST less its idempotency key');
        // The digests sent are Node's.
        for (const [i, f] of fx.files.entries()) {
          const want = await nodeDigests(f.path);
          equal({ sha256: posted.items[i].sha256, md5: posted.items[i].md5 }, { sha256: want.sha256, md5: want.md5 }, f.name);
        }
        assert(/\S/.test(sent.token), 'no access code shown');
        flow = { fx, done: true, posted, storage: await storage(ctx) };
      } catch (e) {
        flow.error = e.message;
        throw e;
      }
    },
  };
  const privacy = {
    keepRecords: true,
    name: 'privacy canary over that flow: only the site and the endpoint contacted; no byte, name or EXIF of a file sent; nothing stored',
    async run(ctx) {
      if (!flow) return { cannotRun: 'the flow test did not run' };
      try {
        if (!flow.done) return { cannotRun: `the flow did not reach "sent": ${flow.error}` };
        const { fx } = flow;
        const requests = ctx.server.requests;
        assert(requests.length > 20, `only ${requests.length} requests recorded`);
        // Every request reached the test server through the proxy, nothing else went anywhere.
        const elsewhere = ctx.proxy.elsewhere();
        equal(elsewhere.map((r) => `${r.method} ${r.url}`), [], 'requests for other hosts');
        const paths = requests.map((r) => new URL(r.path, 'http://x').pathname);
        for (const p of ['/worker.js', '/wasm/report_helper_bg.wasm', '/api/reports']) assert(paths.includes(p), `${p} was not requested`);
        const allowed = new Set([...ctx.siteFiles, PROBE_SCRIPT]);
        // The probe's own reports of the video frames' formats are the test's, not the page's.
        const notSite = requests.filter((r) => !(r.method === 'GET' && r.body.length === 0 && allowed.has(new URL(r.path, 'http://x').pathname))
          && !(r.method === 'POST' && r.path === FRAMES_PATH));
        equal(notSite.map((r) => `${r.method} ${r.path}`), ['POST /api/reports'], 'requests other than GETs of the site\'s files');
        // What the browser sent, as the proxy received it (the first hop): URLs, headers, bodies.
        const sent = [];
        for (const r of [...ctx.proxy.requests, ...requests]) {
          sent.push(Buffer.from(r.url ?? r.path), Buffer.from(JSON.stringify(r.headers)));
          sent.push(...Object.values(r.headers).map((v) => Buffer.from(String(v))));
          if (r.body.length) sent.push(r.body);
        }
        const secrets = [...fx.files.flatMap((f) => [f.name, f.name.replace(/\.[^.]+$/, '')]), ...fx.planted];
        // The checks below are not blind: a planted run, name and EXIF string are found.
        const photo = readFileSync(fx.files[0].path);
        const query = `?f=${encodeURIComponent(fx.files[0].name)}&n=${JSON.stringify(fx.planted[0])}`;
        const planted = Buffer.concat([Buffer.from('x'), photo.subarray(5000, 5016), Buffer.from(query)]);
        equal(sharedRuns(photo, [planted]).some((h) => h.fileOffset === 5000 && h.at === 1), true, 'the planted run found');
        equal(leakedTexts(planted.toString('utf8'), secrets).length >= 3, true, 'the planted name and EXIF string found');
        const leaks = sent.flatMap((b) => leakedTexts(b.toString('utf8'), secrets));
        equal([...new Set(leaks)], [], 'file names or EXIF strings in a request');
        for (const f of fx.files) {
          const runs = sharedRuns(readFileSync(f.path), sent);
          equal(runs.slice(0, 5), [], `16-byte runs of ${f.name} in a request`);
        }
        const post = requests.find((r) => r.method === 'POST');
        assert(post.headers.cookie === undefined && post.headers.referer === undefined, 'the POST carries a cookie or referer');
        equal(flow.storage, { cookie: '', local: 0, session: 0, idb: 0, caches: 0 }, 'storage');
      } finally {
        await removeFlowFixtures(flow.fx);
      }
    },
  };
  return [flowTest, privacy];
}

/** What the page stored: cookies, Web Storage, IndexedDB, Cache Storage. */
function storage(ctx) {
  return ctx.session.execute(async () => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
    idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
    caches: (await caches.keys()).length,
  }));
}

const WINDOW = 16;

/** Every 16-byte run of `file` found in one of `haystacks` (as tests/flow-privacy.spec.mjs). */
export function sharedRuns(file, haystacks) {
  const index = new Map();
  haystacks.forEach((h, which) => {
    for (let i = 0; i + WINDOW <= h.length; i++) {
      const key = h.readUInt32LE(i);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push([which, i]);
    }
  });
  const hits = [];
  for (let i = 0; i + WINDOW <= file.length; i++) {
    const list = index.get(file.readUInt32LE(i));
    if (!list) continue;
    for (const [which, at] of list) {
      if (file.compare(haystacks[which], at, at + WINDOW, i, i + WINDOW) === 0) hits.push({ fileOffset: i, haystack: which, at });
    }
  }
  return hits;
}

/** Which of `texts` occur in `haystack`, raw or as a URL or JSON would escape them. */
export function leakedTexts(haystack, texts) {
  let decoded = haystack;
  try {
    decoded = decodeURIComponent(haystack);
  } catch {
    // not URL-encoded text
  }
  return texts.filter((s) =>
    [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)].some((form) => haystack.includes(form) || decoded.includes(form)),
  );
}

/** Every test, in the order run. */
export function allTests() {
  return [pageLoads, watchersWork, pdqVectors, orientations, largeFile, ...videoTests(), ...flowTests()];
}
