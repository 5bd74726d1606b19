// The review: the report exactly as it would be sent, built by the core, in words and as JSON.
// Nothing is sent until the person presses Send (the send step).
import { vpdqHashCount } from '../report.js';
import { h } from '../dom.js';
import { WHO_HTML, renderWho } from '../components/who-sees-what.js';
import { isMinor } from './situation.js';

const html = `
<section data-step="review" aria-labelledby="h-review" hidden>
  <h2 id="h-review" tabindex="-1" data-i18n="review.heading"></h2>
  <p class="lead" data-i18n="review.lead"></p>
  <p class="pending" id="review-pending" role="status"></p>
  <div id="review"></div>
  <p class="hint" data-i18n="review.notSent"></p>
  ${WHO_HTML}
  <details id="raw"><summary data-i18n="review.raw"></summary><pre id="raw-json" tabindex="0" data-i18n-label="review.rawLabel"></pre></details>
  <p class="error" id="review-error" role="alert" hidden></p>
  <div class="nav">
    <button type="button" class="back" data-i18n="nav.back"></button>
    <button type="button" class="send primary" id="send" data-i18n="nav.send"></button>
  </div>
</section>`;

export default (ctx) => {
  const render = async () => {
    const { t } = ctx;
    renderWho(ctx, ctx.q('section[data-step="review"] .who'));
    const { items } = ctx.state;
    const pending = items.filter((i) => i.state === 'queued' || i.state === 'hashing').length;
    const failed = items.filter((i) => i.state === 'error').length;
    ctx.q('#review-pending').textContent = [
      pending ? t('review.pending', { count: pending }) : '',
      failed ? t('review.failedFiles', { count: failed }) : '',
    ]
      .filter(Boolean)
      .join(' ');
    ctx.q('#send').disabled = pending > 0;
    ctx.clearError('review-error');
    const built = await ctx.build();
    if (!built || ctx.step !== 'review') return;
    const { report } = built;
    const dl = h('dl', { className: 'summary' });
    const add = (label, ...values) => dl.append(h('dt', { textContent: label }), h('dd', {}, ...values));
    const code = (text) => h('code', { textContent: text });
    const br = () => h('br');
    const list = (rows) => h('ol', {}, ...rows.map((row) => h('li', {}, ...row)));
    add(t('review.situation'), t(`situation.${report.situation}`));
    add(
      t('review.items', { count: report.items.length }),
      report.items.length
        ? list(report.items.map((item, i) => [
          h('strong', { textContent: t('review.item', { n: i + 1, kind: t(`kind.${item.kind}`) }) }),
          br(), 'SHA-256: ', code(item.sha256),
          br(), 'MD5: ', code(item.md5),
          ...(item.sha1 ? [br(), 'SHA-1: ', code(item.sha1)] : []),
          ...(item.pdq ? [br(), 'PDQ: ', code(item.pdq.hash), ` (${t('pdq.quality', { quality: item.pdq.quality })})`] : []),
          ...(item.vpdq ? [br(), 'vPDQ: ', t('vpdq.frames', { count: vpdqHashCount(item.vpdq.hashes) })] : []),
        ]))
        : t('review.none'),
    );
    add(t('review.urls', { count: report.urls.length }), report.urls.length ? list(report.urls.map((u) => [code(u)])) : t('review.none'));
    if (report.accounts) add(t('accounts.review', { count: report.accounts.length }), list(report.accounts.map((a) => [`${a.platform}: ${a.name}`])));
    add(t('review.explanation'), report.explanation ?? t('review.none'));
    add(
      t('review.contact'),
      report.contact
        ? [report.contact.name, report.contact.email].filter(Boolean).join(', ')
        : t(isMinor(ctx.state) ? 'review.anonymousMinor' : 'review.anonymous'),
    );
    add(t('review.goodFaith'), t('review.yes'));
    add(t('review.language'), report.language);
    add(t('review.createdAt'), report.created_at);
    ctx.q('#review').replaceChildren(dl);
    ctx.q('#raw-json').textContent = JSON.stringify(report, null, 2);
  };

  return {
    id: 'review',
    html,
    render,
    shown: render,
    // A refusal of no field of its own (the report as a whole) is shown here.
    fields: [[/(?:)/, 'review-error']],

    wire() {
      ctx.q('#send').addEventListener('click', () => ctx.steps.send.send());
    },

    applyText() {
      if (ctx.step === 'review') render();
    },
  };
};
