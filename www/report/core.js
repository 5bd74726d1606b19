// report/core.js: the WebAssembly core on the main thread, started once, for the report's
// modules and the limits (the workers start their own).
import init from '../wasm/report_helper.js';
import { ReportHelperError } from '../errors.js';

let ready = null;
export const core = () =>
  (ready ??= init({ module_or_path: new URL('../wasm/report_helper_bg.wasm', import.meta.url) }).catch((e) => {
    ready = null;
    throw new ReportHelperError('worker-failed', `The WebAssembly core could not start: ${e?.message ?? e}`);
  }));
