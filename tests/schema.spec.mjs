// The report (v1) at the WebAssembly boundary, against its JSON Schema: drafts built by
// buildReport() validate against schema/report-v1.schema.json, and the schema (through Ajv, the
// standard JavaScript validator) and the core's checkReport() refuse the same broken reports and
// accept the same edge cases. No page: the built module runs in Node. Expected reports are written
// out by hand here; the digests in them are the well-known ones of '' and 'abc'.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';

const fromRoot = (path) => new URL(`../${path}`, import.meta.url);

const schema = JSON.parse(readFileSync(fromRoot('schema/report-v1.schema.json'), 'utf8'));
// strict: any keyword Ajv does not know, or would ignore, is an error at compile time.
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

let core;
test.beforeAll(async () => {
  core = await import(fromRoot('dist/wasm/report_helper.js'));
  core.initSync({ module: readFileSync(fromRoot('dist/wasm/report_helper_bg.wasm')) });
});

const KEY = '3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50';
const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MD5_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const MD5_ABC = '900150983cd24fb0d6963f7d28e17f72';
const SHA1_ABC = 'a9993e364706816aba3e25717850c26c9cd0d89d';
const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

/** Runs `f`, which must throw; returns what it threw. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** The schema's verdict and the core's on one report object: `true` or the core's error. */
function verdicts(report) {
  const json = JSON.stringify(report);
  const bySchema = validate(report);
  let byCore = true;
  try {
    core.checkReport(json);
  } catch (e) {
    byCore = e;
  }
  return { bySchema, byCore, schemaErrors: validate.errors };
}

test.describe('buildReport', () => {
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
  ];

  for (const { what, draft, want } of drafts) {
    test(`${what}: the expected JSON, valid for the schema and for checkReport`, () => {
      const built = core.buildReport(JSON.stringify(draft));
      expect(built).toBe(want);
      const report = JSON.parse(built);
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(core.checkReport(built)).toBe(built);
    });
  }

  test('not JSON, and JSON that is not a draft, throw a ReportError "malformed" for the whole draft', () => {
    for (const input of ['not json', '', '[]', '{}', '{"idempotency_key":1}']) {
      const e = thrown(() => core.buildReport(input));
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe('ReportError');
      expect(e.field).toBe('');
      expect(e.problem).toBe('malformed');
      expect(e.message).toMatch(/^not a report: /);
      expect(Object.hasOwn(e, 'field') && Object.hasOwn(e, 'problem')).toBe(true);
      expect(String(e)).toBe(`ReportError: ${e.message}`);
    }
    // Not a string at all: the same error from both functions (not a trap in the glue).
    for (const input of [42, undefined, null, {}, ['{}'], new Uint8Array(4)]) {
      for (const f of [core.buildReport, core.checkReport]) {
        const e = thrown(() => f(input));
        expect([e.name, e.field, e.problem]).toEqual(['ReportError', '', 'malformed']);
        expect(e.message).toBe('not a report: expected a string of JSON');
      }
    }
    const withFileName = { ...drafts[0].draft, file_name: 'me.jpg' };
    const e = thrown(() => core.buildReport(JSON.stringify(withFileName)));
    expect([e.field, e.problem]).toEqual(['', 'malformed']);
    expect(e.message).toContain('unknown field `file_name`');
  });

  test('a draft that breaks a rule names the field and the problem', () => {
    const base = drafts[0].draft;
    for (const [change, field, problem, message] of [
      [{ situation: undefined }, 'situation', 'missing', 'situation: missing'],
      [{ good_faith: false }, 'good_faith', 'good-faith-required', 'good_faith: the good-faith statement is required'],
      [{ urls: ['https://a.example/x#top'] }, 'urls[0]', 'not-normalised', null],
      [{ items: [], urls: [' '] }, 'items', 'empty', null],
      [{ email: 'sam at example.org' }, 'contact.email', 'not-email', 'contact.email: not an email address'],
    ]) {
      const e = thrown(() => core.buildReport(JSON.stringify({ ...base, ...change })));
      expect(e.name).toBe('ReportError');
      expect([e.field, e.problem]).toEqual([field, problem]);
      if (message) expect(e.message).toBe(message);
    }
  });
});

test.describe('checkReport and the schema', () => {
  /** A valid report with every field; each case below breaks one thing in a fresh copy. */
  const valid = () => ({
    schema: 'report-helper/report@1',
    idempotency_key: KEY,
    created_at: '2026-11-27T21:57:00Z',
    language: 'nl',
    situation: 'shared',
    items: [{ kind: 'image', sha256: SHA256_ABC, md5: MD5_ABC, sha1: SHA1_ABC, pdq: { hash: PDQ, quality: 100 } }],
    urls: ['https://a.example/x'],
    explanation: 'What happened.',
    contact: { name: 'Sam', email: 'sam@example.org' },
    good_faith: true,
  });

  test('the valid report is valid for both, and checkReport returns the canonical form', () => {
    expect(verdicts(valid())).toEqual({ bySchema: true, byCore: true, schemaErrors: null });
    // Pretty-printed, keys shuffled: the canonical form is compact, keys in the schema's order.
    const { contact, good_faith, items, ...rest } = valid();
    const shuffled = JSON.stringify({ good_faith, contact, ...rest, items }, null, 2);
    expect(core.checkReport(shuffled)).toBe(
      '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
        '"created_at":"2026-11-27T21:57:00Z","language":"nl","situation":"shared",' +
        '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
        '"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d",' +
        '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],' +
        '"urls":["https://a.example/x"],"explanation":"What happened.",' +
        '"contact":{"name":"Sam","email":"sam@example.org"},"good_faith":true}',
    );
  });

  // [what, how to break it, the core's field, the core's problem code]
  const broken = [
    ['an unknown field', (r) => (r.file_name = 'me.jpg'), '', 'malformed'],
    ['a file name in an item', (r) => (r.items[0].file_name = 'me.jpg'), '', 'malformed'],
    ['a width in a PDQ', (r) => (r.items[0].pdq.width = 1600), '', 'malformed'],
    ['upper-case hex', (r) => (r.items[0].sha256 = SHA256_ABC.toUpperCase()), 'items[0].sha256', 'not-hex'],
    ['a SHA-256 too short', (r) => (r.items[0].sha256 = SHA256_ABC.slice(1)), 'items[0].sha256', 'not-hex'],
    ['an MD5 too long', (r) => (r.items[0].md5 = `${MD5_ABC}0`), 'items[0].md5', 'not-hex'],
    ['a SHA-1 not hex', (r) => (r.items[0].sha1 = 'x'.repeat(40)), 'items[0].sha1', 'not-hex'],
    ['a PDQ hash too short', (r) => (r.items[0].pdq.hash = PDQ.slice(2)), 'items[0].pdq.hash', 'not-hex'],
    ['quality 101', (r) => (r.items[0].pdq.quality = 101), 'items[0].pdq.quality', 'quality-over-100'],
    ['quality -1', (r) => (r.items[0].pdq.quality = -1), '', 'malformed'],
    ['quality 50.5', (r) => (r.items[0].pdq.quality = 50.5), '', 'malformed'],
    ['a PDQ without quality', (r) => delete r.items[0].pdq.quality, '', 'malformed'],
    ['an unknown kind', (r) => (r.items[0].kind = 'photo'), '', 'malformed'],
    ['an item without MD5', (r) => delete r.items[0].md5, '', 'malformed'],
    ['an ftp URL', (r) => (r.urls = ['ftp://a.example/x']), 'urls[0]', 'not-http-url'],
    ['a URL with a fragment', (r) => (r.urls = ['https://a.example/x#top']), 'urls[0]', 'not-normalised'],
    ['a URL with an upper-case host', (r) => (r.urls = ['https://A.example/x']), 'urls[0]', 'not-normalised'],
    ['a URL with a space', (r) => (r.urls = ['https://a.example/a b']), 'urls[0]', 'not-normalised'],
    ['a URL with non-ASCII', (r) => (r.urls = ['https://a.example/é']), 'urls[0]', 'not-normalised'],
    ['a URL over 2048 bytes', (r) => (r.urls = [`https://a.example/${'p'.repeat(2031)}`]), 'urls[0]', 'too-long'],
    ['a duplicate URL', (r) => (r.urls = ['https://a.example/x', 'https://b.example/', 'https://a.example/x']), 'urls[2]', 'duplicate'],
    ['contact details in a report about a minor', (r) => (r.situation = 'minor'), 'contact', 'contact-for-minor'],
    ['an empty contact', (r) => (r.contact = {}), 'contact', 'missing'],
    ['an email that is not one', (r) => (r.contact.email = 'sam at example.org'), 'contact.email', 'not-email'],
    ['a name over 200 characters', (r) => (r.contact.name = '😀'.repeat(201)), 'contact.name', 'too-long'],
    ['an explanation over 5000 characters', (r) => (r.explanation = '😀'.repeat(5001)), 'explanation', 'too-long'],
    ['good_faith false', (r) => (r.good_faith = false), 'good_faith', 'good-faith-required'],
    ['good_faith missing', (r) => delete r.good_faith, '', 'malformed'],
    ['neither items nor URLs', (r) => { r.items = []; r.urls = []; }, 'items', 'empty'],
    ['created_at with +01:00', (r) => (r.created_at = '2026-11-27T22:57:00+01:00'), 'created_at', 'not-utc-timestamp'],
    ['a bad idempotency key', (r) => (r.idempotency_key = 'short'), 'idempotency_key', 'not-idempotency-key'],
    ['1001 URLs', (r) => (r.urls = Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`)), 'urls', 'too-many'],
    ['another version', (r) => (r.schema = 'report-helper/report@2'), 'schema', 'wrong-schema'],
    ['a language that is not a tag', (r) => (r.language = 'Dutch'), 'language', 'not-language-tag'],
    ['an unknown situation', (r) => (r.situation = 'sextortion'), '', 'malformed'],
    ['no situation', (r) => delete r.situation, '', 'malformed'],
    ['a null URL list', (r) => (r.urls = null), '', 'malformed'],
    ['1001 items (over 64 KiB as JSON too)', (r) => (r.items = Array(1001).fill(r.items[0])), '', 'too-long'],
  ];

  for (const [what, breakIt, field, problem] of broken) {
    test(`refused by both: ${what}`, () => {
      const report = valid();
      breakIt(report);
      const { bySchema, byCore } = verdicts(report);
      expect(bySchema, 'the schema accepts it').toBe(false);
      expect(byCore, 'the core accepts it').not.toBe(true);
      expect(byCore).toBeInstanceOf(Error);
      expect(byCore.name).toBe('ReportError');
      expect({ field: byCore.field, problem: byCore.problem }).toEqual({ field, problem });
      expect(byCore.message).toMatch(field ? new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `) : /./);
    });
  }

  /** Puts `value` at one place in a valid report; both must give `ok`. */
  function agree(place, value, ok) {
    const report = valid();
    place(report, value);
    const { bySchema, byCore, schemaErrors } = verdicts(report);
    const label = JSON.stringify(value).slice(0, 80);
    expect(bySchema, `schema on ${label}: ${JSON.stringify(schemaErrors)}`).toBe(ok);
    expect(byCore === true, `core on ${label}: ${byCore}`).toBe(ok);
  }

  test('URLs: the pattern accepts exactly what the core accepts', () => {
    const ok = [
      'https://a.example/x', 'http://b.example/', 'https://a.example/a?b=1', 'https://a.example:8080/p',
      'https://user:pw@a.example/p', 'https://@a.example/', 'https://a@b@c.example/', 'https://[::1]/',
      'https://[2001:db8::1]:443/x', 'https://xn--mnchen-3ya.example/', 'https://a.example/%C3%A9',
      'https://a.example/A/B?C=D', 'https://a.example/!$&\'()*+,;=:@~', 'https://a.example?x=/y',
      `https://a.example/${'p'.repeat(2030)}`,
    ];
    const bad = [
      'ftp://a.example/x', 'javascript:alert(1)', 'https:///x', 'https://A.example/x', 'https://a.example/x#frag',
      'https://a.example/x#', 'https://a.example/a b', 'https://a.example/é', 'https://a.example', 'https://a.example?x',
      'HTTPS://a.example/', 'https://:80/', 'https://user@/x', 'https://a.example/\t', '', 'https://', '//a.example/x',
      ' https://a.example/x', 'https://a.example/x ', 'https://a.Example/x', 'https://u:P@a.example/',
      `https://a.example/${'p'.repeat(2031)}`,
    ];
    for (const url of ok) agree((r, v) => (r.urls = [v]), url, true);
    for (const url of bad) agree((r, v) => (r.urls = [v]), url, false);
  });

  test('emails: the pattern accepts exactly what the core accepts', () => {
    const ok = [
      'sam@example.org', 'a@b.c', 'sam+tag@sub.example.org', 'ünï@exämple.org', 'a@b..c', '"q"@example.org',
      'sam\u200b@example.org', 'sam\ufeff@example.org', `a@${'d'.repeat(248)}.org`,
    ];
    const bad = [
      'not an email', 'sam@example', 'sam@.example.org', 'sam@example.org.', '@example.org', 'sam@@example.org',
      'sam@a@b.org', 'sam@exa mple.org', 'sam\u00a0@example.org', 'sam@example.org\n', 'sam\u2028@example.org',
      'sam\u0085@example.org', 'sam\u3000@example.org', 'sam\u007f@example.org', 'sam\u0000@example.org', '',
      `aa@${'d'.repeat(248)}.org`,
    ];
    for (const email of ok) agree((r, v) => (r.contact.email = v), email, true);
    for (const email of bad) agree((r, v) => (r.contact.email = v), email, false);
  });

  test('timestamps, language tags and idempotency keys: the same verdicts', () => {
    const cases = [
      [(r, v) => (r.created_at = v), [
        '2026-11-27T21:57:00Z', '2026-11-27T21:57:00.123Z', '2026-12-31T23:59:60Z', '2026-02-31T00:00:00Z',
        '2026-11-27T21:57:00.123456789Z', '0000-01-01T00:00:00Z',
      ], [
        '2026-11-27T21:57:00+01:00', '2026-11-27T21:57:00+00:00', '2026-11-27 21:57:00Z', '2026-13-27T21:57:00Z',
        '2026-11-27T24:00:00Z', '2026-11-27T21:60:00Z', '2026-11-27T21:57:61Z', '2026-11-27T21:57:00.Z',
        '2026-11-27T21:57:00.1234567890Z', '2026-11-27T21:57Z', '2026-11-27t21:57:00z', '2026-00-10T00:00:00Z',
        '2026-11-00T00:00:00Z', '+2026-11-27T21:57:00Z', '2026-11-27T21:57:00Z ', '26-11-27T21:57:00Z',
      ]],
      [(r, v) => (r.language = v), [
        'nl', 'en', 'en-GB', 'zh-Hant-TW', 'sgn-BE-FR', 'de-CH-1901', 'nl-aaaaaaaa-bbbbbbbb-cccccccc-ddddd',
      ], [
        'Dutch', 'NL', 'e', 'engl', 'nl-', 'nl_NL', 'nl--x', 'en-abcdefghi', 'nl-aaaaaaaa-bbbbbbbb-cccccccc-dddddd', '',
      ]],
      [(r, v) => (r.idempotency_key = v), [
        '0123456789abcdef', 'A_-z'.repeat(16), KEY,
      ], [
        '0123456789abcde', `${'A_-z'.repeat(16)}x`, '0123456789 abcdef', '0123456789+abcdef', 'é'.repeat(16),
      ]],
    ];
    for (const [place, ok, bad] of cases) {
      for (const value of ok) agree(place, value, true);
      for (const value of bad) agree(place, value, false);
    }
  });

  test('lengths count characters (code points) in both, at the limits', () => {
    agree((r, v) => (r.explanation = v), '😀'.repeat(5000), true);
    agree((r, v) => (r.contact.name = v), '😀'.repeat(200), true);
    agree((r, v) => (r.urls = v), Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}`), true);
    agree((r, v) => (r.items[0].pdq.quality = v), 0, true);
    agree((r, v) => delete r.items[0][v], 'pdq', true);
    agree((r, v) => delete r.items[0][v], 'sha1', true);
    agree((r, v) => delete r[v], 'contact', true);
    agree((r, v) => delete r[v], 'explanation', true);
    agree((r, v) => (r.contact = v), { name: 'Sam' }, true);
    agree((r, v) => (r.items = v), [], true);
    agree((r, v) => { r.urls = v; delete r.contact; r.situation = 'minor'; }, [], true);
  });

  test('what the schema cannot say: 64 KiB in all, an email of 254 bytes, repeated keys', () => {
    // 1000 long URLs: each valid, the report over 64 KiB. Only the core refuses it, as a whole.
    const big = valid();
    big.urls = Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}/${'p'.repeat(60)}`);
    const json = JSON.stringify(big);
    expect(json.length).toBeGreaterThan(64 * 1024);
    expect(validate(big)).toBe(true);
    const e = thrown(() => core.checkReport(json));
    expect([e.name, e.field, e.problem]).toEqual(['ReportError', '', 'too-long']);
    // An email of 200 characters but 300 bytes: maxLength counts characters.
    const wide = valid();
    wide.contact.email = `a@${'é'.repeat(149)}.or`;
    expect([...wide.contact.email].length).toBeLessThanOrEqual(254);
    expect(new TextEncoder().encode(wide.contact.email).length).toBeGreaterThan(254);
    expect(validate(wide)).toBe(true);
    const e2 = thrown(() => core.checkReport(JSON.stringify(wide)));
    expect([e2.field, e2.problem]).toEqual(['contact.email', 'too-long']);
    // A key given twice: JSON.parse keeps the last, the core refuses the report.
    const twice = JSON.stringify(valid()).replace('"good_faith":true', '"good_faith":false,"good_faith":true');
    expect(validate(JSON.parse(twice))).toBe(true);
    const e3 = thrown(() => core.checkReport(twice));
    expect([e3.field, e3.problem]).toEqual(['', 'malformed']);
    expect(e3.message).toContain('duplicate field `good_faith`');
  });
});
