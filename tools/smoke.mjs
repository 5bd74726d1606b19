// Start-up smoke test of a built site: the optimised module instantiates and hashes correctly.
// Expected values come from Node's crypto, not from the module.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');
const glue = await import(pathToFileURL(`${dist}/wasm/report_helper.js`));
glue.initSync({ module: await readFile(`${dist}/wasm/report_helper_bg.wasm`) });

const bytes = new TextEncoder().encode('report helper smoke test '.repeat(100));
const digester = new glue.StreamDigester(true, true, true);
digester.update(bytes.subarray(0, 77));
digester.update(bytes.subarray(77));
const got = digester.finish();
for (const alg of ['sha256', 'md5', 'sha1']) {
  const want = createHash(alg).update(bytes).digest('hex');
  if (got[alg] !== want) {
    console.error(`smoke test failed: ${alg} ${got[alg]} != ${want}`);
    process.exit(1);
  }
}
console.log(`smoke test: ${dist}/wasm/report_helper_bg.wasm starts and hashes correctly`);

// The evidence module: starts, writes a PNG (signature and size from the PNG specification), and
// refuses what it must.
const evidence = await import(pathToFileURL(`${dist}/wasm/report_helper_evidence.js`));
evidence.initSync({ module: await readFile(`${dist}/wasm/report_helper_evidence_bg.wasm`) });
const png = evidence.redactToPng(new Uint8Array(4 * 3 * 2).fill(255), 3, 2, new Uint32Array([0, 0, 1, 1]));
const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
if (!signature.every((b, i) => png[i] === b) || view.getUint32(16) !== 3 || view.getUint32(20) !== 2) {
  console.error('smoke test failed: the evidence module wrote no 3x2 PNG');
  process.exit(1);
}
try {
  evidence.redactToPng(new Uint8Array(5), 3, 2, new Uint32Array());
  console.error('smoke test failed: the evidence module took a short buffer');
  process.exit(1);
} catch (e) {
  if (e.name !== 'RedactError') throw e;
}
console.log(`smoke test: ${dist}/wasm/report_helper_evidence_bg.wasm starts and writes a PNG`);

// The video module: starts, knows an MP4 by its ftyp box and refuses bytes that are no video.
const video = await import(pathToFileURL(`${dist}/wasm/report_helper_video.js`));
video.initSync({ module: await readFile(`${dist}/wasm/report_helper_video_bg.wasm`) });
const ftyp = new Uint8Array([0, 0, 0, 16, ...new TextEncoder().encode('ftypisom'), 0, 0, 2, 0]);
const mp4 = video.VideoHasher.open(1 << 20, ftyp); // more to come: it asks for the next box
if (!mp4 || mp4.request() !== 'range' || video.VideoHasher.open(16, new Uint8Array(16)) !== undefined) {
  console.error('smoke test failed: the video module does not tell an MP4 from zeros');
  process.exit(1);
}
mp4.free();
console.log(`smoke test: ${dist}/wasm/report_helper_video_bg.wasm starts and reads a container`);

// The report module: starts, writes a report whose SHA-256 is Node's, and refuses an empty one
// with the core's code.
const report = await import(pathToFileURL(`${dist}/wasm/report_helper_report.js`));
report.initSync({ module: await readFile(`${dist}/wasm/report_helper_report_bg.wasm`) });
const sha256 = createHash('sha256').update(bytes).digest('hex');
const draft = (items) => ({
  idempotency_key: 'smoke-test-key-0001', created_at: '2026-12-03T06:00:00Z', language: 'en',
  situation: 'shared', items, urls: [], good_faith: true,
});
const json = report.reportJson(draft([{ kind: 'other', sha256, md5: got.md5, sha1: got.sha1 }]));
let refused = null;
try {
  report.reportJson(draft([]));
} catch (e) {
  refused = e.problem;
}
if (JSON.parse(json).items?.[0]?.sha256 !== sha256 || refused !== 'empty') {
  console.error(`smoke test failed: the report module wrote ${json} and refused an empty report with ${refused}`);
  process.exit(1);
}
console.log(`smoke test: ${dist}/wasm/report_helper_report_bg.wasm starts and writes a report`);
