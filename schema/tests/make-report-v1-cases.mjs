// Writes report-v1-cases.json: the reports that the JSON Schema (report-v1.schema.json) and the
// core (Report::from_json in crate/src/report.rs) must both accept or both refuse, and the few
// the schema cannot judge. Run `node schema/tests/make-report-v1-cases.mjs` after changing the
// tables below; tests/schema.spec.mjs fails while the file and this script disagree.
//
// Read by crate/tests/report_schema.rs (the core, natively) and tests/schema.spec.mjs (Ajv).
// Each case, one per line:
//   name                   what the case is about (unique)
//   report                 the report: a JSON value, or a string holding raw JSON text (for what
//                          a value cannot hold: a repeated key, 100.0, text that is not JSON)
//   valid                  the core accepts it
//   field, problem         for a refusal: the core's ReportError field (a JSON path, "" for the
//                          whole report) and problem code, when the case pins them
//   core_message_contains  part of the core's English message (serde's words for "malformed")
//   schema_cannot_tell     the schema gives the opposite verdict, for a rule JSON Schema cannot
//                          state (listed in the schema's description); Ajv must disagree here
//   canonical              for a valid report: the core's canonical form of it, exactly
//
// Digests are the well-known ones of '' and 'abc'.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CASES_FILE = new URL('./report-v1-cases.json', import.meta.url);

// Digests of '' and 'abc' (FIPS 180 / RFC 1321 examples) and a vector's PDQ hash, for the cases
// here and the drafts of tests/schema.spec.mjs.
export const KEY = '3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50';
export const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const MD5_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e';
export const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
export const MD5_ABC = '900150983cd24fb0d6963f7d28e17f72';
export const SHA1_ABC = 'a9993e364706816aba3e25717850c26c9cd0d89d';
export const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

/** A valid report with every field; each case below changes one thing in a fresh copy. */
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

const VALID_CANONICAL =
  '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
  '"created_at":"2026-11-27T21:57:00Z","language":"nl","situation":"shared",' +
  '"items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",' +
  '"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d",' +
  '"pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],' +
  '"urls":["https://a.example/x"],"explanation":"What happened.",' +
  '"contact":{"name":"Sam","email":"sam@example.org"},"good_faith":true}';

/** `valid()` changed by `change`. */
function changed(change) {
  const report = valid();
  change(report);
  return report;
}

// [name, how to break it, the core's field, its problem code, part of its message]
const BROKEN = [
  ['an unknown field', (r) => (r.file_name = 'me.jpg'), '', 'malformed', 'unknown field `file_name`'],
  ['a file name in an item', (r) => (r.items[0].file_name = 'me.jpg'), '', 'malformed', 'unknown field `file_name`'],
  ['a width in a PDQ', (r) => (r.items[0].pdq.width = 1600), '', 'malformed', 'unknown field `width`'],
  ['upper-case hex', (r) => (r.items[0].sha256 = SHA256_ABC.toUpperCase()), 'items[0].sha256', 'not-hex'],
  ['a SHA-256 too short', (r) => (r.items[0].sha256 = SHA256_ABC.slice(1)), 'items[0].sha256', 'not-hex'],
  ['an MD5 too long', (r) => (r.items[0].md5 = `${MD5_ABC}0`), 'items[0].md5', 'not-hex'],
  ['a SHA-1 not hex', (r) => (r.items[0].sha1 = 'x'.repeat(40)), 'items[0].sha1', 'not-hex'],
  ['a PDQ hash too short', (r) => (r.items[0].pdq.hash = PDQ.slice(2)), 'items[0].pdq.hash', 'not-hex'],
  ['quality 101', (r) => (r.items[0].pdq.quality = 101), 'items[0].pdq.quality', 'quality-over-100'],
  ['quality 256', (r) => (r.items[0].pdq.quality = 256), '', 'malformed', 'invalid value: integer `256`'],
  ['quality -1', (r) => (r.items[0].pdq.quality = -1), '', 'malformed', 'invalid value: integer `-1`'],
  ['quality 50.5', (r) => (r.items[0].pdq.quality = 50.5), '', 'malformed', 'invalid type: floating point `50.5`'],
  ['a PDQ without quality', (r) => delete r.items[0].pdq.quality, '', 'malformed', 'missing field `quality`'],
  ['an unknown kind', (r) => (r.items[0].kind = 'photo'), '', 'malformed', 'unknown variant `photo`'],
  ['an item without MD5', (r) => delete r.items[0].md5, '', 'malformed', 'missing field `md5`'],
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
  ['good_faith missing', (r) => delete r.good_faith, '', 'malformed', 'missing field `good_faith`'],
  ['good_faith "yes"', (r) => (r.good_faith = 'yes'), '', 'malformed', 'invalid type: string "yes"'],
  ['neither items nor URLs', (r) => { r.items = []; r.urls = []; }, 'items', 'empty'],
  ['created_at with +01:00', (r) => (r.created_at = '2026-11-27T22:57:00+01:00'), 'created_at', 'not-utc-timestamp'],
  ['a bad idempotency key', (r) => (r.idempotency_key = 'short'), 'idempotency_key', 'not-idempotency-key'],
  ['1001 URLs', (r) => (r.urls = Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`)), 'urls', 'too-many'],
  ['another version', (r) => (r.schema = 'report-helper/report@2'), 'schema', 'wrong-schema'],
  ['a language that is not a tag', (r) => (r.language = 'Dutch'), 'language', 'not-language-tag'],
  ['an unknown situation', (r) => (r.situation = 'sextortion'), '', 'malformed', 'unknown variant `sextortion`'],
  ['no situation', (r) => delete r.situation, '', 'malformed', 'missing field `situation`'],
  ['a null URL list', (r) => (r.urls = null), '', 'malformed', 'invalid type: null'],
  // Items are short; 1001 of them are over 64 KiB too, which the core checks first.
  ['1001 items (over 64 KiB as JSON too)', (r) => (r.items = Array(1001).fill({ kind: 'other', sha256: SHA256_EMPTY, md5: MD5_EMPTY })), '', 'too-long'],
];

// Values put at one place in a valid report: [name, place, field, values accepted, values refused].
const PLACES = [
  ['URL', (r, v) => (r.urls = [v]), 'urls[0]', [
    'https://a.example/x', 'http://b.example/', 'https://a.example/a?b=1', 'https://a.example:8080/p',
    'https://user:pw@a.example/p', 'https://@a.example/', 'https://a@b@c.example/', 'https://[::1]/',
    'https://[2001:db8::1]:443/x', 'https://xn--mnchen-3ya.example/', 'https://a.example/%C3%A9',
    'https://a.example/A/B?C=D', 'https://a.example/!$&\'()*+,;=:@~', 'https://a.example?x=/y',
    `https://a.example/${'p'.repeat(2030)}`,
  ], [
    'ftp://a.example/x', 'javascript:alert(1)', 'https:///x', 'https://A.example/x', 'https://a.example/x#frag',
    'https://a.example/x#', 'https://a.example/a b', 'https://a.example/é', 'https://a.example', 'https://a.example?x',
    'HTTPS://a.example/', 'https://:80/', 'https://user@/x', 'https://a.example/\t', '', 'https://', '//a.example/x',
    ' https://a.example/x', 'https://a.example/x ', 'https://a.Example/x', 'https://u:P@a.example/',
    `https://a.example/${'p'.repeat(2031)}`,
  ]],
  ['email', (r, v) => (r.contact.email = v), 'contact.email', [
    'sam@example.org', 'a@b.c', 'sam+tag@sub.example.org', 'ünï@exämple.org', 'a@b..c', '"q"@example.org',
    'sam\u200b@example.org', 'sam\ufeff@example.org', `a@${'d'.repeat(248)}.org`,
  ], [
    'not an email', 'sam@example', 'sam@.example.org', 'sam@example.org.', '@example.org', 'sam@@example.org',
    'sam@a@b.org', 'sam@exa mple.org', 'sam\u00a0@example.org', 'sam@example.org\n', 'sam\u2028@example.org',
    'sam\u0085@example.org', 'sam\u3000@example.org', 'sam\u007f@example.org', 'sam\u0000@example.org', '',
    `aa@${'d'.repeat(248)}.org`,
  ]],
  ['created_at', (r, v) => (r.created_at = v), 'created_at', [
    '2026-11-27T21:57:00Z', '2026-11-27T21:57:00.123Z', '2026-12-31T23:59:60Z', '2026-02-31T00:00:00Z',
    '2026-11-27T21:57:00.123456789Z', '0000-01-01T00:00:00Z',
  ], [
    '2026-11-27T21:57:00+01:00', '2026-11-27T21:57:00+00:00', '2026-11-27 21:57:00Z', '2026-13-27T21:57:00Z',
    '2026-11-27T24:00:00Z', '2026-11-27T21:60:00Z', '2026-11-27T21:57:61Z', '2026-11-27T21:57:00.Z',
    '2026-11-27T21:57:00.1234567890Z', '2026-11-27T21:57Z', '2026-11-27t21:57:00z', '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z', '+2026-11-27T21:57:00Z', '2026-11-27T21:57:00Z ', '26-11-27T21:57:00Z',
  ]],
  ['language', (r, v) => (r.language = v), 'language', [
    'nl', 'en', 'en-GB', 'zh-Hant-TW', 'sgn-BE-FR', 'de-CH-1901', 'nl-aaaaaaaa-bbbbbbbb-cccccccc-ddddd',
  ], [
    'Dutch', 'NL', 'e', 'engl', 'nl-', 'nl_NL', 'nl--x', 'en-abcdefghi', 'nl-aaaaaaaa-bbbbbbbb-cccccccc-dddddd', '',
  ]],
  ['idempotency_key', (r, v) => (r.idempotency_key = v), 'idempotency_key', [
    '0123456789abcdef', 'A_-z'.repeat(16), KEY,
  ], [
    '0123456789abcde', `${'A_-z'.repeat(16)}x`, '0123456789 abcdef', '0123456789+abcdef', 'é'.repeat(16),
  ]],
];

// Reports at the edges of the limits, and with optional fields left out: all valid.
const EDGES = [
  ['an explanation of 5000 characters (emoji: 20000 bytes)', (r) => (r.explanation = '😀'.repeat(5000))],
  ['a name of 200 characters (emoji)', (r) => (r.contact.name = '😀'.repeat(200))],
  ['1000 URLs', (r) => (r.urls = Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}`))],
  ['quality 0', (r) => (r.items[0].pdq.quality = 0)],
  ['an item without PDQ', (r) => delete r.items[0].pdq],
  ['an item without SHA-1', (r) => delete r.items[0].sha1],
  ['no contact', (r) => delete r.contact],
  ['no explanation', (r) => delete r.explanation],
  ['a contact with a name only', (r) => (r.contact = { name: 'Sam' })],
  ['URLs only, no items', (r) => (r.items = [])],
  ['a minor, anonymous, items only', (r) => { r.urls = []; delete r.contact; r.situation = 'minor'; }],
  ['every situation: threatened', (r) => (r.situation = 'threatened')],
  ['every situation: other', (r) => (r.situation = 'other')],
  ['every kind: video', (r) => { r.items[0].kind = 'video'; delete r.items[0].pdq; }],
  ['every kind: other', (r) => { r.items[0].kind = 'other'; delete r.items[0].pdq; }],
];

const json = (report) => JSON.stringify(report);

/** Every case, in the file's order. */
export function cases() {
  const out = [];
  // The valid report, and the same written loosely: the canonical form is compact, in order.
  out.push({ name: 'the valid report', report: valid(), valid: true, canonical: VALID_CANONICAL });
  const { contact, good_faith, items, ...rest } = valid();
  out.push({
    name: 'the valid report, pretty-printed with its keys shuffled',
    report: JSON.stringify({ good_faith, contact, ...rest, items }, null, 2),
    valid: true,
    canonical: VALID_CANONICAL,
  });
  for (const [name, change, field, problem, message] of BROKEN) {
    out.push({
      name: `refused: ${name}`,
      report: changed(change),
      valid: false,
      field,
      problem,
      ...(message && { core_message_contains: message }),
    });
  }
  for (const [what, place, field, ok, bad] of PLACES) {
    for (const value of ok) {
      out.push({ name: `${what} accepted: ${json(value).slice(0, 80)}`, report: changed((r) => place(r, value)), valid: true });
    }
    for (const value of bad) {
      out.push({ name: `${what} refused: ${json(value).slice(0, 80)}`, report: changed((r) => place(r, value)), valid: false, field });
    }
  }
  for (const [name, change] of EDGES) out.push({ name: `accepted: ${name}`, report: changed(change), valid: true });

  // What JSON Schema cannot say (the schema's description lists these): the schema accepts
  // what the core refuses, or refuses what it accepts.
  out.push({
    name: 'cannot tell: 1000 long URLs, each valid, over 64 KiB in all',
    report: changed((r) => (r.urls = Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}/${'p'.repeat(60)}`))),
    valid: false,
    field: '',
    problem: 'too-long',
    schema_cannot_tell: true,
  });
  out.push({
    name: 'cannot tell: an email of 153 characters but 302 bytes (maxLength counts characters)',
    report: changed((r) => (r.contact.email = `a@${'é'.repeat(149)}.or`)),
    valid: false,
    field: 'contact.email',
    problem: 'too-long',
    schema_cannot_tell: true,
  });
  out.push({
    name: 'cannot tell: a key given twice (JSON.parse keeps the last)',
    report: json(valid()).replace('"good_faith":true', '"good_faith":false,"good_faith":true'),
    valid: false,
    field: '',
    problem: 'malformed',
    core_message_contains: 'duplicate field `good_faith`',
    schema_cannot_tell: true,
  });
  for (const quality of ['100.0', '1e2']) {
    out.push({
      name: `cannot tell: quality written ${quality}`,
      report: json(valid()).replace('"quality":100', `"quality":${quality}`),
      valid: false,
      field: '',
      problem: 'malformed',
      core_message_contains: 'invalid type: floating point `100.0`',
      schema_cannot_tell: true,
    });
  }
  for (const [name, change] of [
    ['explanation', (r) => (r.explanation = null)],
    ['contact', (r) => (r.contact = null)],
    ['sha1', (r) => (r.items[0].sha1 = null)],
    ['pdq', (r) => (r.items[0].pdq = null)],
    ['contact.name', (r) => (r.contact.name = null)],
  ]) {
    out.push({ name: `cannot tell: ${name} null, read as absent by the core`, report: changed(change), valid: true, schema_cannot_tell: true });
  }

  // Not a report at all.
  for (const [name, text] of [
    ['not JSON', 'not json'],
    ['empty', ''],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"report"'],
    ['cut short', json(valid()).slice(0, -1)],
    ['text after the report', `${json(valid())} x`],
  ]) {
    out.push({ name: `not a report: ${name}`, report: text, valid: false, field: '', problem: 'malformed' });
  }
  return out;
}

/** The file's text: a JSON array, one case a line. */
export function casesText() {
  return `[\n${cases().map((c) => JSON.stringify(c)).join(',\n')}\n]\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CASES_FILE, casesText());
}
