// report/core.js: the report module (WebAssembly: the report's rules and JSON) on the main
// thread, started once. Not with the page: warm() starts it when the person goes past the files
// step, so it is ready, and fetched, before the report is built (even if the connection drops).
import init from '../wasm/report_helper_report.js';
import { ReportHelperError } from '../errors.js';

let ready = null;
export const core = () =>
  (ready ??= init({ module_or_path: new URL('../wasm/report_helper_report_bg.wasm', import.meta.url) }).catch((e) => {
    ready = null;
    throw new ReportHelperError('worker-failed', `The WebAssembly core could not start: ${e?.message ?? e}`);
  }));

/** Starts the report module ahead of need; a failure is reported when the report is built. */
export const warm = () => void core().catch(() => {});
