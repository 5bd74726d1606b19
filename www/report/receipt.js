// report/receipt.js: the receipt the person keeps, as data and as a printable page.

/**
 * The receipt kept by the victim: the report as sent, what the endpoint answered, and the
 * screenshots kept as evidence (`evidence`, only when there are any: each {file, sha256, width,
 * height, rectangles, original: {sha256, md5}}; never sent). Before sending (`sent` null) it is
 * `sent: false` with no endpoint, time, reference or code, and the report only once built.
 */
export function receipt(report, sent, evidence = []) {
  const r = sent
    ? { receipt: 'report-helper/receipt@1', endpoint: sent.endpoint, sent_at: sent.sentAt, reference: sent.reference, token: sent.token, report }
    : { receipt: 'report-helper/receipt@1', sent: false, ...(report && { report }) };
  if (evidence.length) r.evidence = evidence;
  return r;
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** How many 32-byte hashes a report's canonical base64 `vpdq.hashes` holds. */
export const vpdqHashCount = (hashes) => ((hashes.length / 4) * 3 - (hashes.length - hashes.replace(/=+$/, '').length)) / 32;

/**
 * A printable HTML page of a receipt, with no script and no outside resource. `t(key)` gives
 * the strings in the chosen language; `helpline` is the helpline's name and `next` the steps
 * that follow, as the sent page shows them (both optional).
 */
export function receiptHtml(r, t, lang, { helpline = '', next = [] } = {}) {
  const report = r.report ?? { items: [], urls: [] };
  const row = (label, value) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
  const code = (s) => `<code>${escapeHtml(s)}</code>`;
  const items = report.items
    .map((item, i) => {
      const lines = [
        `SHA-256: ${code(item.sha256)}`,
        `MD5: ${code(item.md5)}`,
        item.sha1 && `SHA-1: ${code(item.sha1)}`,
        item.pdq && `PDQ: ${code(item.pdq.hash)} (${escapeHtml(t('pdq.quality', { quality: item.pdq.quality }))})`,
        item.pdq_stored && `PDQ: ${code(item.pdq_stored.hash)} (${escapeHtml(t('pdq.stored', { quality: item.pdq_stored.quality }))})`,
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
  // What the person chose about sharing the fingerprints with platforms (only asked with files).
  const share = report.items.length
    ? `\n<h2>${escapeHtml(t('share.receiptHeading'))}</h2>\n<p>${escapeHtml(t(report.share_with_platforms ? 'share.receiptYes' : 'share.receiptNo'))}</p>`
    : '';
  const evidence = shots ? `<h2>${escapeHtml(t('receipt.evidenceHeading', { count: r.evidence.length }))}</h2>\n<ol>${shots}</ol>` : '';
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t('receipt.title'))} ${escapeHtml(r.reference ?? '')}</title>
<style>
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;vertical-align:top;padding:.3rem .8rem .3rem 0}
code{font-size:.85rem;overflow-wrap:anywhere}li{margin:.4rem 0}
</style></head>
<body>
<h1>${escapeHtml(t('receipt.title'))}</h1>
<p>${escapeHtml(t(r.reference ? 'receipt.intro' : 'package.notSent'))}</p>
${r.reference ? `<table>
${row(t('sent.reference'), code(r.reference))}
${r.token ? `${row(t('sent.token'), code(r.token))}\n` : ''}${row(t('receipt.sentAt'), escapeHtml(r.sent_at))}
${helpline ? `${row(t('sent.helpline'), escapeHtml(helpline))}\n` : ''}${row(t('receipt.endpoint'), code(r.endpoint))}
${row(t('review.situation'), escapeHtml(t(`situation.${report.situation}`)))}
</table>
${r.token ? `<p><strong>${escapeHtml(t('sent.codeWarning'))}</strong> ${escapeHtml(t('sent.codeSafe'))}</p>\n` : ''}` : ''}
${next.length ? `<h2>${escapeHtml(t('next.heading'))}</h2>\n<ol>${next.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>\n` : ''}${r.report ? `<h2>${escapeHtml(t('review.items', { count: report.items.length }))}</h2>
${items ? `<ol>${items}</ol>` : `<p>${escapeHtml(t('review.none'))}</p>`}
<h2>${escapeHtml(t('review.urls', { count: report.urls.length }))}</h2>
${urls ? `<ol>${urls}</ol>` : `<p>${escapeHtml(t('review.none'))}</p>`}${share}` : ''}
${evidence}
<p>${escapeHtml(t('receipt.noImages'))}</p>
<h2>${escapeHtml(t('receipt.policeHeading'))}</h2>
<p>${escapeHtml(t('receipt.police'))}</p>
</body>
</html>
`;
}
