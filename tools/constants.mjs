// Writes DIST/constants.js: the values the core enforces that the page needs too (its limits, the
// intake's statuses), read from the built report module itself, so the page never retypes them.
// Written at build time rather than read at load: the page's modules need no WebAssembly to start,
// so a host whose CSP forbids it still shows the element (and says what fails when it is used).
//   node tools/constants.mjs dist
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const core = await import(pathToFileURL(join(dist, 'wasm/report_helper_report.js')));
core.initSync({ module: readFileSync(join(dist, 'wasm/report_helper_report_bg.wasm')) });
const values = { ...core.limits(), STATUSES: core.reportStatuses() };
const lines = Object.entries(values).map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`);
writeFileSync(
  join(dist, 'constants.js'),
  `// Written by tools/constants.mjs from the WebAssembly core (limits(), reportStatuses()).\n${lines.join('\n')}\n`,
);
console.log(`constants.js: ${Object.keys(values).join(', ')} from the core`);
