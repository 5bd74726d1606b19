// report/build.js: the report itself. The core checks the draft and writes the JSON to send.
import { reportJson } from '../wasm/report_helper_report.js';
import { ReportHelperError } from '../errors.js';
import { core } from './core.js';

/**
 * Checks a draft and builds the report exactly as it will be sent. An item's `vpdq: {frames}`
 * takes hashFile()'s `vpdq.frames`: the core keeps the usable hashes only (see docs/js-api.md). A key
 * the report does not know is refused, not dropped: nothing unexpected is sent, and nothing the
 * caller meant to send is lost without a word.
 * @param {{idempotency_key: string, created_at: string, language: string, situation: string,
 *   items: object[], urls: string[], explanation?: string, name?: string, email?: string,
 *   good_faith: boolean, share_with_platforms?: boolean}} draft
 * @returns {Promise<{json: string, report: object}>}
 * @throws {ReportHelperError} code 'invalid-report', with `field` (a JSON path such as
 *   `urls[3]`, '' for the whole report) and `problem` (the core's code, such as 'not-email')
 */
export async function buildReport(draft) {
  await core();
  let json;
  try {
    json = reportJson(draft);
  } catch (e) {
    throw Object.assign(new ReportHelperError('invalid-report', e?.message ?? String(e)), {
      field: e?.field ?? '',
      problem: e?.problem ?? 'malformed',
    });
  }
  return { json, report: JSON.parse(json) };
}
