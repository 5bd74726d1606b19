// Sending, with retries (report.js), and then what the person keeps: the reference and access
// code, what happens next, the receipts, and the blacked-out screenshots in one ZIP made here.
// When sending fails for good: the helpline's other routes and a saved report to send later
// (components/saved-report.js takes it back on the first step).
import { newToken, savedReportFile, sendReport } from '../report.js';
import { contacts } from '../config.js';
import { h } from '../dom.js';
import { kept } from './evidence.js';
import { isMinor } from './situation.js';

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
    <div id="failed-routes" hidden>
      <h3 id="failed-routes-heading"></h3>
      <ul class="routes" id="failed-contacts"></ul>
      <p id="failed-no-routes"></p>
    </div>
  </div>
  <div id="download-report-box" hidden>
    <h3 data-i18n="failed.saveHeading"></h3>
    <p id="failed-save-how"></p>
    <p><button type="button" id="download-report" data-i18n="send.download"></button></p>
  </div>
  <p id="failed-package" hidden><button type="button" id="package-now" data-i18n="package.button"></button></p>
  <div id="sent" hidden>
    <p id="sent-minor" hidden></p>
    <h3 data-i18n="next.heading"></h3>
    <ol class="timeline" id="next-steps"></ol>
    <h3 data-i18n="sent.codesHeading"></h3>
    <dl class="case">
      <dt data-i18n="sent.reference"></dt>
      <dd><code id="reference" aria-hidden="true"></code><span class="visually-hidden" id="reference-spelled"></span>
        <button type="button" class="copy" id="copy-reference" data-i18n="sent.copy" data-i18n-label="sent.copyReference"></button></dd>
      <dt id="token-term" data-i18n="sent.token"></dt>
      <dd id="token-value"><code id="token" aria-hidden="true"></code><span class="visually-hidden" id="token-spelled"></span>
        <button type="button" class="copy" id="copy-token" data-i18n="sent.copy" data-i18n-label="sent.copyToken"></button></dd>
    </dl>
    <p id="copy-status" role="status"></p>
    <p class="warning" id="code-warning"><strong data-i18n="sent.codeWarning"></strong> <span data-i18n="sent.codeSafe"></span></p>
    <p><strong id="sent-keep"></strong></p>
    <p id="evidence-intro"></p>
    <p><button type="button" class="primary" id="evidence-zip" data-i18n="sent.evidenceZip"></button></p>
    <h3 data-i18n="package.other"></h3>
    <p data-i18n="sent.receiptIntro"></p>
    <div class="nav">
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


// A code is shown in groups of four (a reference's "RH-" first), each its own box: nothing is put
// between them, so a copy has no spaces. A screen reader gets it spelled out instead, character
// by character with a pause between the groups: read as one word, it would be noise.
const groupsOf = (code) => code.match(/^[^-]*-|.{1,4}/g);

export default (ctx) => {
  let abort = null;
  let picker = null;
  let after = null; // send-after.js, once fetched
  const loadAfter = async () => (after ??= (await import('./send-after.js')).default(ctx));
  // One access code per report, made here and sent with every attempt, the "Try again" button's
  // too: whichever answer arrives, the code is one the intake stored for this report. A saved
  // report brings its own.
  const tokenFor = (built) => (built.token ??= newToken());

  const send = async () => {
    const s = ctx.state;
    // What is sent is exactly what the review showed: built once there, never rebuilt here.
    if (!s.built) return;
    const endpoint = ctx.attrUrl('endpoint');
    // Fetched now, while the site is surely reachable: if the endpoint then fails, the package
    // can still be made. Without it the codes are still shown.
    await loadAfter().catch(() => null);
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

  /** The helpline's own ways to be reached (its configuration), as links. */
  const routes = () => {
    const { t } = ctx;
    const own = contacts(ctx.config, ctx.lang).find((c) => c.kind === 'helpline');
    if (!own) return [];
    // Web pages open beside this one, which keeps the report.
    const link = (label, href, text, web) =>
      h('li', {}, `${label}: `, h('a', { href, textContent: text, ...(web && { target: '_blank', rel: 'noopener noreferrer' }) }));
    return [
      own.phone && link(t('failed.phone'), own.tel, own.phone),
      own.chatUrl && link(t('failed.chat'), own.chatUrl, own.chatUrl, true),
      own.email && link(t('failed.email'), `mailto:${own.email}`, own.email),
      own.url && link(t('failed.website'), own.url, own.url, true),
      // The hours are those of the phone and the chat.
      own.hours && (own.phone || own.chatUrl) && h('li', { textContent: `${t('failed.hours')}: ${own.hours}` }),
    ].filter(Boolean);
  };

  const showCode = (id, code) => {
    ctx.q(`#${id}`).replaceChildren(...groupsOf(code).map((g) => h('span', { textContent: g })));
    ctx.q(`#${id}-spelled`).textContent = groupsOf(code).map((g) => [...g].join(' ')).join(', ');
  };

  const render = () => {
    const { t } = ctx;
    const s = ctx.state;
    const q = ctx.q;
    const name = ctx.helplineName();
    const failed = !!s.sendError;
    const heading = s.sent ? 'send.sentHeading' : failed ? 'send.failedHeading' : 'send.sendingHeading';
    q('#h-send').textContent = t(heading);
    let status = '';
    // No code: the intake already had this report from an attempt that did not carry this
    // page's code (it hands out no code to a copy of a report).
    if (s.sent) status = t(s.sent.token ? 'send.sent' : 'send.alreadyHad', { name });
    else if (failed && s.sendError.code === 'no-endpoint') status = t('send.noEndpoint', { name });
    else if (failed && s.sendError.code === 'send-rejected') status = t('send.rejected', { message: s.sendError.message, name });
    else if (failed) status = t('send.failed', { name });
    else if (s.retry) status = t('send.retrying', { count: Math.round(s.retry.delay), attempt: s.retry.attempt + 1, name });
    else status = t('send.sending', { name });
    q('#send-status').textContent = status;
    q('#send-failed').hidden = !failed;
    // After a network failure the endpoint may have stored the report: only the same report may
    // be sent again (same key), so there is no going back to change it. A saved report has no
    // draft on this page to go back to.
    const final = s.sendError?.code === 'send-rejected' || s.sendError?.code === 'no-endpoint';
    q('#retry').hidden = final;
    q('#back-to-review').hidden = !final || !!s.built?.saved;
    if (failed) {
      const list = routes();
      q('#failed-routes-heading').textContent = t('failed.routes', { name });
      q('#failed-contacts').replaceChildren(...list);
      q('#failed-contacts').hidden = !list.length;
      q('#failed-no-routes').hidden = !!list.length;
      q('#failed-no-routes').textContent = t('failed.noRoutes', { name });
      q('#failed-routes').hidden = false;
    }
    q('#download-report-box').hidden = !(failed || s.retry) || !!s.sent;
    q('#failed-save-how').textContent = t('failed.saveHow', { button: t('saved.open') });
    q('#failed-package').hidden = !failed || !kept(s).length;
    q('#sent').hidden = !s.sent;
    if (s.sent) {
      const minor = isMinor(s);
      q('#sent-minor').textContent = minor ? t('sent.minor', { name }) : '';
      q('#sent-minor').hidden = !minor;
      q('#next-steps').replaceChildren(...(after?.nextSteps() ?? []).map((step) => h('li', { textContent: step })));
      showCode('reference', s.sent.reference);
      const token = s.sent.token;
      if (token) showCode('token', token);
      for (const id of ['#token-term', '#token-value', '#check-later', '#sent-check', '#code-warning']) q(id).hidden = !token;
      q('#sent-keep').textContent = t(token ? 'sent.keep' : 'sent.keepReference');
      // Say what the package holds: with no screenshot kept it is the two receipts.
      q('#evidence-intro').textContent = t(kept(s).length ? 'sent.evidenceIntro' : 'sent.evidenceIntroNoShots');
    }
  };

  /** Sends a saved report ({json, report, token}, checked by the core) as it is. */
  const sendSaved = (saved) => {
    ctx.clearError('saved-error');
    // A report begun on this page would be dropped: never without asking.
    const s = ctx.state;
    const started = s.situation || s.items.length || s.urls.length || s.accounts.length || s.shots.length;
    if (started && !window.confirm(ctx.t('saved.replace'))) return;
    ctx.restart();
    ctx.state.built = { ...saved, saved: true };
    send();
  };

  return {
    id: 'send',
    html,
    send,
    saveEvidence: async () => (await loadAfter()).saveEvidence(),

    wire() {
      const on = (id, fn) => ctx.q(id).addEventListener('click', fn);
      on('#retry', send);
      on('#back-to-review', () => ctx.go('review'));
      on('#download-report', () => {
        const { built } = ctx.state;
        const file = savedReportFile(built.json, tokenFor(built));
        ctx.save(new Blob([file], { type: 'application/json' }), `saved-report-${built.report.created_at.slice(0, 10)}.json`);
      });
      // Fetched before sending; asked for again should that have failed.
      const later = (id, fn) => on(id, () => loadAfter().then(fn, () => {}));
      later('#receipt-json', (a) => a.saveReceipt('json'));
      later('#receipt-html', (a) => a.saveReceipt('html'));
      later('#evidence-zip', (a) => a.saveEvidence());
      later('#package-now', (a) => a.saveEvidence());
      later('#copy-reference', (a) => a.copy('reference'));
      later('#copy-token', (a) => a.copy('token'));
      on('#sent-check', (e) => ctx.openCheck(e.currentTarget, ctx.state.sent));
      on('#new-report', () => ctx.restart());
      // "Send a saved report", on the first step: the picker is fetched when first used.
      on('#send-saved', async () => {
        if (!picker) {
          const { SavedReportPicker } = await import('../components/saved-report.js');
          picker = new SavedReportPicker();
          picker.addEventListener('report', (e) => sendSaved(e.detail));
          picker.addEventListener('refused', () => ctx.fieldError('saved-error', 'saved.refused'));
        }
        ctx.clearError('saved-error');
        picker.open();
      });
    },

    applyText() {
      if (ctx.step === 'send') render();
    },

    drop() {
      abort?.abort();
    },
  };
};
