// The review: the report exactly as it would be sent, built by the core: a summary in words, and
// the exact JSON on request. Nothing is sent until the person presses Send (the send step).
// Here too the one choice about what happens after sending: whether the helpline may share the
// fingerprints with platforms that block copies (issue 20). It is asked here, not with the
// statement on the step before, because here the person has just seen what the fingerprints
// are, beside "Who sees your report", whose "unless you agree" it answers; unticked by default.
import { vpdqHashCount } from '../report.js';
import { h } from '../dom.js';
import { isMinor } from './situation.js';
import { WHO_HTML, renderWho } from '../components/who-sees-what.js';

const html = `
<section data-step="review" aria-labelledby="h-review" hidden>
  <h2 id="h-review" tabindex="-1" data-i18n="review.heading"></h2>
  <p class="lead" data-i18n="review.lead"></p>
  <p class="pending" id="review-pending" role="status"></p>
  <p class="review-sum" id="review-sum"></p>
  <div id="review"></div>
  <p class="hint" data-i18n="review.notSent"></p>
  ${WHO_HTML}
  <fieldset class="share" id="share-box" hidden>
    <legend id="share-legend"></legend>
    <div id="share-explained"><p id="share-intro"></p><p id="share-what"></p><p id="share-undo"></p><p id="share-no"></p></div>
    <label class="choice"><input type="checkbox" id="share-with-platforms" aria-describedby="share-explained">
      <span id="share-yes"></span></label>
  </fieldset>
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
    const files = ctx.state.items;
    const pending = files.filter((i) => i.state === 'queued' || i.state === 'hashing').length;
    const failed = files.filter((i) => i.state === 'error').length;
    ctx.q('#review-pending').textContent = [
      pending ? t('review.pending', { count: pending }) : '',
      failed ? t('review.failedFiles', { count: failed }) : '',
    ]
      .filter(Boolean)
      .join(' ');
    // Not while the report is being built again (the choice changed): Send sends what is shown.
    const sendButton = ctx.q('#send');
    sendButton.disabled = true;
    ctx.clearError('review-error');
    const minor = isMinor(ctx.state);
    // The choice, in a child's words on the child's path.
    const name = ctx.helplineName();
    const say = (id, words) => (ctx.q(id).textContent = words);
    say('#share-legend', t(minor ? 'share.legendChild' : 'share.legend'));
    say('#share-intro', t(minor ? 'share.introChild' : 'share.intro', { name }));
    say('#share-what', t(minor ? 'share.whatChild' : 'share.what'));
    say('#share-undo', t(minor ? 'share.undoChild' : 'share.undo', { name }));
    say('#share-no', t(minor ? 'share.noChild' : 'share.no', { name }));
    say('#share-yes', t(minor ? 'share.yesChild' : 'share.yes'));
    ctx.q('#share-with-platforms').checked = ctx.state.shareWithPlatforms;
    const built = await ctx.build();
    sendButton.disabled = pending > 0;
    if (!built || ctx.step !== 'review') return;
    const { report } = built;
    const { items, urls, accounts = [], contact } = report;
    const shared = report.share_with_platforms === true;
    ctx.q('#share-box').hidden = !items.length;
    // "4 photos and videos, 7 links, contact by email": what is in it, at a glance.
    ctx.q('#review-sum').textContent = [
      items.length ? t('review.sum.files', { count: items.length }) : '',
      urls.length ? t('review.sum.links', { count: urls.length }) : '',
      accounts.length ? t('review.sum.accounts', { count: accounts.length }) : '',
      contact?.email ? t('review.sum.email') : t('review.sum.noEmail'),
      // Said here only when chosen; the list below says it either way.
      shared ? t('share.sumYes') : '',
    ]
      .filter(Boolean)
      .join(', ');
    const dl = h('dl', { className: 'summary' });
    const add = (label, ...values) => dl.append(h('dt', { textContent: label }), h('dd', {}, ...values));
    const code = (text) => h('code', { textContent: text });
    const list = (rows) => h('ol', {}, ...rows.map((row) => h('li', {}, ...row)));
    // Each file by what its fingerprints can find; the digests themselves are in the JSON below.
    const found = (item) =>
      item.vpdq
        ? t('review.fp.video', { count: vpdqHashCount(item.vpdq.hashes) })
        : item.pdq
          ? t('review.fp.image')
          : t('review.fp.exact');
    add(t('review.situation'), t(`situation.${report.situation}`));
    add(
      t('review.items', { count: items.length }),
      items.length
        ? list(items.map((item, i) => [h('strong', { textContent: t('review.item', { n: i + 1, kind: t(`kind.${item.kind}`) }) }), ': ', found(item)]))
        : t('review.none'),
    );
    add(t('review.urls', { count: urls.length }), urls.length ? list(urls.map((u) => [code(u)])) : t('review.none'));
    if (report.accounts) add(t('accounts.review', { count: accounts.length }), list(accounts.map((a) => [`${a.platform}: ${a.name}`])));
    add(t('review.explanation'), report.explanation ?? t('review.none'));
    add(
      t('review.contact'),
      contact ? [contact.name, contact.email].filter(Boolean).join(', ') : t(minor ? 'review.anonymousMinor' : 'review.anonymous'),
    );
    add(t('review.goodFaith'), t('review.yes'));
    if (items.length) add(t('share.review'), shared ? t('share.reviewYes') : t('share.reviewNo', { name }));
    // The language and time in words, as the person reads them; the JSON has the codes.
    add(t('review.language'), new Intl.DisplayNames([ctx.lang], { type: 'language' }).of(report.language) ?? report.language);
    add(t('review.createdAt'), new Intl.DateTimeFormat(ctx.lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(report.created_at)));
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
      // The report is built again with the choice, so the summary and the JSON shown are what is sent.
      ctx.q('#share-with-platforms').addEventListener('change', (e) => {
        ctx.state.shareWithPlatforms = e.target.checked;
        render();
      });
    },

    applyText() {
      if (ctx.step === 'review') render();
    },
  };
};
