// The first step: what happened, and apart from it whether the person in the images was under 18
// (issue 18). A minor's report is anonymous, keeps no screenshot, and points to the hotline for
// child sexual abuse material. A threat gets its advice here, before anything else, and a place
// to name the account it comes from. Before the questions: how long it takes, what to have
// ready, and who sees what.
import { WHO_HTML, renderWho } from '../components/who-sees-what.js';
import { accounts, accountsHtml } from './urls.js';

// What happened, as a report names it; 'minor' only in reports of pages before the age question.
const SITUATIONS = ['shared', 'threatened', 'minor', 'other'];
const CHOICES = SITUATIONS.filter((s) => s !== 'minor');
const HOTLINES = { en: 'https://www.inhope.org/EN', nl: 'https://www.meldpunt-kinderporno.nl/' };

const html = `
<section data-step="situation" aria-labelledby="h-situation">
  <h2 id="h-situation" tabindex="-1" data-i18n="situation.heading"></h2>
  <p data-i18n="situation.intro"></p>
  <ul class="before">
    <li data-i18n="start.time"></li>
    <li data-i18n="start.ready"></li>
    <li data-i18n="start.unsaved"></li>
  </ul>
  ${WHO_HTML}
  <fieldset id="situation" aria-describedby="situation-error">
    <legend data-i18n="situation.legend"></legend>
    ${CHOICES.map((s) => `<label class="choice"><input type="radio" name="situation" value="${s}"> <span data-i18n="situation.${s}"></span></label>`).join('\n    ')}
  </fieldset>
  <p class="error" id="situation-error" role="alert" hidden></p>
  <fieldset id="age" aria-describedby="age-hint age-error">
    <legend data-i18n="age.legend"></legend>
    <p class="hint" id="age-hint" data-i18n="age.hint"></p>
    <label class="choice"><input type="radio" name="age" value="yes"> <span data-i18n="age.yes"></span></label>
    <label class="choice"><input type="radio" name="age" value="no"> <span data-i18n="age.no"></span></label>
    <label class="choice"><input type="radio" name="age" value="unsure"> <span data-i18n="age.unsure"></span></label>
  </fieldset>
  <p class="error" id="age-error" role="alert" hidden></p>
  <div class="minor-note" id="minor-note" hidden>
    <p id="age-unsure-note" data-i18n="age.unsureNote" hidden></p>
    <p id="shots-removed" hidden><strong data-i18n="minor.shotsRemoved"></strong></p>
    <p><strong data-i18n="minor.anonymous"></strong></p>
    <p data-i18n="minor.noScreenshots"></p>
    <p><span data-i18n="minor.hotline"></span> <a id="hotline" target="_blank" rel="noopener noreferrer"></a></p>
  </div>
  <div class="threat-note" id="threat-note" hidden>
    <h3 id="threat-heading" data-i18n="threat.heading"></h3>
    <p class="for-minor" data-i18n="threat.childIntro"></p>
    <ul class="for-adult">
      <li data-i18n="threat.pay"></li><li data-i18n="threat.contact"></li>
      <li data-i18n="threat.keep"></li><li data-i18n="threat.report"></li>
    </ul>
    <ul class="for-minor">
      <li data-i18n="threat.payChild"></li><li data-i18n="threat.contactChild"></li>
      <li data-i18n="threat.keepChild"></li><li data-i18n="threat.reportChild"></li>
    </ul>
    ${accountsHtml('threat-', '<legend data-i18n="threat.where"></legend>\n    <p class="hint" id="threat-account-help" data-i18n="threat.whereHelp"></p>')}
  </div>
  <div class="nav"><button type="button" class="next primary" data-i18n="nav.next"></button></div>
  <p class="aside"><button type="button" class="link" id="to-check" data-i18n="check.open"></button> <button type="button" class="link" id="send-saved" data-i18n="saved.open"></button><span class="error" id="saved-error" role="alert" hidden></span></p>
</section>`;

/**
 * Is this a report about someone under 18 (anonymous, no screenshots)? The age answer says: yes
 * and "not sure" are (keeping a copy of a child's picture is the harm to avoid, so doubt goes the
 * child's way). A saved report sent again has no answer on the page: its built report
 * says (`under_18`, or the situation `minor` of a page before the age question).
 */
export const isMinor = (state) => {
  if (state.age) return state.age !== 'no';
  const report = state.built?.report;
  return report?.under_18 === true || report?.situation === 'minor';
};

export default (ctx) => {
  const threatAccounts = accounts(ctx, 'threat-');
  return {
    id: 'situation',
    html,
    fields: [[/^situation/, 'situation-error', '#situation input']],

    wire() {
      ctx.q('#situation').addEventListener('change', (e) => {
        ctx.state.situation = e.target.value;
        ctx.clearError('situation-error');
        ctx.situationChanged();
      });
      ctx.q('#age').addEventListener('change', (e) => {
        ctx.state.age = e.target.value;
        ctx.clearError('age-error');
        ctx.situationChanged();
      });
      threatAccounts.wire();
      ctx.q('#to-check').addEventListener('click', (e) => ctx.openCheck(e.currentTarget));
    },

    applyText() {
      const hotline = ctx.q('#hotline');
      hotline.href = ctx.attrUrl('hotline-url') ?? HOTLINES[ctx.lang];
      hotline.textContent = ctx.t('minor.hotlineLink');
      renderWho(ctx, ctx.q('section[data-step="situation"] .who'));
      threatAccounts.render();
    },

    // Accounts may have been named or removed on the links step since.
    shown: threatAccounts.render,
    reset: threatAccounts.render,

    situation() {
      const minor = isMinor(ctx.state);
      ctx.q('#minor-note').hidden = !minor;
      ctx.q('#age-unsure-note').hidden = ctx.state.age !== 'unsure';
      if (!minor) ctx.q('#shots-removed').hidden = true;
      ctx.q('#threat-note').hidden = ctx.state.situation !== 'threatened';
      for (const el of ctx.all('#threat-note .for-adult')) el.hidden = minor;
      for (const el of ctx.all('#threat-note .for-minor')) el.hidden = !minor;
      renderWho(ctx, ctx.q('section[data-step="situation"] .who'));
    },

    /** Screenshots were kept, then the answer became under 18: they are gone; say so, and why. */
    shotsRemoved() {
      ctx.q('#shots-removed').hidden = false;
      ctx.announce(ctx.t('minor.shotsRemoved'));
    },

    next() {
      const { situation, age } = ctx.state;
      if (!situation) ctx.fieldError('situation-error', 'invalid.situation', {}, ctx.q('#situation input'));
      else if (!age) ctx.fieldError('age-error', 'age.missing', {}, ctx.q('#age input'));
      return !!(situation && age);
    },
  };
};
