// report/redact.js: blacking out a screenshot, in the evidence module.
import { ReportHelperError } from '../errors.js';

// The evidence module (blacking out, PNG) is a WebAssembly module of its own, fetched only when
// a person adds a screenshot: the page's first load stays within its budget.
let evidenceReady = null;
const evidenceModule = () =>
  (evidenceReady ??= import('../wasm/report_helper_evidence.js')
    .then(async (glue) => {
      await glue.default({ module_or_path: new URL('../wasm/report_helper_evidence_bg.wasm', import.meta.url) });
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

