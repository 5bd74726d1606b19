// report/send.js: sending the report to the endpoint, tried again while it is down or slow.
import { ReportHelperError } from '../errors.js';

/** Waits between attempts, in seconds: about half a minute in all before the user is asked. */
export const RETRY_DELAYS = [1, 2, 4, 8, 16];
/** How long one request may take. */
export const ATTEMPT_TIMEOUT_MS = 30_000;
const MAX_RETRY_AFTER = 60;

const sleep = (seconds, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** Seconds from a Retry-After header (seconds or an HTTP date), capped; null when absent. */
function retryAfter(response) {
  const value = response.headers.get('Retry-After');
  if (!value) return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER) : null;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** What the `saved_report` key of a saved report says (docs/payload.md). */
export const SAVED_REPORT = 'report-helper/saved-report@1';

/**
 * The file of a report saved to send later: the report as the exact JSON to send (a string, so
 * its bytes survive), and the access code sent with it. Here, not with the picker, so that it
 * can be saved while the site itself is down.
 */
export const savedReportFile = (json, token) => `${JSON.stringify({ saved_report: SAVED_REPORT, token, report: json }, null, 2)}\n`;

/**
 * A new access code in the intake's format: 26 characters of Crockford base32, 130 bits from
 * crypto.getRandomValues (each byte's low 5 bits: 256 is a multiple of 32, so all are as likely).
 */
export function newToken() {
  return Array.from(crypto.getRandomValues(new Uint8Array(26)), (b) => CROCKFORD[b & 31]).join('');
}

/**
 * POSTs the report JSON to `endpoint`: no cookies, no referrer. Network errors, timeouts, 408,
 * 429 and 5xx are tried again after RETRY_DELAYS (or the server's Retry-After), with the same
 * body and so the same idempotency key: the endpoint stores it once. Every attempt carries the
 * same access code, `Authorization: Bearer <token>` (made here unless given): the intake stores
 * it with a new report, and gives it back on a replay only to a client that already holds it,
 * so a retry whose first answer was lost still ends with a working code. A replay that does not
 * carry a code of the report is answered without one: `token` is then null (the helpline
 * already has the report, and this page has no code for it).
 * @param {string} endpoint absolute http(s) URL
 * @param {string} json the report, as built by buildReport()
 * @param {{signal?: AbortSignal, delays?: number[], token?: string,
 *   onRetry?: (info: {attempt: number, delay: number, status?: number}) => void}} [options]
 *   `token`: the access code for this report, from newToken(); give the same one when the same
 *   report is sent again
 * @returns {Promise<{reference: string, token: string | null, status: string, replayed: boolean}>}
 * @throws {ReportHelperError} code 'send-failed' (`retryable: true`: down, slow or failing) or
 *   'send-rejected' (`status` and, from the endpoint's error, `field`: the report was refused)
 */
export async function sendReport(endpoint, json, { signal, delays = RETRY_DELAYS, onRetry, token = newToken() } = {}) {
  const { idempotency_key: key } = JSON.parse(json);
  for (let attempt = 0; ; attempt++) {
    let response = null;
    let status;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, Authorization: `Bearer ${token}` },
        body: json,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
        redirect: 'error',
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]) : AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      status = response.status;
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
    }
    if (response?.ok) {
      const body = await response.json().catch(() => null);
      // A new report always comes with a code; a replay only with the one this page sent.
      const replayed = body?.replayed === true;
      const answered = typeof body?.token === 'string' && body.token ? body.token : null;
      if (typeof body?.reference === 'string' && body.reference && (answered || replayed)) {
        return { reference: body.reference, token: answered, status: String(body.status ?? 'received'), replayed };
      }
      throw Object.assign(new ReportHelperError('send-failed', 'The endpoint answered without a case reference.'), {
        retryable: true,
        status,
      });
    }
    const transient = !response || status === 408 || status === 429 || status >= 500;
    if (!transient) {
      const body = await response.json().catch(() => null);
      const message = typeof body?.error === 'string' ? body.error : body?.error?.message ?? `HTTP ${status}`;
      throw Object.assign(new ReportHelperError('send-rejected', message), {
        status,
        field: typeof body?.field === 'string' ? body.field : body?.error?.field,
      });
    }
    if (attempt >= delays.length) {
      throw Object.assign(
        new ReportHelperError('send-failed', response ? `The endpoint answered HTTP ${status}.` : 'The endpoint could not be reached.'),
        { retryable: true, status },
      );
    }
    const delay = (response && retryAfter(response)) ?? delays[attempt];
    try {
      onRetry?.({ attempt: attempt + 1, delay, status });
    } catch (e) {
      self.reportError(e);
    }
    await sleep(delay, signal);
  }
}

