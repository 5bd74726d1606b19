// Writes report-v1-cases.json: the reports that the JSON Schema (report-v1.schema.json) and the
// core (Report::from_json in crate/src/report/json.rs) must both accept or both refuse, and the few
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
// Digests are the well-known ones of '' and 'abc'; vPDQ hashes are encoded with Node's Buffer
// (base64 of the hashes' bytes as their hex spells them), never with the core.
import { Buffer } from 'node:buffer';
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
/** The same vector's hash turned a quarter turn (its `rot90`): a stored-pixel PDQ beside `PDQ`. */
export const PDQ_STORED = '30a10efd71c83f429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af';

/** Most vPDQ hashes in a report (three hours at one a second), and the size limits. */
export const MAX_HASHES = 10800;
export const MAX_BYTES_BESIDES_HASHES = 65536;
export const MAX_BYTES = 65536 + 4 * Math.ceil((MAX_HASHES * 32) / 3);

/** `vpdq.hashes` of hashes given in hex: Node's base64 of their bytes, one after another. */
export const vpdqHashes = (hexes) => Buffer.from(hexes.join(''), 'hex').toString('base64');
/** `n` distinct hashes in hex, from `from` on: the index in the first 4 bytes. */
export const distinctHashes = (n, from = 0) =>
  Array.from({ length: n }, (_, i) => (from + i).toString(16).padStart(8, '0') + '5a'.repeat(28));
/** A video item with the vPDQ of `hexes`. */
export const videoItem = (hexes) => ({
  kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY, vpdq: { seconds_per_hash: 1, hashes: vpdqHashes(hexes) },
});
/** The bytes of `report` as JSON besides its vpdq.hashes strings, which the 64 KiB limit counts. */
export function bytesBesidesHashes(text) {
  const report = JSON.parse(text);
  const hashes = (Array.isArray(report?.items) ? report.items : [])
    .map((i) => (typeof i?.vpdq?.hashes === 'string' ? Buffer.byteLength(i.vpdq.hashes) : 0))
    .reduce((a, b) => a + b, 0);
  return Buffer.byteLength(text) - hashes;
}

/** An account without a link, as the example names it. */
const ACCOUNT = { platform: 'Snapchat', name: 'sanne_fake' };

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

/** The valid report with one video of one hash, and its canonical form, written out by hand. */
const validVideo = () => ({ ...valid(), items: [videoItem([PDQ])] });
const VIDEO_CANONICAL =
  '{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50",' +
  '"created_at":"2026-11-27T21:57:00Z","language":"nl","situation":"shared",' +
  '"items":[{"kind":"video","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' +
  '"md5":"d41d8cd98f00b204e9800998ecf8427e",' +
  '"vpdq":{"seconds_per_hash":1,"hashes":"+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyI="}}],' +
  '"urls":["https://a.example/x"],"explanation":"What happened.",' +
  '"contact":{"name":"Sam","email":"sam@example.org"},"good_faith":true}';

/**
 * `report` with URLs added until its JSON, besides the vpdq.hashes text, is `bytes` long: each
 * URL adds its length and 3 bytes (two quotes and a comma).
 */
function paddedTo(report, bytes) {
  let gap = bytes - bytesBesidesHashes(JSON.stringify(report));
  while (gap > 0) {
    const len = gap > 2033 ? 2000 : gap - 3;
    const start = `https://a.example/${report.urls.length}/`;
    report.urls.push(start + 'p'.repeat(len - start.length));
    gap -= len + 3;
  }
  if (bytesBesidesHashes(JSON.stringify(report)) !== bytes) throw new Error(`could not pad to ${bytes}`);
  return report;
}

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
  // Issue 19: the stored pixels' PDQ, only beside the displayed picture's, by the same rules.
  ['pdq_stored without pdq', (r) => { r.items[0].pdq_stored = r.items[0].pdq; delete r.items[0].pdq; }, 'items[0].pdq', 'missing', 'items[0].pdq: missing'],
  ['a pdq_stored hash too short', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED.slice(1), quality: 90 }), 'items[0].pdq_stored.hash', 'not-hex'],
  ['a pdq_stored hash in upper case', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED.toUpperCase(), quality: 90 }), 'items[0].pdq_stored.hash', 'not-hex'],
  ['pdq_stored quality 101', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED, quality: 101 }), 'items[0].pdq_stored.quality', 'quality-over-100'],
  ['pdq_stored quality -1', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED, quality: -1 }), '', 'malformed', 'invalid value: integer `-1`'],
  ['a pdq_stored without quality', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED }), '', 'malformed', 'missing field `quality`'],
  ['a pdq_stored with a width', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED, quality: 90, width: 100 }), '', 'malformed', 'unknown field `width`'],
  ['a pdq_stored as a string', (r) => (r.items[0].pdq_stored = PDQ_STORED), '', 'malformed', 'invalid type: string'],
  ['an orientation in an item', (r) => (r.items[0].orientation = 6), '', 'malformed', 'unknown field `orientation`'],
  ['an item without MD5', (r) => delete r.items[0].md5, '', 'malformed', 'missing field `md5`'],
  ['an ftp URL', (r) => (r.urls = ['ftp://a.example/x']), 'urls[0]', 'not-http-url'],
  ['a URL with a fragment', (r) => (r.urls = ['https://a.example/x#top']), 'urls[0]', 'not-normalised'],
  ['a URL with an upper-case host', (r) => (r.urls = ['https://A.example/x']), 'urls[0]', 'not-normalised'],
  ['a URL with a space', (r) => (r.urls = ['https://a.example/a b']), 'urls[0]', 'not-normalised'],
  ['a URL with non-ASCII', (r) => (r.urls = ['https://a.example/é']), 'urls[0]', 'not-normalised'],
  // Issue 16: what a loose check let through. The WHATWG parser (the `url` crate, as the browser)
  // is the judge: what it cannot read, what it writes otherwise, and what it reads as user info
  // or as a local or private address.
  ['a URL with quotes and a script', (r) => (r.urls = ['https://x.com/"><script>alert(1)</script>']), 'urls[0]', 'not-normalised'],
  ['a URL with an unclosed IPv6 bracket', (r) => (r.urls = ['https://[/']), 'urls[0]', 'not-http-url'],
  ['a URL with port 99999999', (r) => (r.urls = ['https://a.example:99999999/']), 'urls[0]', 'not-http-url'],
  ['a URL with port 65536', (r) => (r.urls = ['https://a.example:65536/']), 'urls[0]', 'not-http-url'],
  ['a URL with a backslash before an @', (r) => (r.urls = ['https://evil.example\\@good.example/']), 'urls[0]', 'not-normalised'],
  ['a URL with %zz', (r) => (r.urls = ['https://a.example/%zz']), 'urls[0]', 'not-normalised'],
  ['a URL with a user and password', (r) => (r.urls = ['https://user:pass@a.example/']), 'urls[0]', 'has-credentials', 'urls[0]: has a user name or password in it'],
  ['a URL with a user name only', (r) => (r.urls = ['https://user@a.example/']), 'urls[0]', 'has-credentials'],
  ['a URL at the cloud metadata address', (r) => (r.urls = ['http://169.254.169.254/latest/meta-data/']), 'urls[0]', 'private-address', 'urls[0]: points at this device or a private network'],
  ['a URL in a home network', (r) => (r.urls = ['http://192.168.1.1/x']), 'urls[0]', 'private-address'],
  ['a URL at localhost', (r) => (r.urls = ['http://localhost/x']), 'urls[0]', 'private-address'],
  ['a URL at a name under localhost', (r) => (r.urls = ['http://a.localhost/']), 'urls[0]', 'private-address'],
  ['a URL at the IPv6 loopback', (r) => (r.urls = ['http://[::1]/']), 'urls[0]', 'private-address'],
  ['a URL with its default port written out', (r) => (r.urls = ['https://a.example:443/x']), 'urls[0]', 'not-normalised'],
  ['an email <script>@x.com', (r) => (r.contact.email = '<script>@x.com'), 'contact.email', 'not-email'],
  ['an email with a display name', (r) => (r.contact.email = 'Eve<eve@x.com>'), 'contact.email', 'not-email'],
  ['created_at on 31 February', (r) => (r.created_at = '2026-02-31T00:00:00Z'), 'created_at', 'not-utc-timestamp'],
  ['a URL over 2048 bytes', (r) => (r.urls = [`https://a.example/${'p'.repeat(2031)}`]), 'urls[0]', 'too-long'],
  ['a duplicate URL', (r) => (r.urls = ['https://a.example/x', 'https://b.example/', 'https://a.example/x']), 'urls[2]', 'duplicate'],
  ['contact details in a report about a minor', (r) => (r.situation = 'minor'), 'contact', 'contact-for-minor'],
  // Issue 18: the age is its own answer; under 18 is anonymous whatever happened.
  ['contact details with under_18 true', (r) => { r.situation = 'threatened'; r.under_18 = true; }, 'contact', 'contact-for-minor'],
  ['contact details with under_18 false but the situation minor', (r) => { r.situation = 'minor'; r.under_18 = false; }, 'contact', 'contact-for-minor'],
  ['under_18 "yes"', (r) => (r.under_18 = 'yes'), '', 'malformed', 'invalid type: string "yes"'],
  ['an empty contact', (r) => (r.contact = {}), 'contact', 'missing'],
  ['an email that is not one', (r) => (r.contact.email = 'sam at example.org'), 'contact.email', 'not-email'],
  ['a name over 200 characters', (r) => (r.contact.name = '😀'.repeat(201)), 'contact.name', 'too-long'],
  ['an explanation over 5000 characters', (r) => (r.explanation = '😀'.repeat(5001)), 'explanation', 'too-long'],
  ['good_faith false', (r) => (r.good_faith = false), 'good_faith', 'good-faith-required'],
  ['good_faith missing', (r) => delete r.good_faith, '', 'malformed', 'missing field `good_faith`'],
  ['good_faith "yes"', (r) => (r.good_faith = 'yes'), '', 'malformed', 'invalid type: string "yes"'],
  // Issue 20: the consent to share the fingerprints with platforms is true or false, nothing else.
  ['share_with_platforms "yes"', (r) => (r.share_with_platforms = 'yes'), '', 'malformed', 'invalid type: string "yes"'],
  ['share_with_platforms 1', (r) => (r.share_with_platforms = 1), '', 'malformed', 'invalid type: integer `1`'],
  ['share_with_platforms null', (r) => (r.share_with_platforms = null), '', 'malformed', 'invalid type: null'],
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
  // vPDQ: on a video only, seconds_per_hash 1, and canonical base64 of whole 32-byte hashes.
  ['vpdq on an image', (r) => (r.items[0].vpdq = videoItem([PDQ]).vpdq), 'items[0].vpdq', 'not-a-video', 'only an item of kind video has vpdq'],
  ['vpdq on an item of kind other', (r) => (r.items = [{ ...videoItem([PDQ]), kind: 'other' }]), 'items[0].vpdq', 'not-a-video'],
  ['vpdq on the second item, an image', (r) => (r.items = [videoItem([PDQ]), { ...r.items[0], vpdq: videoItem([PDQ]).vpdq }]), 'items[1].vpdq', 'not-a-video'],
  ['seconds_per_hash 2', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.seconds_per_hash = 2), 'items[0].vpdq.seconds_per_hash', 'not-one-of', 'items[0].vpdq.seconds_per_hash: must be 1'],
  ['seconds_per_hash 0', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.seconds_per_hash = 0), 'items[0].vpdq.seconds_per_hash', 'not-one-of'],
  ['seconds_per_hash 1.5', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.seconds_per_hash = 1.5), '', 'malformed', 'invalid type: floating point `1.5`'],
  ['seconds_per_hash -1', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.seconds_per_hash = -1), '', 'malformed', 'invalid value: integer `-1`'],
  ['seconds_per_hash "1"', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.seconds_per_hash = '1'), '', 'malformed', 'invalid type: string "1"'],
  ['vpdq without seconds_per_hash', (r) => (r.items = [videoItem([PDQ])], delete r.items[0].vpdq.seconds_per_hash), '', 'malformed', 'missing field `seconds_per_hash`'],
  ['vpdq without hashes', (r) => (r.items = [videoItem([PDQ])], delete r.items[0].vpdq.hashes), '', 'malformed', 'missing field `hashes`'],
  ['vpdq with frame numbers', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.frames = [0]), '', 'malformed', 'unknown field `frames`'],
  ['vpdq hashes as a list', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes = [PDQ]), '', 'malformed', 'invalid type: sequence'],
  ['vpdq empty', (r) => (r.items = [{ ...videoItem([PDQ]), vpdq: {} }]), '', 'malformed', 'missing field `seconds_per_hash`'],
  ['no hashes', (r) => (r.items = [videoItem([])]), 'items[0].vpdq.hashes', 'missing', 'items[0].vpdq.hashes: missing'],
  ['hashes without their padding', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes = vpdqHashes([PDQ]).replace(/=+$/, '')), 'items[0].vpdq.hashes', 'not-base64', 'items[0].vpdq.hashes: not canonical base64'],
  ['hashes with too much padding', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes += '='), 'items[0].vpdq.hashes', 'not-base64'],
  ['hashes in base64url', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes = vpdqHashes([PDQ]).replaceAll('+', '-').replaceAll('/', '_')), 'items[0].vpdq.hashes', 'not-base64'],
  ['hashes with a line break', (r) => (r.items = [videoItem([PDQ, PDQ.replace('f8', '00')])], r.items[0].vpdq.hashes = `${r.items[0].vpdq.hashes.slice(0, 76)}\n${r.items[0].vpdq.hashes.slice(76)}`), 'items[0].vpdq.hashes', 'not-base64'],
  ['hashes with a space', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes = ` ${vpdqHashes([PDQ]).slice(1)}`), 'items[0].vpdq.hashes', 'not-base64'],
  // The last character before '=' keeps 2 bits of no byte: 'I' (8) is canonical, 'J' (9) is not.
  ['hashes with bits set under the padding', (r) => (r.items = [videoItem([PDQ])], r.items[0].vpdq.hashes = vpdqHashes([PDQ]).replace(/yI=$/, 'yJ=')), 'items[0].vpdq.hashes', 'not-base64'],
  ['hashes of 31 bytes', (r) => (r.items = [videoItem([PDQ.slice(2)])]), 'items[0].vpdq.hashes', 'not-whole-hashes', 'items[0].vpdq.hashes: not a whole number of 32-byte hashes'],
  ['hashes of 33 bytes', (r) => (r.items = [videoItem([`${PDQ}00`])]), 'items[0].vpdq.hashes', 'not-whole-hashes'],
  ['hashes of 3 bytes', (r) => (r.items = [videoItem(['666f6f'])]), 'items[0].vpdq.hashes', 'not-whole-hashes'],
  ['10801 hashes in one video', (r) => (r.items = [videoItem(distinctHashes(10801))]), 'items[0].vpdq.hashes', 'too-many', 'items[0].vpdq.hashes: more than 10800 hashes'],
  // Accounts without a link: both texts given, short, one line of plain text; at most 100.
  ['an account without a name', (r) => (r.accounts = [{ platform: 'Snapchat' }]), '', 'malformed', 'missing field `name`'],
  ['an account with a URL in it', (r) => (r.accounts = [{ ...ACCOUNT, url: 'https://a.example/' }]), '', 'malformed', 'unknown field `url`'],
  ['accounts as one string', (r) => (r.accounts = 'snapchat: sanne_fake'), '', 'malformed', 'invalid type: string'],
  ['an account name as a number', (r) => (r.accounts = [{ ...ACCOUNT, name: 12 }]), '', 'malformed', 'invalid type: integer'],
  ['an empty platform', (r) => (r.accounts = [{ ...ACCOUNT, platform: '' }]), 'accounts[0].platform', 'missing', 'accounts[0].platform: missing'],
  ['an empty account name, second account', (r) => (r.accounts = [ACCOUNT, { ...ACCOUNT, name: '' }]), 'accounts[1].name', 'missing'],
  ['a platform of 51 characters', (r) => (r.accounts = [{ ...ACCOUNT, platform: 'p'.repeat(51) }]), 'accounts[0].platform', 'too-long', 'accounts[0].platform: longer than 50 characters'],
  ['an account name of 101 characters (emoji)', (r) => (r.accounts = [{ ...ACCOUNT, name: '😀'.repeat(101) }]), 'accounts[0].name', 'too-long', 'accounts[0].name: longer than 100 characters'],
  ['an account name with a line break', (r) => (r.accounts = [{ ...ACCOUNT, name: 'sanne\nfake' }]), 'accounts[0].name', 'not-plain-text', 'accounts[0].name: not one line of plain text'],
  ['an account name turned around (U+202E)', (r) => (r.accounts = [{ ...ACCOUNT, name: '\u202eekaf_ennas' }]), 'accounts[0].name', 'not-plain-text'],
  ['a platform with a space at the end', (r) => (r.accounts = [{ ...ACCOUNT, platform: 'Snapchat ' }]), 'accounts[0].platform', 'not-plain-text'],
  ['101 accounts', (r) => (r.accounts = Array.from({ length: 101 }, (_, i) => ({ platform: 'Snapchat', name: `a${i}` }))), 'accounts', 'too-many', 'accounts: more than 100'],
  ['neither items, URLs nor accounts', (r) => { r.items = []; r.urls = []; r.accounts = []; }, 'items', 'empty', 'items: a report needs at least one file, URL or account'],
];

// Values put at one place in a valid report: [name, place, field, values accepted, values refused].
const PLACES = [
  ['URL', (r, v) => (r.urls = [v]), 'urls[0]', [
    'https://a.example/x', 'http://b.example/', 'https://a.example/a?b=1', 'https://a.example:8080/p',
    'http://a.example:443/', 'https://a.example:0/', 'https://[2001:db8::1]/', 'https://[2001:db8::1]:8443/x',
    'https://xn--mnchen-3ya.example/', 'https://a.example/%C3%A9', 'https://a.example/%7e', 'https://a.example/A/B?C=D',
    'https://a.example/!$&\'()*+,;=:@~', 'https://a.example/x?', 'https://a.example/?q=%22%3C%3E%27',
    'https://8.8.8.8/', 'https://172.32.0.1/', 'https://100.128.0.1/', 'https://169.255.0.1/', 'https://10.example/',
    'https://localhost.example/', 'https://[2001:db8::ffff:7f00:1]/',
    `https://a.example/${'p'.repeat(2030)}`,
  ], [
    'ftp://a.example/x', 'javascript:alert(1)', 'https:///x', 'https://A.example/x', 'https://a.example/x#frag',
    'https://a.example/x#', 'https://a.example/a b', 'https://a.example/é', 'https://a.example', 'https://a.example?x',
    'https://a.example?x=/y', 'HTTPS://a.example/', 'https://:80/', 'https://user@/x', 'https://a.example/\t', '',
    'https://', '//a.example/x', ' https://a.example/x', 'https://a.example/x ', 'https://a.Example/x',
    'https://u:P@a.example/', 'https://@a.example/', 'https://a@b@c.example/', 'https://a.example/{x}',
    'https://a.example/`', 'https://a.example/a\\b', "https://a.example/?q='", 'https://a.example/%', 'https://a.example/%4',
    'http://a.example:80/', 'https://a.example:08080/', 'http://10.0.0.1/', 'http://10.1.2.3:8080/', 'http://127.0.0.1/',
    'http://0.0.0.0/', 'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.0.1/', 'http://100.64.0.1/',
    'http://100.127.255.255/', 'http://localhost:3000/', 'http://localhost./', 'http://[::]/', 'http://[fd00::1]/',
    'http://[fc00::1]/', 'http://[fe80::1]/', 'http://[fec0::1]/',
    `https://a.example/${'p'.repeat(2031)}`,
  ]],
  ['email', (r, v) => (r.contact.email = v), 'contact.email', [
    'sam@example.org', 'a@b.c', 'sam+tag@sub.example.org', 'ünï@exämple.org', 'o\'neil@example.org',
    'a.b.c@example.org', "!#$%&'*+-/=?^_`{|}~@example.org", 'sam@xn--exmple-cua.org', 'sam@a-b.example',
    'sam@example.c0m', `a@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(56)}.org`,
  ], [
    'not an email', 'sam@example', 'sam@.example.org', 'sam@example.org.', '@example.org', 'sam@@example.org',
    'sam@a@b.org', 'sam@exa mple.org', 'sam\u00a0@example.org', 'sam@example.org\n', 'sam\u2028@example.org',
    'sam\u0085@example.org', 'sam\u3000@example.org', 'sam\u007f@example.org', 'sam\u0000@example.org', '',
    `aa@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(56)}.org`,
    'a@b..c', '"q"@example.org', '"a b"@example.org', 'sam\u200b@example.org', 'sam\ufeff@example.org',
    'sam\u202e@example.org', 'sam\u00ad@example.org', '.sam@example.org', 'sam.@example.org', 'sa..m@example.org',
    'sam@[192.0.2.1]', 'sam@192.0.2.1', 'sam@-example.org', 'sam@example-.org', 'sam@exa_mple.org',
    `sam@${'d'.repeat(64)}.org`, 'Sam <sam@example.org>', '<sam@example.org>', 'sam(x)@example.org',
    'sam,tom@example.org', 'sam;@example.org', 'sam:@example.org', 'sam\\@example.org', 'sam[1]@example.org',
  ]],
  ['created_at', (r, v) => (r.created_at = v), 'created_at', [
    '2026-11-27T21:57:00Z', '2026-11-27T21:57:00.123Z', '2026-12-31T23:59:60Z', '2026-06-30T23:59:60.5Z',
    '2026-11-27T21:57:00.123456789Z', '0000-01-01T00:00:00Z', '2024-02-29T12:00:00Z', '2000-02-29T00:00:00Z',
    '0000-02-29T00:00:00Z', '2026-01-31T00:00:00Z', '2026-04-30T00:00:00Z', '2026-12-31T23:59:59.999Z',
  ], [
    '2026-02-31T00:00:00Z', '2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z',
    '2026-06-31T00:00:00Z', '2026-09-31T00:00:00Z', '2026-11-31T00:00:00Z', '2026-01-32T00:00:00Z',
    '2026-11-27T21:57:60Z', '2026-11-27T23:58:60Z', '2026-11-27T22:59:60Z',
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
  ['account platform', (r, v) => (r.accounts = [{ ...ACCOUNT, platform: v }]), 'accounts[0].platform', [
    'Snapchat', 'X', 'a forum', 'Telegram-groep', 'p'.repeat(50), '😀'.repeat(50), 'Ünïcödé', 'a\u00a0b',
  ], [
    '', ' Snapchat', 'Snapchat ', '\u00a0Snapchat', 'Snapchat\u3000', '\tSnapchat', 'Snap\nchat', 'Snap\rchat',
    'Snap\u0000chat', 'Snap\u007fchat', 'Snap\u0085chat', 'Snap\u009fchat', 'Snap\u00adchat', 'Snap\u200bchat',
    'Snap\u200fchat', 'Snap\u2028chat', 'Snap\u2029chat', 'Snap\u202achat', 'Snap\u2060chat', 'Snap\u2066chat',
    'Snap\ufeffchat', 'p'.repeat(51), '😀'.repeat(51),
  ]],
  ['account name', (r, v) => (r.accounts = [{ ...ACCOUNT, name: v }]), 'accounts[0].name', [
    'sanne_fake', '@sanne_fake', 'Sanne de Vries', 'sanne.fake.2009', 'x'.repeat(100), '😀'.repeat(100), 'ファン',
  ], [
    '', ' sanne_fake', 'sanne_fake\n', 'sanne\u200dfake', 'sanne\u202efake', 'x'.repeat(101),
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
  ['pdq_stored beside pdq', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED, quality: 100 })],
  ['pdq_stored of quality 0', (r) => (r.items[0].pdq_stored = { hash: PDQ_STORED, quality: 0 })],
  ['pdq_stored equal to pdq', (r) => (r.items[0].pdq_stored = { ...r.items[0].pdq })],
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
  ['a video with two hashes (padded with ==)', (r) => (r.items = [videoItem([PDQ, distinctHashes(1)[0]])])],
  ['a video with three hashes (no padding)', (r) => (r.items = [videoItem([PDQ, ...distinctHashes(2)])])],
  ['a video with four hashes (padded with =)', (r) => (r.items = [videoItem([PDQ, ...distinctHashes(3)])])],
  ['a video with vpdq and SHA-1', (r) => (r.items = [{ ...videoItem([PDQ]), sha1: SHA1_ABC }])],
  ['a video with vpdq beside an image and a video without', (r) => r.items.push(videoItem(distinctHashes(5)), { kind: 'video', sha256: SHA256_EMPTY, md5: MD5_EMPTY })],
  ['the same hash in two videos', (r) => (r.items = [videoItem([PDQ]), videoItem([PDQ])])],
  ['a minor, anonymous, a video with vpdq', (r) => { r.items = [videoItem([PDQ])]; delete r.contact; r.situation = 'minor'; }],
  // A threat often has no file or link yet, only the account that threatens: a report of its own.
  ['an account only, a threat', (r) => { r.items = []; r.urls = []; r.situation = 'threatened'; r.accounts = [ACCOUNT]; }],
  ['an account only, a minor, anonymous', (r) => { r.items = []; r.urls = []; delete r.contact; r.situation = 'minor'; r.accounts = [ACCOUNT]; }],
  // Issue 18: what happened, and the age apart.
  ['under 18, threatened, anonymous, an account', (r) => { r.urls = []; delete r.contact; r.situation = 'threatened'; r.under_18 = true; r.accounts = [ACCOUNT]; }],
  ['under_18 false, with contact details', (r) => (r.under_18 = false)],
  ['a minor, anonymous, under_18 true', (r) => { delete r.contact; r.situation = 'minor'; r.under_18 = true; }],
  ['an empty list of accounts beside an item', (r) => (r.accounts = [])],
  ['100 accounts', (r) => (r.accounts = Array.from({ length: 100 }, (_, i) => ({ platform: 'Snapchat', name: `a${i}` })))],
];

const json = (report) => JSON.stringify(report);
/** A value's JSON cut to 80 characters for a case's name, never inside a character. */
const short = (value) => [...json(value)].slice(0, 80).join('');

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
      out.push({ name: `${what} accepted: ${short(value)}`, report: changed((r) => place(r, value)), valid: true });
    }
    for (const value of bad) {
      out.push({ name: `${what} refused: ${short(value)}`, report: changed((r) => place(r, value)), valid: false, field });
    }
  }
  for (const [name, change] of EDGES) out.push({ name: `accepted: ${name}`, report: changed(change), valid: true });

  // Accounts: after the URLs, each platform then name; an empty list is left out.
  out.push({
    name: 'a report with accounts, its keys in another order',
    report: { ...valid(), accounts: [{ name: 'sanne_fake', platform: 'Snapchat' }, { name: '@x', platform: 'X' }] },
    valid: true,
    canonical: VALID_CANONICAL.replace(
      '"explanation"',
      '"accounts":[{"platform":"Snapchat","name":"sanne_fake"},{"platform":"X","name":"@x"}],"explanation"',
    ),
  });

  // Issue 20: the consent to share the fingerprints. Absent (a report made before the question)
  // and false both mean not shared, and the canonical form leaves it out: the same bytes as
  // before. true is written last, after good_faith.
  out.push({
    name: 'share_with_platforms absent: not shared, the canonical form unchanged',
    report: valid(),
    valid: true,
    canonical: VALID_CANONICAL,
  });
  out.push({
    name: 'share_with_platforms false: not shared, left out of the canonical form',
    report: { ...valid(), share_with_platforms: false },
    valid: true,
    canonical: VALID_CANONICAL,
  });
  out.push({
    name: 'share_with_platforms true, given first: written last',
    report: { share_with_platforms: true, ...valid() },
    valid: true,
    canonical: VALID_CANONICAL.replace(/}$/, ',"share_with_platforms":true}'),
  });
  out.push({
    name: 'share_with_platforms true in a report about a minor',
    report: changed((r) => { delete r.contact; r.under_18 = true; r.share_with_platforms = true; }),
    valid: true,
  });

  // The stored pixels' PDQ right after the displayed picture's.
  out.push({
    name: 'an image with pdq_stored, its keys in another order',
    report: { ...valid(), items: [{ pdq_stored: { quality: 97, hash: PDQ_STORED }, ...valid().items[0] }] },
    valid: true,
    canonical: VALID_CANONICAL.replace(
      '"quality":100}}]',
      `"quality":100},"pdq_stored":{"hash":"${PDQ_STORED}","quality":97}}]`,
    ),
  });

  // A video's vPDQ, and the largest report there is: three hours of hashes, and exactly 64 KiB
  // besides them (526336 bytes in all).
  out.push({ name: 'a video with vPDQ', report: validVideo(), valid: true, canonical: VIDEO_CANONICAL });
  {
    const { vpdq, ...video } = validVideo().items[0];
    const { hashes, ...rate } = vpdq;
    out.push({
      name: 'a video with vPDQ, its keys in another order',
      report: { ...validVideo(), items: [{ vpdq: { hashes, ...rate }, ...video }] },
      valid: true,
      canonical: VIDEO_CANONICAL,
    });
  }
  const largest = paddedTo({ ...valid(), items: [videoItem(distinctHashes(MAX_HASHES))] }, MAX_BYTES_BESIDES_HASHES);
  if (Buffer.byteLength(JSON.stringify(largest)) !== MAX_BYTES) throw new Error('the largest report is not MAX_BYTES');
  out.push({ name: `accepted: ${MAX_HASHES} hashes and 64 KiB besides them, ${MAX_BYTES} bytes in all`, report: largest, valid: true });

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
    name: 'cannot tell: an email of 156 characters but 305 bytes (maxLength counts characters)',
    report: changed((r) => (r.contact.email = `a@${'é'.repeat(50)}.${'é'.repeat(50)}.${'é'.repeat(49)}.or`)),
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
  out.push({
    name: 'cannot tell: the same hash twice in a video',
    report: changed((r) => (r.items = [videoItem([PDQ, ...distinctHashes(2), PDQ])])),
    valid: false,
    field: 'items[0].vpdq.hashes',
    problem: 'duplicate-hash',
    core_message_contains: 'items[0].vpdq.hashes: hash 3 is the same as hash 0',
    schema_cannot_tell: true,
  });
  out.push({
    name: 'cannot tell: 10801 hashes in two videos (5400 and 5401), each under the limit',
    report: changed((r) => (r.items = [videoItem(distinctHashes(5400)), r.items[0], videoItem(distinctHashes(5401, 5400))])),
    valid: false,
    field: 'items[2].vpdq.hashes',
    problem: 'too-many',
    core_message_contains: 'items[2].vpdq.hashes: more than 10800 hashes in the report',
    schema_cannot_tell: true,
  });
  out.push({
    name: 'cannot tell: 65537 bytes besides the hashes (one hash), far under 526336 in all',
    report: paddedTo(validVideo(), MAX_BYTES_BESIDES_HASHES + 1),
    valid: false,
    field: '',
    problem: 'too-long',
    core_message_contains: 'longer than 65536 bytes of JSON besides vpdq hashes',
    schema_cannot_tell: true,
  });
  out.push({
    name: 'cannot tell: seconds_per_hash written 1.0',
    report: json(validVideo()).replace('"seconds_per_hash":1', '"seconds_per_hash":1.0'),
    valid: false,
    field: '',
    problem: 'malformed',
    core_message_contains: 'invalid type: floating point `1.0`',
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
  // What the parser reads differently from how it looks, and the calendar: no pattern says it.
  for (const [name, change, field, problem] of [
    ['a URL at 127.0.0.1 written 0x7f.1', (r) => (r.urls = ['http://0x7f.1/']), 'urls[0]', 'private-address'],
    ['a URL at 10.0.0.1 written as one number', (r) => (r.urls = ['http://167772161/']), 'urls[0]', 'private-address'],
    ['a URL at 127.0.0.1 written as IPv6 (::ffff:7f00:1)', (r) => (r.urls = ['http://[::ffff:7f00:1]/']), 'urls[0]', 'private-address'],
    ['a URL at 192.168.0.1 through NAT64 (64:ff9b::c0a8:1)', (r) => (r.urls = ['http://[64:ff9b::c0a8:1]/']), 'urls[0]', 'private-address'],
    ['a URL with a dot segment', (r) => (r.urls = ['https://a.example/a/../x']), 'urls[0]', 'not-normalised'],
    ['a URL with an escaped dot segment', (r) => (r.urls = ['https://a.example/%2e/x']), 'urls[0]', 'not-normalised'],
    ['a URL whose host ends in a number (read as IPv4 1.2.0.3)', (r) => (r.urls = ['https://1.2.3/']), 'urls[0]', 'not-normalised'],
    ['created_at on 29 February 2026, not a leap year', (r) => (r.created_at = '2026-02-29T00:00:00Z'), 'created_at', 'not-utc-timestamp'],
    ['created_at on 29 February 1900, not a leap year', (r) => (r.created_at = '1900-02-29T00:00:00Z'), 'created_at', 'not-utc-timestamp'],
  ]) {
    out.push({ name: `cannot tell: ${name}`, report: changed(change), valid: false, field, problem, schema_cannot_tell: true });
  }
  for (const [name, change] of [
    ['explanation', (r) => (r.explanation = null)],
    ['contact', (r) => (r.contact = null)],
    ['sha1', (r) => (r.items[0].sha1 = null)],
    ['pdq', (r) => (r.items[0].pdq = null)],
    ['vpdq', (r) => (r.items[0].vpdq = null)],
    ['contact.name', (r) => (r.contact.name = null)],
    ['under_18', (r) => (r.under_18 = null)],
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
