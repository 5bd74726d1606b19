// report.js: the report itself. The core (through the WebAssembly, here on the main thread)
// checks the draft and writes the JSON; this file sends it and writes the receipts.
import init, { ReportDraft } from './wasm/report_helper.js';
import { ReportHelperError } from './hashing.js';

let ready = null;
const core = () =>
  (ready ??= init({ module_or_path: new URL('./wasm/report_helper_bg.wasm', import.meta.url) }).catch((e) => {
    ready = null;
    throw new ReportHelperError('worker-failed', `The WebAssembly core could not start: ${e?.message ?? e}`);
  }));

/**
 * Checks a draft and builds the report exactly as it will be sent. An item's `vpdq: {frames}`
 * takes hashFile()'s `vpdq.frames`: the core keeps the usable hashes only (see README).
 * @param {{idempotency_key: string, created_at: string, language: string, situation: string,
 *   items: object[], urls: string[], explanation?: string, name?: string, email?: string,
 *   good_faith: boolean}} draft
 * @returns {Promise<{json: string, report: object}>}
 * @throws {ReportHelperError} code 'invalid-report', with `field` (a JSON path such as
 *   `urls[3]`, '' for the whole report) and `problem` (the core's code, such as 'not-email')
 */
export async function buildReport(draft) {
  await core();
  let json;
  try {
    const {
      idempotency_key, created_at, language, situation, items = [], urls = [],
      explanation, name, email, good_faith, ...others
    } = draft;
    // A key the report does not know is refused, not dropped: nothing unexpected is sent, and
    // nothing the caller meant to send is lost without a word.
    const known = (rest, where) => {
      const key = Object.keys(rest).find((k) => rest[k] !== undefined);
      if (key !== undefined) {
        throw Object.assign(new Error(`not a report: unknown field \`${key}\`${where}`), { field: '', problem: 'malformed' });
      }
    };
    known(others, '');
    // The core checks every value, its type included; build() consumes the draft.
    const wasmDraft = new ReportDraft(idempotency_key, created_at, language, situation);
    let consumed = false;
    try {
      items.forEach(({ kind, sha256, md5, sha1, pdq, vpdq, ...rest }, i) => {
        known(rest, ` in items[${i}]`);
        const { hash, quality, ...pdqRest } = pdq ?? {};
        known(pdqRest, ` in items[${i}].pdq`);
        wasmDraft.addItem(kind, sha256, md5, sha1, hash, quality);
        if (vpdq === undefined || vpdq === null) return;
        const { frames, ...vpdqRest } = vpdq;
        known(vpdqRest, ` in items[${i}].vpdq`);
        wasmDraft.addVideoFrames(...videoFrames(frames, i));
      });
      for (const url of urls) wasmDraft.addUrl(url);
      wasmDraft.setExplanation(explanation);
      wasmDraft.setName(name);
      wasmDraft.setEmail(email);
      wasmDraft.setGoodFaith(good_faith);
      consumed = true;
      json = wasmDraft.build();
    } finally {
      if (!consumed) wasmDraft.free();
    }
  } catch (e) {
    throw Object.assign(new ReportHelperError('invalid-report', e?.message ?? String(e)), {
      field: e?.field ?? '',
      problem: e?.problem ?? 'malformed',
    });
  }
  return { json, report: JSON.parse(json) };
}

/**
 * A video's frames as addVideoFrames takes them: the hashes joined, the qualities in a Uint8Array.
 * Checked first: a Uint8Array would wrap 300 to 44 (over 255 is kept as 255, which the core
 * refuses) and cut 50.5, and hashes of the wrong length would run together.
 */
function videoFrames(frames, i) {
  const refuse = (problem, why) => {
    throw Object.assign(new Error(`items[${i}].vpdq: ${why}`), { field: `items[${i}].vpdq`, problem });
  };
  if (!Array.isArray(frames)) refuse('malformed', 'expected a list of frames');
  const qualities = new Uint8Array(frames.length);
  const hashes = frames.map((f, j) => {
    const { hash, quality } = f ?? {};
    if (typeof hash !== 'string' || hash.length !== 64) refuse('not-hex', `frames[${j}].hash must be 64 lowercase hexadecimal digits`);
    if (!Number.isInteger(quality) || quality < 0) refuse('malformed', `frames[${j}].quality: expected a whole number from 0 to 100`);
    qualities[j] = Math.min(quality, 255);
    return hash;
  });
  return [hashes.join(''), qualities];
}

/** Waits between attempts, in seconds: about half a minute in all before the user is asked. */
export const RETRY_DELAYS = [1, 2, 4, 8, 16];
const ATTEMPT_TIMEOUT_MS = 30_000;
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

// The evidence module (blacking out, PNG) is a WebAssembly module of its own, fetched only when
// a person adds a screenshot: the page's first load stays within its budget.
let evidenceReady = null;
const evidenceModule = () =>
  (evidenceReady ??= import('./wasm/report_helper_evidence.js')
    .then(async (glue) => {
      await glue.default({ module_or_path: new URL('./wasm/report_helper_evidence_bg.wasm', import.meta.url) });
      return glue;
    })
    .catch((e) => {
      evidenceReady = null;
      throw new ReportHelperError('worker-failed', `The evidence module could not start: ${e?.message ?? e}`);
    }));

/**
 * Blacks out `areas` ({x, y, w, h} in pixels) of a picture's pixels in the core and returns the
 * PNG it writes: only the pixels, no metadata of any kind. `picture` is an ImageData, or any
 * `{ data, width, height }` with `data` the RGBA bytes. A refusal (no pixels, too large, a wrong
 * buffer, an empty area or one outside the picture, more than 1000 areas) rejects with code
 * `redact-refused`: an area the caller meant to hide is never silently left visible.
 * @returns {Promise<Uint8Array>}
 */
export async function redactScreenshot(picture, areas) {
  const { data, width, height } = picture ?? {};
  const whole = (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
  if (!ArrayBuffer.isView(data) || !whole(width) || !whole(height) || !Array.isArray(areas)) {
    throw new ReportHelperError('redact-refused', 'redactScreenshot takes ({ data, width, height }, [{ x, y, w, h }, …])');
  }
  const numbers = areas.flatMap((a) => [a?.x, a?.y, a?.w, a?.h]);
  if (!numbers.every(whole)) {
    throw new ReportHelperError('redact-refused', 'each area needs whole, non-negative x, y, w and h in pixels');
  }
  const { redactToPng } = await evidenceModule();
  const rgba = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  try {
    return redactToPng(rgba, width, height, new Uint32Array(numbers));
  } catch (e) {
    throw new ReportHelperError('redact-refused', `The screenshot could not be blacked out: ${e?.message ?? e}`);
  }
}

/** The statuses an intake gives a report, in the order a helpline works through them. */
export const STATUSES = ['received', 'in_progress', 'done', 'withdrawn'];

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

/**
 * The receipt kept by the victim: the report as sent, what the endpoint answered, and the
 * screenshots kept as evidence (`evidence`, only when there are any: each {file, sha256, width,
 * height, rectangles, original: {sha256, md5}}; never sent).
 */
export function receipt(report, { endpoint, reference, token, sentAt }, evidence = []) {
  const r = { receipt: 'report-helper/receipt@1', endpoint, sent_at: sentAt, reference, token, report };
  if (evidence.length) r.evidence = evidence;
  return r;
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** How many 32-byte hashes a report's canonical base64 `vpdq.hashes` holds. */
export const vpdqHashCount = (hashes) => ((hashes.length / 4) * 3 - (hashes.length - hashes.replace(/=+$/, '').length)) / 32;

/**
 * A printable HTML page of a receipt, with no script and no outside resource. `t(key)` gives
 * the strings in the chosen language.
 */
export function receiptHtml(r, t, lang) {
  const { report } = r;
  const row = (label, value) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
  const code = (s) => `<code>${escapeHtml(s)}</code>`;
  const items = report.items
    .map((item, i) => {
      const lines = [
        `SHA-256: ${code(item.sha256)}`,
        `MD5: ${code(item.md5)}`,
        item.sha1 && `SHA-1: ${code(item.sha1)}`,
        item.pdq && `PDQ: ${code(item.pdq.hash)} (${escapeHtml(t('pdq.quality', { quality: item.pdq.quality }))})`,
        item.vpdq && `vPDQ: ${escapeHtml(t('vpdq.frames', { count: vpdqHashCount(item.vpdq.hashes) }))}`,
      ].filter(Boolean);
      return `<li><strong>${escapeHtml(t('review.item', { n: i + 1, kind: t(`kind.${item.kind}`) }))}</strong><br>${lines.join('<br>')}</li>`;
    })
    .join('');
  const urls = report.urls.map((u) => `<li>${code(u)}</li>`).join('');
  const shots = (r.evidence ?? [])
    .map((e) => `<li><strong>${escapeHtml(e.file)}</strong> (${escapeHtml(t('receipt.evidenceAreas', { count: e.rectangles }))})<br>`
      + `${escapeHtml(t('receipt.evidenceRedacted'))} SHA-256: ${code(e.sha256)}<br>`
      + `${escapeHtml(t('receipt.evidenceOriginal'))} SHA-256: ${code(e.original.sha256)}</li>`)
    .join('');
  const evidence = shots ? `<h2>${escapeHtml(t('receipt.evidenceHeading', { count: r.evidence.length }))}</h2>\n<ol>${shots}</ol>` : '';
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t('receipt.title'))} ${escapeHtml(r.reference)}</title>
<style>
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;vertical-align:top;padding:.3rem .8rem .3rem 0}
code{font-size:.85rem;overflow-wrap:anywhere}li{margin:.4rem 0}
</style></head>
<body>
<h1>${escapeHtml(t('receipt.title'))}</h1>
<p>${escapeHtml(t('receipt.intro'))}</p>
<table>
${row(t('sent.reference'), code(r.reference))}
${row(t('sent.token'), code(r.token))}
${row(t('receipt.sentAt'), escapeHtml(r.sent_at))}
${row(t('receipt.endpoint'), code(r.endpoint))}
${row(t('review.situation'), escapeHtml(t(`situation.${report.situation}`)))}
</table>
<h2>${escapeHtml(t('review.items', { count: report.items.length }))}</h2>
${items ? `<ol>${items}</ol>` : `<p>${escapeHtml(t('review.none'))}</p>`}
<h2>${escapeHtml(t('review.urls', { count: report.urls.length }))}</h2>
${urls ? `<ol>${urls}</ol>` : `<p>${escapeHtml(t('review.none'))}</p>`}
${evidence}
<p>${escapeHtml(t('receipt.noImages'))}</p>
<h2>${escapeHtml(t('receipt.policeHeading'))}</h2>
<p>${escapeHtml(t('receipt.police'))}</p>
</body>
</html>
`;
}
