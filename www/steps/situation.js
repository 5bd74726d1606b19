// The first step: what happened. A minor's report is anonymous, keeps no screenshot, and points
// to the hotline for child sexual abuse material. Before the question: how long it takes, what to
// have ready, and who sees what.
import { WHO_HTML, renderWho } from '../components/who-sees-what.js';

const SITUATIONS = ['shared', 'threatened', 'minor', 'other'];
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
    ${SITUATIONS.map((s) => `<label class="choice"><input type="radio" name="situation" value="${s}"> <span data-i18n="situation.${s}"></span></label>`).join('\n    ')}
  </fieldset>
  <p class="error" id="situation-error" role="alert" hidden></p>
  <div class="minor-note" id="minor-note" hidden>
    <p><strong data-i18n="minor.anonymous"></strong></p>
    <p data-i18n="minor.noScreenshots"></p>
    <p><span data-i18n="minor.hotline"></span> <a id="hotline" target="_blank" rel="noopener noreferrer"></a></p>
  </div>
  <div class="nav"><button type="button" class="next primary" data-i18n="nav.next"></button></div>
  <p class="aside"><button type="button" class="link" id="to-check" data-i18n="check.open"></button> <button type="button" class="link" id="send-saved" data-i18n="saved.open"></button><span class="error" id="saved-error" role="alert" hidden></span></p>
</section>`;

/**
 * Is this a report about someone under 18 (anonymous, no screenshots)? A saved report sent again
 * has no situation chosen on the page: its built report says. (When the age is asked on its own,
 * issue 18, only this changes.)
 */
export const isMinor = (state) => (state.situation ?? state.built?.report?.situation) === 'minor';

export default (ctx) => ({
  id: 'situation',
  html,
  fields: [[/^situation/, 'situation-error', '#situation input']],

  wire() {
    ctx.q('#situation').addEventListener('change', (e) => {
      ctx.state.situation = e.target.value;
      ctx.clearError('situation-error');
      ctx.situationChanged();
    });
    ctx.q('#to-check').addEventListener('click', (e) => ctx.openCheck(e.currentTarget));
  },

  applyText() {
    const hotline = ctx.q('#hotline');
    hotline.href = ctx.attrUrl('hotline-url') ?? HOTLINES[ctx.lang];
    hotline.textContent = ctx.t('minor.hotlineLink');
    renderWho(ctx, ctx.q('section[data-step="situation"] .who'));
  },

  situation() {
    ctx.q('#minor-note').hidden = !isMinor(ctx.state);
    renderWho(ctx, ctx.q('section[data-step="situation"] .who'));
  },

  next() {
    if (ctx.state.situation) return true;
    ctx.fieldError('situation-error', 'invalid.situation', {}, ctx.q('#situation input'));
    return false;
  },
});
