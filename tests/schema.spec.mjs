// The report (v1) at the WebAssembly boundary and against its JSON Schema, with no page unless
// said: the built module (dist/wasm) runs in Node.
//
// - The core's reportJson turns drafts into exactly the JSON written out by hand here,
//   which the schema accepts; its refusals are ReportErrors naming the field and the problem.
// - buildReport() of report.js, in Chromium, gives the same JSON and the same refusals.
// - The schema, through Ajv (the standard JavaScript validator), accepts and refuses the reports of
//   schema/tests/report-v1-cases.json as the file says; crate/tests/report_schema.rs holds the
//   core (Report::from_json) to the same file, so the two agree without a parser in the module.
// The digests here are the well-known ones of '' and 'abc'; a video's vPDQ hashes are encoded by
// Node's Buffer (vpdqHashes), never by the core.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  CASES_FILE, casesText, KEY, SHA256_EMPTY, MD5_EMPTY, SHA256_ABC, MD5_ABC, SHA1_ABC, PDQ,
  MAX_BYTES, MAX_BYTES_BESIDES_HASHES, bytesBesidesHashes, distinctHashes, vpdqHashes,
} from '../schema/tests/make-report-v1-cases.mjs';

const fromRoot = (path) => new URL(`../${path}`, import.meta.url);

const schema = JSON.parse(readFileSync(fromRoot('schema/report-v1.schema.json'), 'utf8'));
// strict: any keyword Ajv does not know, or would ignore, is an error at compile time.
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

let core;
test.beforeAll(async () => {
  core = await import(fromRoot('dist/wasm/report_helper_report.js'));
  core.initSync({ module: readFileSync(fromRoot('dist/wasm/report_helper_report_bg.wasm')) });
});


/** Runs `f`, which must throw; returns what it threw. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** A draft (buildReport's argument) through the core's reportJson, as report.js uses it. */
function build(draft) {
  return core.reportJson(draft);
}

/** Asserts that `e` is the core's ReportError for `field` and `problem`. */
function expectReportError(e, field, problem) {
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('ReportError');
  expect({ field: e.field, problem: e.problem }).toEqual({ field, problem });
  expect(Object.hasOwn(e, 'field') && Object.hasOwn(e, 'problem')).toBe(true);
  expect(String(e)).toBe(`ReportError: ${e.message}`);
}

/** A video's frames as hashFile() gives them: `[hash, quality]` pairs, numbered in order. */
const frames = (...pairs) => pairs.map(([hash, quality], frame) => ({ frame, hash, quality }));
const H1 = '0123456789abcdef'.repeat(4);
const H2 = '0f'.repeat(32);
const H3 = '00ff'.repeat(16);

// Drafts and the reports they must give, written out by hand.
const drafts = [
  {
    what: 'shared, with contact details; URLs trimmed and kept once; blank text left out',
    draft: {
      idempotency_key: KEY,
      created_at: '2026-11-27T21:57:00.123Z',
      language: 'nl',
      situation: 'shared',
      items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 100 } }],
      urls: [' https://a.example/x ', 'https://a.example/x', '', 'http://b.example/?q=1'],
      explanation: '   ',
      name: ' Sam ',
      email: ' sam@example.org ',
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
      '"created_at":"2026-11-27T21:57:00.123Z","language":"nl","situation":"shared",' +
      '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72",' +
      '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],' +
      '"urls":["https://a.example/x","http://b.example/?q=1"],' +
      '"contact":{"name":"Sam","email":"sam@example.org"},"good_faith":true}',
  },
  {
    what: 'consent to share the fingerprints: written last, after good_faith; false is left out',
    draft: {
      idempotency_key: 'consent-report-0001',
      created_at: '2026-12-03T12:00:00Z',
      language: 'en',
      situation: 'shared',
      under_18: true,
      items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 100 } }],
      urls: [],
      good_faith: true,
      share_with_platforms: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"consent-report-0001",' +
      '"created_at":"2026-12-03T12:00:00Z","language":"en","situation":"shared","under_18":true,' +
      '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72",' +
      '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],' +
      '"urls":[],"good_faith":true,"share_with_platforms":true}',
  },
  {
    what: 'no consent (false): the same JSON as a report made before the question',
    draft: {
      idempotency_key: 'consent-report-0002',
      created_at: '2026-12-03T12:00:00Z',
      language: 'en',
      situation: 'shared',
      items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC }],
      urls: [],
      good_faith: true,
      share_with_platforms: false,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"consent-report-0002",' +
      '"created_at":"2026-12-03T12:00:00Z","language":"en","situation":"shared",' +
      '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72"}],"urls":[],"good_faith":true}',
  },
  {
    what: 'a minor: the name and email given are dropped; an item without PDQ',
    draft: {
      idempotency_key: 'minor-report-0001',
      created_at: '2026-11-27T21:57:00Z',
      language: 'en',
      situation: 'minor',
      items: [{ kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY }],
      urls: ['https://c.example/v/1'],
      name: 'Sam',
      email: 'sam@example.org',
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"minor-report-0001",' +
      '"created_at":"2026-11-27T21:57:00Z","language":"en","situation":"minor",' +
      '"items":[{"kind":"video","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
      '"md5":"d41d8cd98f00b204e9800998ecf8427e"}],' +
      '"urls":["https://c.example/v/1"],"good_faith":true}',
  },
  {
    what: 'threatened, with no URLs; an item with SHA-1 and PDQ',
    draft: {
      idempotency_key: 'threat_0123456789',
      created_at: '2026-12-31T23:59:60.5Z',
      language: 'en-GB',
      situation: 'threatened',
      items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, sha1: SHA1_ABC, pdq: { hash: PDQ, quality: 49 } }],
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"threat_0123456789",' +
      '"created_at":"2026-12-31T23:59:60.5Z","language":"en-GB","situation":"threatened",' +
      '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d",' +
      '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":49}}],' +
      '"urls":[],"good_faith":true}',
  },
  {
    what: 'other, with an explanation and only an email; URLs only, no items',
    draft: {
      idempotency_key: 'OTHER-report-000000000000000000000000000000000000000000000000064',
      created_at: '2026-11-27T21:57:00Z',
      language: 'nl',
      situation: 'other',
      urls: ['https://d.example/p?id=7'],
      explanation: '  Op een forum gezet; "aanhalingstekens" en ünïcode 😀.\n ',
      email: 'x@y.example',
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1",' +
      '"idempotency_key":"OTHER-report-000000000000000000000000000000000000000000000000064",' +
      '"created_at":"2026-11-27T21:57:00Z","language":"nl","situation":"other","items":[],' +
      '"urls":["https://d.example/p?id=7"],' +
      '"explanation":"Op een forum gezet; \\"aanhalingstekens\\" en ünïcode 😀.",' +
      '"contact":{"email":"x@y.example"},"good_faith":true}',
  },
  {
    what: 'several items, with and without PDQ and SHA-1',
    draft: {
      idempotency_key: KEY,
      created_at: '2026-11-27T21:57:00Z',
      language: 'en',
      situation: 'shared',
      items: [
        { kind: 'other', sha256: SHA256_EMPTY, md5: MD5_EMPTY },
        { kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, sha1: SHA1_ABC, pdq: { hash: PDQ, quality: 0 } },
      ],
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
      '"created_at":"2026-11-27T21:57:00Z","language":"en","situation":"shared","items":[' +
      '{"kind":"other","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
      '"md5":"d41d8cd98f00b204e9800998ecf8427e"},' +
      '{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d",' +
      '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":0}}],' +
      '"urls":[],"good_faith":true}',
  },
  {
    what: 'videos with frames: under quality 50 and repeats left out, order kept; none usable, no vpdq',
    draft: {
      idempotency_key: KEY,
      created_at: '2026-11-27T21:57:00Z',
      language: 'en',
      situation: 'shared',
      items: [
        { kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { frames: frames([H3, 50], [PDQ, 49], [H2, 100], [H3, 100], [H1, 90]) } },
        { kind: 'video', sha256: SHA256_ABC, md5: MD5_ABC, sha1: SHA1_ABC, vpdq: { frames: frames([PDQ, 10], [H2, 0]) } },
        { kind: 'video', sha256: SHA256_ABC, md5: MD5_ABC, vpdq: { frames: [] } },
        { kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 100 } },
      ],
      good_faith: true,
    },
    want:
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
      '"created_at":"2026-11-27T21:57:00Z","language":"en","situation":"shared","items":[' +
      '{"kind":"video","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
      '"md5":"d41d8cd98f00b204e9800998ecf8427e",' +
      `"vpdq":{"seconds_per_hash":1,"hashes":"${vpdqHashes([H3, H2, H1])}"}},` +
      '{"kind":"video","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d"},' +
      '{"kind":"video","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72"},' +
      '{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
      '"md5":"900150983cd24fb0d6963f7d28e17f72",' +
      '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],' +
      '"urls":[],"good_faith":true}',
  },
];

/** A video item of `n` distinct frames, all usable, from `from` on. */
const videoOf = (n, from = 0) => ({
  kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { frames: distinctHashes(n, from).map((hash, frame) => ({ frame, hash, quality: 100 })) },
});
const videoWith = (...pairs) => ({ kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { frames: frames(...pairs) } });


// A draft that breaks a rule: [change to drafts[0], field, problem, message (or null)].
const RULES = [
  [{ situation: undefined }, 'situation', 'missing', 'situation: missing'],
  [{ situation: '' }, 'situation', 'missing', 'situation: missing'],
  [{ good_faith: false }, 'good_faith', 'good-faith-required', 'good_faith: the good-faith statement is required'],
  [{ good_faith: undefined }, 'good_faith', 'good-faith-required', null],
  [{ urls: ['https://a.example/x#top'] }, 'urls[0]', 'not-normalised', null],
  [{ items: [], urls: [' '] }, 'items', 'empty', null],
  [{ email: 'sam at example.org' }, 'contact.email', 'not-email', 'contact.email: not an email address'],
  [{ idempotency_key: 'short' }, 'idempotency_key', 'not-idempotency-key', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC.toUpperCase(), md5: MD5_ABC }] }, 'items[0].sha256', 'not-hex', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 101 } }] }, 'items[0].pdq.quality', 'quality-over-100', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 1000 } }] }, 'items[0].pdq.quality', 'quality-over-100', null],
  [{ explanation: '😀'.repeat(5001) }, 'explanation', 'too-long', 'explanation: longer than 5000 characters'],
  [{ urls: Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}/${'p'.repeat(60)}`) }, '', 'too-long', ': longer than 65536 bytes of JSON besides vpdq hashes'],
  [{ items: [videoOf(10801)] }, 'items[0].vpdq.hashes', 'too-many', 'items[0].vpdq.hashes: more than 10800 hashes'],
  [{ items: [videoOf(5400), videoOf(5401, 5400)] }, 'items[1].vpdq.hashes', 'too-many', 'items[1].vpdq.hashes: more than 10800 hashes in the report'],
  // Three hours of hashes do not make room for anything else.
  [{ items: [videoOf(10800)], urls: Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}/${'p'.repeat(60)}`) }, '', 'too-long', ': longer than 65536 bytes of JSON besides vpdq hashes'],
];

// Values of the wrong kind, refused by the core where they are given: [change, field, problem, message].
const SHAPES = [
  [{ situation: 'sextortion' }, 'situation', 'not-one-of', 'situation: must be one of shared, threatened, minor, other'],
  [{ situation: 'Shared' }, 'situation', 'not-one-of', null],
  [{ situation: 1 }, 'situation', 'malformed', 'situation: expected a string'],
  [{ idempotency_key: undefined }, 'idempotency_key', 'missing', 'idempotency_key: missing'],
  [{ created_at: 1764280620000 }, 'created_at', 'malformed', null],
  [{ language: null }, 'language', 'missing', null],
  [{ items: [{ kind: 'photo', sha256: SHA256_ABC, md5: MD5_ABC }] }, 'items[0].kind', 'not-one-of', 'items[0].kind: must be one of image, video, other'],
  [{ items: [{ sha256: SHA256_ABC, md5: MD5_ABC }] }, 'items[0].kind', 'missing', null],
  [{ items: [{ kind: 'image', md5: MD5_ABC }] }, 'items[0].sha256', 'missing', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: 5 }] }, 'items[0].md5', 'malformed', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, sha1: true }] }, 'items[0].sha1', 'malformed', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ } }] }, 'items[0].pdq.quality', 'missing', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { quality: 100 } }] }, 'items[0].pdq.hash', 'missing', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: -1 } }] }, 'items[0].pdq.quality', 'malformed', 'items[0].pdq.quality: expected a whole number from 0 to 100'],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: 50.5 } }] }, 'items[0].pdq.quality', 'malformed', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: '100' } }] }, 'items[0].pdq.quality', 'malformed', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, pdq: { hash: PDQ, quality: NaN } }] }, 'items[0].pdq.quality', 'malformed', null],
  [{ urls: ['https://a.example/x', 42] }, 'urls[1]', 'malformed', 'urls[1]: expected a string'],
  [{ urls: [null] }, 'urls[0]', 'missing', null],
  [{ explanation: ['text'] }, 'explanation', 'malformed', null],
  [{ name: 7 }, 'contact.name', 'malformed', null],
  [{ email: {} }, 'contact.email', 'malformed', null],
  [{ good_faith: 'yes' }, 'good_faith', 'malformed', 'good_faith: expected true or false'],
  [{ share_with_platforms: 'yes' }, 'share_with_platforms', 'malformed', 'share_with_platforms: expected true or false'],
  [{ share_with_platforms: 1 }, 'share_with_platforms', 'malformed', null],
  [{ items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, vpdq: { frames: frames([PDQ, 100]) } }] }, 'items[0].vpdq', 'not-a-video', 'items[0].vpdq: only an item of kind video has vpdq'],
  [{ items: [videoWith([PDQ, 100]), { kind: 'other', sha256: SHA256_ABC, md5: MD5_ABC, vpdq: { frames: [] } }] }, 'items[1].vpdq', 'not-a-video', null],
  [{ items: [videoWith([PDQ, 101])] }, 'items[0].vpdq', 'quality-over-100', 'items[0].vpdq: must be 0 to 100'],
  [{ items: [videoWith([PDQ, 100], [PDQ.toUpperCase(), 100])] }, 'items[0].vpdq', 'not-hex', 'items[0].vpdq: must be 64 lowercase hexadecimal digits'],
  [{ items: [videoWith([PDQ, 100], [`${'g'.repeat(63)}0`, 100])] }, 'items[0].vpdq', 'not-hex', null],
];

// What the core checks of a video's frames before their digits and qualities (a quality kept in a
// byte would wrap or be cut, and hashes of the wrong length would run together).
const FRAME_SHAPES = [
  [{ items: [{ ...videoWith([PDQ, 100]), vpdq: { frames: PDQ } }] }, 'items[0].vpdq', 'malformed', 'items[0].vpdq: expected a list of frames'],
  [{ items: [videoWith([PDQ, 50.5])] }, 'items[0].vpdq', 'malformed', 'items[0].vpdq: frames[0].quality: expected a whole number from 0 to 100'],
  [{ items: [videoWith([PDQ, 100], [PDQ, -1])] }, 'items[0].vpdq', 'malformed', null],
  [{ items: [videoWith([PDQ, '100'])] }, 'items[0].vpdq', 'malformed', null],
  [{ items: [videoWith([PDQ, undefined])] }, 'items[0].vpdq', 'malformed', null],
  [{ items: [videoWith([PDQ, 300])] }, 'items[0].vpdq', 'quality-over-100', null],
  [{ items: [videoWith([PDQ.slice(1), 100], [`${PDQ}0`, 100])] }, 'items[0].vpdq', 'not-hex', 'items[0].vpdq: frames[0].hash must be 64 lowercase hexadecimal digits'],
  [{ items: [videoWith([7, 100])] }, 'items[0].vpdq', 'not-hex', null],
  [{ items: [{ ...videoWith([PDQ, 100]), vpdq: { frames: [null] } }] }, 'items[0].vpdq', 'not-hex', null],
];

test.describe('the core\'s reportJson', () => {
  for (const { what, draft, want } of drafts) {
    test(`${what}: the expected JSON, valid for the schema`, () => {
      const built = build(draft);
      expect(built).toBe(want);
      const report = JSON.parse(built);
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    });
  }

  test('a draft that breaks a rule is refused by build(), naming the field and the problem', () => {
    for (const [change, field, problem, message] of RULES) {
      const e = thrown(() => build({ ...drafts[0].draft, ...change }));
      expectReportError(e, field, problem);
      if (message) expect(e.message).toBe(message);
    }
  });

  test('a value of the wrong kind is refused where it is given, naming the field', () => {
    for (const [change, field, problem, message] of [...SHAPES, ...FRAME_SHAPES]) {
      const e = thrown(() => build({ ...drafts[0].draft, ...change }));
      expectReportError(e, field, problem);
      if (message) expect(e.message).toBe(message);
    }
  });

  test('a draft that holds itself, or is nested very deep, is refused as the wrong kind, not a crash', () => {
    const cyclic = { ...drafts[0].draft };
    cyclic.explanation = cyclic;
    expectReportError(thrown(() => build(cyclic)), 'explanation', 'malformed');
    let deep = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expectReportError(thrown(() => build({ ...drafts[0].draft, urls: [deep] })), 'urls[0]', 'malformed');
    // The module still works after both.
    expect(build(drafts[0].draft)).toBe(drafts[0].want);
  });

  test('an item refused is not added; absent options may be null; no file, no URL is refused', () => {
    const draft = { idempotency_key: KEY, created_at: '2026-11-27T21:57:00Z', language: 'en', situation: 'shared' };
    expectReportError(thrown(() => build({ ...draft, items: [{ kind: 'photo', sha256: SHA256_ABC, md5: MD5_ABC }] })), 'items[0].kind', 'not-one-of');
    expect(build({
      ...draft,
      items: [{ kind: 'other', sha256: SHA256_EMPTY, md5: MD5_EMPTY, sha1: null, pdq: { hash: null, quality: null }, vpdq: null }],
      urls: ['https://a.example/x'],
      explanation: null,
      name: null,
      email: null,
      good_faith: true,
    })).toBe(
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
        '"created_at":"2026-11-27T21:57:00Z","language":"en","situation":"shared",' +
        '"items":[{"kind":"other","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
        '"md5":"d41d8cd98f00b204e9800998ecf8427e"}],"urls":["https://a.example/x"],"good_faith":true}',
    );
    expectReportError(thrown(() => build(draft)), 'items', 'empty');
  });

  test('a video\'s frames: the form the core takes them in', () => {
    const draft = (...items) => ({ ...drafts[0].draft, items });
    const image = { kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC };
    expectReportError(thrown(() => build(draft({ ...image, vpdq: { frames: frames([PDQ, 100]) } }))), 'items[0].vpdq', 'not-a-video');
    // Anything but a list of {hash, quality} is a ReportError, never a TypeError.
    const video = (vpdq) => ({ kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq });
    for (const [vpdq, problem] of [
      [{ frames: [{ hash: PDQ, quality: [100] }] }, 'malformed'],
      [{ frames: [{ hash: PDQ, quality: new Uint8Array([100]) }] }, 'malformed'],
      [{ frames: [{ hash: PDQ, quality: 100n }] }, 'malformed'],
      [{ frames: [{ hash: PDQ }] }, 'malformed'],
      [{ frames: 'd' }, 'malformed'],
      [{ frames: new Uint8Array([100]) }, 'malformed'],
      [{}, 'malformed'],
      [{ frames: [{ hash: [PDQ], quality: 100 }] }, 'not-hex'],
      [{ frames: [{ quality: 100 }] }, 'not-hex'],
      [{ frames: frames([PDQ, 100], [PDQ.toUpperCase(), 100]) }, 'not-hex'],
      [{ frames: frames([PDQ, 101]) }, 'quality-over-100'],
    ]) {
      expectReportError(thrown(() => build(draft(image, video(vpdq)))), 'items[1].vpdq', problem);
    }
    // Under quality 50 left out; the frame numbers are not sent.
    const report = JSON.parse(build(draft(image, video({ frames: frames([PDQ, 49], [H3, 60]) }))));
    expect(report.items[1].vpdq).toEqual({ seconds_per_hash: 1, hashes: vpdqHashes([H3]) });
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  test('three hours of frames, and 64 KiB besides them: the largest report there is', () => {
    const hashes = distinctHashes(10800);
    // Each hash twice, the repeat under quality 50, in the middle of the video.
    const video = { kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { frames: frames(...hashes.flatMap((h) => [[h, 100], [h, 10]])) } };
    // URLs to fill the rest: each adds its length and 3 bytes of JSON (two quotes and a comma,
    // which the first has not).
    const base = Buffer.byteLength(
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
      '"created_at":"2026-11-27T21:57:00Z","language":"en","situation":"shared","items":[{"kind":"video",' +
      '"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
      '"md5":"d41d8cd98f00b204e9800998ecf8427e","vpdq":{"seconds_per_hash":1,"hashes":""}}],"urls":[],"good_faith":true}',
    );
    let gap = MAX_BYTES_BESIDES_HASHES - base + 1;
    const urls = [];
    while (gap > 0) {
      const len = gap > 2033 ? 2000 : gap - 3;
      const start = `https://a.example/${urls.length}/`;
      urls.push(start + 'p'.repeat(len - start.length));
      gap -= len + 3;
    }
    const json = build({ idempotency_key: KEY, created_at: '2026-11-27T21:57:00Z', language: 'en', situation: 'shared', items: [video], urls, good_faith: true });
    expect(Buffer.byteLength(json)).toBe(MAX_BYTES);
    expect(bytesBesidesHashes(json)).toBe(MAX_BYTES_BESIDES_HASHES);
    const report = JSON.parse(json);
    expect(report.items[0].vpdq.hashes).toBe(vpdqHashes(hashes));
    expect(report.urls).toEqual(urls);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  test('the module exports the builder and no JSON parser', () => {
    expect(typeof core.reportJson).toBe('function');
    expect(core.buildReport).toBeUndefined();
    expect(core.checkReport).toBeUndefined();
  });

  test('the module exports the limits and the statuses the page needs', () => {
    // The documented values (docs/js-api.md, docs/embedding.md, docs/payload.md): at most 1000 URLs
    // of 2048 bytes, 100 accounts of 50 and 100 characters; screenshots of at most 16384 pixels a
    // side; the intake's statuses (the OpenAPI document).
    expect(core.limits()).toEqual({
      MAX_URLS: 1000, MAX_URL_BYTES: 2048, MAX_ACCOUNTS: 100, MAX_PLATFORM_CHARS: 50, MAX_ACCOUNT_NAME_CHARS: 100, MAX_SHOT_SIDE: 16384,
    });
    expect(core.reportStatuses()).toEqual(['received', 'in_progress', 'done', 'withdrawn']);
  });
});

test.describe('buildReport() of report.js, in Chromium', () => {
  test('the same JSON and refusals as the builder; unknown keys are refused', async ({ page }) => {
    const base = drafts[0].draft;
    const broken = [...RULES, ...SHAPES, ...FRAME_SHAPES];
    const unknown = [
      [{ ...base, file_name: 'me.jpg' }, 'not a report: unknown field `file_name`'],
      [{ ...base, items: [{ ...base.items[0], width: 1600 }] }, 'not a report: unknown field `width` in items[0]'],
      [{ ...base, items: [{ ...base.items[0], pdq: { ...base.items[0].pdq, width: 1600 } }] }, 'not a report: unknown field `width` in items[0].pdq'],
      [{ ...base, items: [{ ...videoWith([PDQ, 100]), vpdq: { frames: [], partial: true } }] }, 'not a report: unknown field `partial` in items[0].vpdq'],
      [null, null],
      [{ ...base, items: 'x' }, null],
    ];
    await page.goto('/');
    // Playwright carries undefined and NaN into the page as they are.
    const results = await page.evaluate(
      async ({ built, refused, unknown, undefinedKey }) => {
        const { buildReport } = await import('/report.js');
        const outcome = async (draft) => {
          try {
            return await buildReport(draft);
          } catch (e) {
            return { name: e.name, code: e.code, field: e.field, problem: e.problem, message: e.message };
          }
        };
        const all = (drafts) => Promise.all(drafts.map(outcome));
        return {
          built: await all(built),
          refused: await all(refused),
          unknown: await all(unknown),
          undefinedKey: await outcome(undefinedKey),
        };
      },
      {
        built: drafts.map((d) => d.draft),
        refused: broken.map(([change]) => ({ ...base, ...change })),
        unknown: unknown.map(([draft]) => draft),
        undefinedKey: { ...base, file_name: undefined },
      },
    );
    results.built.forEach(({ json, report }, i) => {
      expect(json).toBe(drafts[i].want);
      expect(report).toEqual(JSON.parse(drafts[i].want));
    });
    results.refused.forEach((e, i) => {
      const [change, field, problem, message] = broken[i];
      expect({ name: e.name, code: e.code, field: e.field, problem: e.problem }, JSON.stringify(change).slice(0, 200)).toEqual({
        name: 'ReportHelperError', code: 'invalid-report', field, problem,
      });
      if (message) expect(e.message).toBe(message);
    });
    results.unknown.forEach((e, i) => {
      expect([e.code, e.field, e.problem]).toEqual(['invalid-report', '', 'malformed']);
      if (unknown[i][1]) expect(e.message).toBe(unknown[i][1]);
    });
    // A key whose value is undefined is as good as absent (as it was for JSON.stringify).
    expect(results.undefinedKey.json).toBe(drafts[0].want);
  });
});

const CASES = JSON.parse(readFileSync(CASES_FILE, 'utf8'));

test.describe('the schema, against schema/tests/report-v1-cases.json', () => {
  test('the file is what its script writes (node schema/tests/make-report-v1-cases.mjs)', () => {
    expect(readFileSync(CASES_FILE, 'utf8')).toBe(casesText());
  });

  test('the cases are many, named once, and cover both verdicts and what the schema cannot tell', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.filter((c) => c.valid).length).toBeGreaterThan(40);
    expect(CASES.filter((c) => !c.valid).length).toBeGreaterThan(80);
    const cannot = CASES.filter((c) => c.schema_cannot_tell);
    expect(cannot.length).toBeGreaterThanOrEqual(6);
    // The over-64-KiB reports really are, and the long email really is short in characters.
    const text = (c) => (typeof c.report === 'string' ? c.report : JSON.stringify(c.report));
    const big = cannot.find((c) => c.name.includes('64 KiB'));
    expect(new TextEncoder().encode(text(big)).length).toBeGreaterThan(64 * 1024);
    const besides = cannot.find((c) => c.name.includes('65537 bytes besides the hashes'));
    expect(bytesBesidesHashes(text(besides))).toBe(MAX_BYTES_BESIDES_HASHES + 1);
    expect(new TextEncoder().encode(text(besides)).length).toBeLessThan(MAX_BYTES);
    // The largest valid report is at both limits, and holds three hours of distinct hashes.
    const largest = CASES.find((c) => c.valid && c.name.includes(`${MAX_BYTES} bytes in all`));
    expect(new TextEncoder().encode(text(largest)).length).toBe(MAX_BYTES);
    expect(bytesBesidesHashes(text(largest))).toBe(MAX_BYTES_BESIDES_HASHES);
    expect(Buffer.from(largest.report.items[0].vpdq.hashes, 'base64').length).toBe(10800 * 32);
    const over = CASES.find((c) => c.name.includes('10801 hashes in one video'));
    expect(Buffer.from(over.report.items[0].vpdq.hashes, 'base64').length).toBe(10801 * 32);
    const email = cannot.find((c) => c.name.includes('email')).report.contact.email;
    expect([...email].length).toBeLessThanOrEqual(254);
    expect(new TextEncoder().encode(email).length).toBeGreaterThan(254);
    // The rules JSON Schema cannot state about size are stated in the schema's description.
    expect(schema.description).toContain('65536 bytes');
    expect(schema.description).toContain(`${MAX_BYTES} bytes`);
    expect(schema.description).toContain('10800 vPDQ hashes');
  });

  for (const c of CASES) {
    const verdict = c.valid ? 'valid' : 'invalid';
    const says = c.schema_cannot_tell ? `${verdict} for the core; the schema cannot tell` : verdict;
    test(`${says}: ${c.name}`, () => {
      let value;
      try {
        value = typeof c.report === 'string' ? JSON.parse(c.report) : c.report;
      } catch {
        // Not JSON: nothing for a schema to judge, and the core refuses it too.
        expect(c.valid).toBe(false);
        expect(c.schema_cannot_tell).toBeUndefined();
        return;
      }
      const ok = validate(value);
      const errors = JSON.stringify(validate.errors)?.slice(0, 500);
      expect(ok, `the schema on ${c.name}: ${errors}`).toBe(c.schema_cannot_tell ? !c.valid : c.valid);
      if (c.canonical !== undefined) {
        // The canonical form leaves out `share_with_platforms: false`, which means what absent does.
        const { share_with_platforms: share, ...rest } = value;
        expect(JSON.parse(c.canonical)).toEqual(share === false ? rest : value);
        expect(validate(JSON.parse(c.canonical))).toBe(true);
      }
    });
  }
});
