// The status check: a report sent before, found by its reference and access code (typed, or
// read from its receipt file, which stays here), and withdrawn if the person wants. A view of
// its own beside the steps, opened from the first step and after sending.
import { checkReport } from '../report.js';

const html = `
<section data-step="check" aria-labelledby="h-check" hidden>
  <h2 id="h-check" tabindex="-1" data-i18n="check.heading"></h2>
  <p data-i18n="check.intro"></p>
  <p><input type="file" id="receipt-input" accept=".json,application/json" class="visually-hidden" aria-describedby="check-error">
    <label for="receipt-input" class="button" data-i18n="check.openReceipt"></label></p>
  <p class="hint" id="check-note" hidden></p>
  <div class="field">
    <label for="check-reference" data-i18n="sent.reference"></label>
    <input id="check-reference" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="100" aria-describedby="check-error">
  </div>
  <div class="field">
    <label for="check-token" data-i18n="sent.token"></label>
    <input id="check-token" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="200" aria-describedby="check-error">
  </div>
  <p class="error" id="check-error" role="alert" hidden></p>
  <div class="nav">
    <button type="button" id="check-back" data-i18n="nav.back"></button>
    <button type="button" class="primary" id="check-submit" data-i18n="check.submit"></button>
  </div>
  <div id="check-result" hidden>
    <p id="check-status" role="status" tabindex="-1"></p>
    <div id="withdraw-box" hidden>
      <p><button type="button" id="withdraw" data-i18n="check.withdraw"></button></p>
      <div id="withdraw-confirm" hidden>
        <p id="withdraw-question" data-i18n="check.withdrawConfirm"></p>
        <div class="nav">
          <button type="button" id="withdraw-no" data-i18n="check.withdrawNo"></button>
          <button type="button" class="primary" id="withdraw-yes" data-i18n="check.withdrawYes"></button>
        </div>
      </div>
    </div>
  </div>
</section>`;

export default (ctx) => {
  const { q } = ctx;
  let checked = null; // {reference, status} of the last check
  let abort = null;

  /** Reads the reference and the access code from a receipt file; the file stays here. */
  const readReceipt = async (file) => {
    ctx.clearError('check-error');
    let r = null;
    try {
      if (file.size <= 1_000_000) r = JSON.parse(await file.text());
    } catch {
      r = null;
    }
    if (typeof r?.reference !== 'string' || typeof r?.token !== 'string') {
      return ctx.fieldError('check-error', 'check.badReceipt', {}, q('#check-reference'));
    }
    fill(r);
    // The check goes to this page's endpoint only; a receipt of another one is pointed out.
    const other = typeof r.endpoint === 'string' && r.endpoint !== ctx.attrUrl('endpoint');
    const note = q('#check-note');
    note.textContent = other ? ctx.t('check.otherEndpoint', { endpoint: r.endpoint }) : '';
    note.hidden = !other;
    check();
  };

  const fill = ({ reference, token }) => {
    q('#check-reference').value = reference;
    q('#check-token').value = token;
  };

  const check = async ({ withdraw = false } = {}) => {
    const reference = q('#check-reference').value.trim();
    const token = q('#check-token').value.trim();
    if (!reference || !token) {
      return ctx.fieldError('check-error', 'check.missing', {}, q(reference ? '#check-token' : '#check-reference'));
    }
    const endpoint = ctx.attrUrl('endpoint');
    if (!endpoint) return ctx.fieldError('check-error', 'check.noEndpoint', {});
    ctx.clearError('check-error');
    abort?.abort();
    abort = new AbortController();
    const button = q(withdraw ? '#withdraw-yes' : '#check-submit');
    button.disabled = true;
    try {
      checked = await checkReport(endpoint, reference, token, { withdraw, signal: abort.signal });
      render();
      // The withdraw buttons are gone now: focus goes to what happened.
      if (withdraw) q('#check-status').focus();
    } catch (e) {
      if (e?.name === 'AbortError' || ctx.exiting) return;
      checked = null;
      render();
      ctx.fieldError('check-error', e?.code === 'not-found' ? 'check.notFound' : 'check.failed', {}, withdraw ? null : q('#check-reference'));
    } finally {
      button.disabled = false;
    }
  };

  const render = () => {
    q('#check-result').hidden = !checked;
    q('#check-status').textContent = checked ? ctx.t(`check.status.${checked.status}`, { reference: checked.reference }) : '';
    q('#withdraw-box').hidden = !checked || checked.status === 'withdrawn';
    if (!checked || checked.status === 'withdrawn') q('#withdraw-confirm').hidden = true;
  };

  const drop = () => {
    abort?.abort();
    checked = null;
  };

  return {
    id: 'check',
    html,
    applyText: render,
    drop,

    /** Shown, filled in from `sent` ({reference, token}) when given. */
    open(sent) {
      checked = null;
      ctx.clearError('check-error');
      q('#check-note').hidden = true;
      if (sent) fill(sent);
      render();
    },

    wire() {
      const on = (id, type, fn) => q(id).addEventListener(type, fn);
      on('#check-back', 'click', () => {
        abort?.abort();
        ctx.closeCheck();
      });
      on('#check-submit', 'click', () => check());
      for (const id of ['#check-reference', '#check-token']) {
        on(id, 'input', () => ctx.clearError('check-error'));
        on(id, 'keydown', (e) => {
          if (e.key === 'Enter') check();
        });
      }
      on('#receipt-input', 'change', (e) => {
        const [file] = e.target.files;
        e.target.value = '';
        if (file) readReceipt(file);
      });
      on('#withdraw', 'click', () => {
        q('#withdraw-confirm').hidden = false;
        q('#withdraw-no').focus();
      });
      on('#withdraw-no', 'click', () => {
        q('#withdraw-confirm').hidden = true;
        q('#withdraw').focus();
      });
      on('#withdraw-yes', 'click', () => check({ withdraw: true }));
    },

    reset() {
      q('#check-note').hidden = true;
      render();
    },
  };
};
