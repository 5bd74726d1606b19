// About the person reporting (a minor stays anonymous) and the explanation; Next builds the
// report through the core, and a field it refuses is shown here, explained. A minor confirms in
// plain words that it is true; `good_faith` means the same.
import { isMinor } from './situation.js';

const html = `
<section data-step="about" aria-labelledby="h-about" hidden>
  <h2 id="h-about" tabindex="-1" data-i18n="about.heading"></h2>
  <p class="for-adult" data-i18n="about.intro"></p>
  <p class="for-minor" data-i18n="about.minor"></p>
  <div class="field for-adult">
    <label for="name" data-i18n="about.name"></label>
    <input id="name" autocomplete="name" maxlength="200" aria-describedby="name-error">
    <p class="error" id="name-error" role="alert" hidden></p>
  </div>
  <div class="field for-adult">
    <label for="email" data-i18n="about.email"></label>
    <input id="email" type="email" autocomplete="email" maxlength="254" aria-describedby="email-help email-error">
    <p class="hint" id="email-help" data-i18n="about.emailHelp"></p>
    <p class="error" id="email-error" role="alert" hidden></p>
  </div>
  <div class="field">
    <label for="explanation" data-i18n="about.explanation"></label>
    <textarea id="explanation" rows="5" maxlength="5000" aria-describedby="explanation-help explanation-error"></textarea>
    <p class="hint" id="explanation-help" data-i18n="about.explanationHelp"></p>
    <p class="error" id="explanation-error" role="alert" hidden></p>
  </div>
  <div class="field">
    <label class="choice"><input type="checkbox" id="good-faith" aria-describedby="good-faith-error">
      <span class="for-adult" data-i18n="about.goodFaith"></span><span class="for-minor" data-i18n="about.goodFaithChild"></span></label>
    <p class="error" id="good-faith-error" role="alert" hidden></p>
  </div>
  <div class="nav">
    <button type="button" class="back" data-i18n="nav.back"></button>
    <button type="button" class="next primary" data-i18n="nav.review"></button>
  </div>
</section>`;

const FIELDS = [['name', 'name'], ['email', 'email'], ['explanation', 'explanation'], ['good-faith', 'goodFaith']];

export default (ctx) => ({
  id: 'about',
  html,
  // Where the core's refusals of these fields are shown: [field path, error, field to focus].
  fields: [
    [/^contact\.name/, 'name-error', '#name'],
    [/^contact(\.email)?$/, 'email-error', '#email'],
    [/^explanation/, 'explanation-error', '#explanation'],
    [/^good_faith/, 'good-faith-error', '#good-faith'],
  ],

  wire() {
    for (const [id, key] of FIELDS) {
      const checkbox = key === 'goodFaith';
      ctx.q(`#${id}`).addEventListener(checkbox ? 'change' : 'input', (e) => {
        ctx.state[key] = checkbox ? e.target.checked : e.target.value;
        ctx.clearError(`${id}-error`);
      });
    }
  },

  situation() {
    const minor = isMinor(ctx.state);
    for (const el of ctx.all('.for-adult')) el.hidden = minor;
    for (const el of ctx.all('.for-minor')) el.hidden = !minor;
  },

  async next() {
    for (const [id] of FIELDS) ctx.clearError(`${id}-error`);
    return !!(await ctx.build());
  },
});
