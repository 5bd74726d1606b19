// limits.js: the limits the core enforces that the page needs too, read from the core itself,
// never retyped: at most MAX_URLS URLs of at most MAX_URL_BYTES each in a report, and screenshots
// of at most MAX_SHOT_SIDE pixels a side.
import { limits } from './wasm/report_helper.js';
import { core } from './report/core.js';

await core();
export const { MAX_URLS, MAX_URL_BYTES, MAX_SHOT_SIDE } = limits();
