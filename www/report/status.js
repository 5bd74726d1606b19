// report/status.js: a report's status, asked of the endpoint with its receipt's reference and
// access code; withdrawing it.
import { ReportHelperError } from '../errors.js';
import { STATUSES } from '../constants.js';
import { ATTEMPT_TIMEOUT_MS } from './send.js';

/** The statuses an intake gives a report, in the order a helpline works through them (the core's). */
export { STATUSES };

/**
 * Asks `endpoint` for the status of the report `reference`, with its access code `token`: GET
 * `endpoint/reference` (DELETE to withdraw it), `Authorization: Bearer token`, no cookies, no
 * referrer. Nothing else is sent.
 * @param {string} endpoint absolute http(s) URL, the one the report was sent to
 * @param {string} reference the case reference, as the endpoint gave it
 * @param {string} token the access code that came with it
 * @param {{signal?: AbortSignal, withdraw?: boolean}} [options] withdraw: withdraw the report
 * @returns {Promise<{reference: string, status: string}>}
 * @throws {ReportHelperError} code 'not-found' (no such report, or not this code: the endpoint
 *   does not say which) or 'send-failed' (the endpoint could not be reached or failed)
 */
export async function checkReport(endpoint, reference, token, { signal, withdraw = false } = {}) {
  const url = `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(reference)}`;
  let response;
  try {
    response = await fetch(url, {
      method: withdraw ? 'DELETE' : 'GET',
      headers: { Authorization: `Bearer ${token}` },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      redirect: 'error',
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]) : AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw new ReportHelperError('send-failed', 'The endpoint could not be reached.');
  }
  if (response.status === 404) throw new ReportHelperError('not-found', 'No report with this reference and access code.');
  const body = response.ok ? await response.json().catch(() => null) : null;
  if (!STATUSES.includes(body?.status)) {
    throw Object.assign(new ReportHelperError('send-failed', `The endpoint answered HTTP ${response.status}.`), { status: response.status });
  }
  return { reference: typeof body.reference === 'string' ? body.reference : reference, status: body.status };
}

