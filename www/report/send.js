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

/**
 * POSTs the report JSON to `endpoint`: no cookies, no referrer. Network errors, timeouts, 408,
 * 429 and 5xx are tried again after RETRY_DELAYS (or the server's Retry-After), with the same
 * body and so the same idempotency key: the endpoint stores it once.
 * @param {string} endpoint absolute http(s) URL
 * @param {string} json the report, as built by buildReport()
 * @param {{signal?: AbortSignal, delays?: number[],
 *   onRetry?: (info: {attempt: number, delay: number, status?: number}) => void}} [options]
 * @returns {Promise<{reference: string, token: string, status: string}>}
 * @throws {ReportHelperError} code 'send-failed' (`retryable: true`: down, slow or failing) or
 *   'send-rejected' (`status` and, from the endpoint's error, `field`: the report was refused)
 */
export async function sendReport(endpoint, json, { signal, delays = RETRY_DELAYS, onRetry } = {}) {
  const { idempotency_key: key } = JSON.parse(json);
  for (let attempt = 0; ; attempt++) {
    let response = null;
    let status;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
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
      if (typeof body?.reference === 'string' && body.reference && typeof body?.token === 'string') {
        return { reference: body.reference, token: body.token, status: String(body.status ?? 'received') };
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

