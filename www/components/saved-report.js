// components/saved-report.js: "Send a saved report". The file the page saves when sending fails
// is read here, checked by the core and handed on unchanged (the same bytes, so the same
// idempotency key, and the same access code). Nothing of it is stored. Fetched when first used.
import { reportJson } from '../wasm/report_helper_report.js';
import { core } from '../report/core.js';
import { SAVED_REPORT } from '../report/send.js';
// The largest report (526,336 B of JSON) escaped into a string, with room for the rest.
const MAX_FILE = 1 << 20;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The draft the core would have built `report` from (a video's hashes as frames of quality 100). */
const draftOf = (r) => ({
  idempotency_key: r.idempotency_key,
  created_at: r.created_at,
  language: r.language,
  situation: r.situation,
  under_18: r.under_18,
  items: r.items.map(({ vpdq, ...item }) => {
    if (!vpdq) return item;
    const bytes = Uint8Array.from(atob(vpdq.hashes), (c) => c.charCodeAt(0));
    const frames = Array.from({ length: bytes.length / 32 }, (_, i) => ({ hash: hex(bytes.subarray(32 * i, 32 * i + 32)), quality: 100 }));
    return { ...item, vpdq: { frames } };
  }),
  urls: r.urls,
  accounts: r.accounts ?? [],
  explanation: r.explanation ?? '',
  name: r.contact?.name ?? '',
  email: r.contact?.email ?? '',
  good_faith: r.good_faith,
  share_with_platforms: r.share_with_platforms,
});

/**
 * Reads a saved report: `{json, report, token}`, or null when the file is not one. The core
 * builds the report again from what the file says, and it must come out byte for byte as the
 * file holds it: every rule the intake checks holds, and nothing was added, changed or dropped.
 */
export async function readSavedReport(file) {
  await core();
  try {
    if (file.size > MAX_FILE) return null;
    const saved = JSON.parse(await file.text());
    const { report: json, token } = saved;
    if (saved.saved_report !== SAVED_REPORT || typeof json !== 'string' || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(token)) return null;
    const report = JSON.parse(json);
    return reportJson(draftOf(report)) === json ? { json, report, token } : null;
  } catch {
    return null;
  }
}

/**
 * The file picker behind "Send a saved report": `open()` asks for a file; the component
 * reports `report` ({json, report, token}) or `refused` (not a saved report, or changed).
 */
export class SavedReportPicker extends EventTarget {
  #input = Object.assign(document.createElement('input'), { type: 'file', accept: '.json,application/json' });

  constructor() {
    super();
    this.#input.addEventListener('change', async () => {
      const [file] = this.#input.files;
      this.#input.value = '';
      if (!file) return;
      const saved = await readSavedReport(file).catch(() => null);
      this.dispatchEvent(new CustomEvent(saved ? 'report' : 'refused', { detail: saved }));
    });
  }

  open() {
    this.#input.click();
  }
}
