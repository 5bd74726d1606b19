// Sending, with retries (report.js), and then what the person keeps: the reference and access
// code, the receipts, and the blacked-out screenshots in one ZIP made here.
import { newToken, receipt, receiptHtml, sendReport } from '../report.js';
import { kept } from './evidence.js';

const html = `
<section data-step="send" aria-labelledby="h-send" hidden>
  <h2 id="h-send" tabindex="-1"></h2>
  <p id="send-status" role="status"></p>
  <div id="send-failed" hidden>
    <p data-i18n="send.kept"></p>
    <div class="nav">
      <button type="button" id="retry" data-i18n="send.retry"></button>
      <button type="button" id="back-to-review" data-i18n="send.backToReview"></button>
    </div>
  </div>
  <p id="download-report-box" hidden><button type="button" id="download-report" data-i18n="send.download"></button></p>
  <div id="sent" hidden>
    <dl class="case">
      <dt data-i18n="sent.reference"></dt><dd><code id="reference"></code></dd>
      <dt id="token-term" data-i18n="sent.token"></dt><dd id="token-value"><code id="token"></code></dd>
    </dl>
    <p><strong id="sent-keep"></strong></p>
    <p data-i18n="sent.receiptIntro"></p>
    <p id="evidence-intro"></p>
    <div class="nav">
      <button type="button" class="primary" id="evidence-zip" data-i18n="sent.evidenceZip"></button>
      <button type="button" id="receipt-json" data-i18n="sent.receiptJson"></button>
      <button type="button" id="receipt-html" data-i18n="sent.receiptHtml"></button>
    </div>
    <p id="check-later" data-i18n="sent.checkLater"></p>
    <div class="nav">
      <button type="button" id="sent-check" data-i18n="sent.check"></button>
      <button type="button" id="new-report" data-i18n="sent.newReport"></button>
    </div>
  </div>
</section>`;

export default (ctx) => {
  let abort = null;
  // One access code per report, made here and sent with every attempt, the "Try again" button's
  // too: whichever answer arrives, the code is one the intake stored for this report.
  const tokens = new WeakMap();
  const tokenFor = (built) => {
    if (!tokens.has(built)) tokens.set(built, newToken());
    return tokens.get(built);
  };

  const send = async () => {
    const s = ctx.state;
    // What is sent is exactly what the review showed: built once there, never rebuilt here.
    if (!s.built) return;
    const endpoint = ctx.attrUrl('endpoint');
    s.sending = true;
    s.sendError = null;
    s.retry = null;
    render();
    ctx.go('send');
    if (!endpoint) {
      s.sending = false;
      s.sendError = { code: 'no-endpoint' };
      render();
      ctx.emit('failed', { code: 'no-endpoint', willRetry: false });
      return;
    }
    abort = new AbortController();
    try {
      const answer = await sendReport(endpoint, s.built.json, {
        token: tokenFor(s.built),
        signal: abort.signal,
        onRetry: ({ attempt, delay, status }) => {
          s.retry = { attempt, delay };
          render();
          ctx.emit('failed', { code: status ? 'server' : 'network', status, willRetry: true });
        },
      });
      s.sent = { ...answer, endpoint, sentAt: new Date().toISOString() };
      ctx.emit('sent', { reference: answer.reference, status: answer.status });
    } catch (e) {
      if (ctx.exiting) return;
      s.sendError = { code: e.code, status: e.status, message: e.message };
      ctx.emit('failed', { code: e.code === 'send-rejected' ? 'rejected' : e.status ? 'server' : 'network', status: e.status, willRetry: false });
    }
    s.sending = false;
    render();
    ctx.q('#h-send').focus();
  };

  const render = () => {
    const { t } = ctx;
    const s = ctx.state;
    const q = ctx.q;
    const failed = !!s.sendError;
    const heading = s.sent ? 'send.sentHeading' : failed ? 'send.failedHeading' : 'send.sendingHeading';
    q('#h-send').textContent = t(heading);
    let status = '';
    // No code: the intake already had this report from an attempt that did not carry this
    // page's code (it hands out no code to a copy of a report).
    if (s.sent) status = t(s.sent.token ? 'send.sent' : 'send.alreadyHad');
    else if (failed && s.sendError.code === 'no-endpoint') status = t('send.noEndpoint');
    else if (failed && s.sendError.code === 'send-rejected') status = t('send.rejected', { message: s.sendError.message });
    else if (failed) status = t('send.failed');
    else if (s.retry) status = t('send.retrying', { seconds: Math.round(s.retry.delay), attempt: s.retry.attempt + 1 });
    else status = t('send.sending');
    q('#send-status').textContent = status;
    q('#send-failed').hidden = !failed;
    // After a network failure the endpoint may have stored the report: only the same report may
    // be sent again (same key), so there is no going back to change it.
    const final = s.sendError?.code === 'send-rejected' || s.sendError?.code === 'no-endpoint';
    q('#retry').hidden = final;
    q('#back-to-review').hidden = !final;
    q('#download-report-box').hidden = !(failed || s.retry) || !!s.sent;
    q('#sent').hidden = !s.sent;
    if (s.sent) {
      q('#reference').textContent = s.sent.reference;
      const token = s.sent.token;
      q('#token').textContent = token ?? '';
      for (const id of ['#token-term', '#token-value', '#check-later', '#sent-check']) q(id).hidden = !token;
      q('#sent-keep').textContent = t(token ? 'sent.keep' : 'sent.keepReference');
      // Say what the package holds: with no screenshot kept it is the two receipts.
      q('#evidence-intro').textContent = t(kept(s).length ? 'sent.evidenceIntro' : 'sent.evidenceIntroNoShots');
    }
  };

  /** The receipt of the report sent, listing the screenshots kept (without their pixels). */
  const receiptOf = (evidence) => receipt(ctx.state.built.report, ctx.state.sent, evidence.map(({ png, ...entry }) => entry));
  const page = (r) => receiptHtml(r, ctx.t, ctx.lang);

  const saveReceipt = (type) => {
    const r = receiptOf(kept(ctx.state));
    const blob =
      type === 'json'
        ? new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' })
        : new Blob([page(r)], { type: 'text/html' });
    ctx.save(blob, `receipt-${ctx.state.sent.reference}.${type}`);
    ctx.state.receiptSaved = true;
  };

  /** One ZIP: the blacked-out screenshots and both receipts. Made here; nothing is sent. */
  const saveEvidence = async () => {
    // The ZIP writer is fetched the first time it is needed.
    const { zip } = await import('../zip.js');
    const s = ctx.state;
    const evidence = kept(s);
    const r = receiptOf(evidence);
    const files = [
      ...evidence.map(({ file, png }) => ({ name: file, bytes: png })),
      { name: 'receipt.json', bytes: `${JSON.stringify(r, null, 2)}\n` },
      { name: 'receipt.html', bytes: page(r) },
    ];
    ctx.save(zip(files, new Date(s.sent.sentAt)), `evidence-${s.sent.reference}.zip`);
    s.receiptSaved = true;
    s.evidenceSaved = true;
  };

  return {
    id: 'send',
    html,
    send,

    wire() {
      const on = (id, fn) => ctx.q(id).addEventListener('click', fn);
      on('#retry', send);
      on('#back-to-review', () => ctx.go('review'));
      on('#download-report', () => {
        const { built } = ctx.state;
        ctx.save(new Blob([built.json], { type: 'application/json' }), `report-${built.report.created_at.slice(0, 10)}.json`);
      });
      on('#receipt-json', () => saveReceipt('json'));
      on('#receipt-html', () => saveReceipt('html'));
      on('#evidence-zip', saveEvidence);
      on('#sent-check', (e) => ctx.openCheck(e.currentTarget, ctx.state.sent));
      on('#new-report', () => ctx.restart());
    },

    applyText() {
      if (ctx.step === 'send') render();
    },

    drop() {
      abort?.abort();
    },
  };
};
