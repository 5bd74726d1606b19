// The send step's part that is needed only once Send is pressed or a package is kept: what
// happens next, copying the codes, the receipts and the evidence package. Fetched then (send.js
// asks for it before posting), so the page's first load stays small.
import { receipt, receiptHtml } from '../report.js';
import { zip } from '../zip.js';
import { kept } from './evidence.js';
import { isMinor } from './situation.js';

export default (ctx) => {
  /** What happens next, as the sent page and the printable receipt list it. */
  const nextSteps = () => {
    const { t } = ctx;
    const cfg = ctx.config;
    const name = ctx.helplineName();
    const days = (n) => t(n === 1 ? 'next.oneDay' : 'next.days', { n });
    const steps = [
      cfg.firstLookDays ? t('next.look', { name, days: days(cfg.firstLookDays) }) : t('next.lookSoon', { name }),
      t('next.sites'),
    ];
    // A child's report is anonymous by design: nothing to regret in not leaving an address.
    if (isMinor(ctx.state)) steps.push(t('next.anonymous'));
    else if (!ctx.state.built.report.contact?.email) steps.push(t('next.noEmail'));
    else steps.push(cfg.answerDays ? t('next.answer', { days: days(cfg.answerDays) }) : t('next.answerSoon'));
    if (ctx.state.sent?.token) steps.push(t('next.check', { check: t('check.open') }));
    return steps;
  };

  const copy = async (which) => {
    const status = ctx.q('#copy-status');
    status.textContent = '';
    try {
      await navigator.clipboard.writeText(ctx.state.sent[which]);
      status.textContent = ctx.t('sent.copied');
    } catch {
      status.textContent = ctx.t('sent.copyFailed');
    }
  };

  /**
   * The receipt, listing the screenshots kept (not their pixels). Before sending: no reference
   * or code, and the report only once Send was pressed (before, it may still change).
   */
  const receiptOf = (evidence) => {
    const s = ctx.state;
    return receipt(s.sent || s.sendError ? s.built.report : null, s.sent, evidence.map(({ png, ...entry }) => entry));
  };
  const page = (r) => receiptHtml(r, ctx.t, ctx.lang, ctx.state.sent ? { helpline: localName(), next: nextSteps() } : {});
  // The receipt names the helpline only when it is configured: "the helpline" is no name.
  const localName = () => (ctx.config.name ? ctx.helplineName() : '');

  const saveReceipt = (type) => {
    const r = receiptOf(kept(ctx.state));
    const blob =
      type === 'json'
        ? new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' })
        : new Blob([page(r)], { type: 'text/html' });
    ctx.save(blob, `receipt-${ctx.state.sent.reference}.${type}`);
    ctx.state.receiptSaved = true;
  };

  /**
   * One ZIP: the blacked-out screenshots and both receipts. Made here; nothing is sent. Before
   * sending (the evidence step, or sending failed) the receipts have no reference or code.
   */
  const saveEvidence = async () => {
    const s = ctx.state;
    const evidence = kept(s);
    const r = receiptOf(evidence);
    const files = [
      ...evidence.map(({ file, png }) => ({ name: file, bytes: png })),
      { name: 'receipt.json', bytes: `${JSON.stringify(r, null, 2)}\n` },
      { name: 'receipt.html', bytes: page(r) },
    ];
    const date = s.sent ? new Date(s.sent.sentAt) : new Date();
    ctx.save(zip(files, date), `evidence-${s.sent?.reference ?? date.toISOString().slice(0, 10)}.zip`);
    if (!s.sent) return;
    s.receiptSaved = true;
    s.evidenceSaved = true;
  };

  return { nextSteps, copy, saveReceipt, saveEvidence };
};
