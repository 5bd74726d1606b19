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
