// who-sees-what.js: one short box, on the first step and on the review, that names who receives
// the report, what they get, what never leaves the device, how long it is kept and who else sees
// it, from the helpline's configuration or in neutral words. The longer part is folded away.
import { localise } from '../config.js';
import { h } from '../dom.js';
import { isMinor } from '../steps/situation.js';

export const WHO_HTML = '<div class="who"></div>';

/** Fills the box `box` for the language, configuration and situation of now (left open if it was). */
export function renderWho(ctx, box) {
  const { t, config } = ctx;
  const name = ctx.helplineName();
  const handling = localise(config.handling, ctx.lang);
  const p = (text) => h('p', { textContent: text });
  box.replaceChildren(
    h('p', {}, h('strong', { textContent: t('who.heading') })),
    p(t(isMinor(ctx.state) ? 'who.receivesMinor' : 'who.receives', { name })),
    p(t('who.never')),
    h(
      'details',
      { open: !!box.querySelector('details')?.open },
      h('summary', { textContent: t('who.more') }),
      ...(handling ? [p(handling)] : []),
      p(config.keepMonths ? t('who.keep', { name, months: config.keepMonths }) : t('who.keepUnknown', { name })),
      p(t('who.shared')),
      ...(config.privacyUrl
        ? [h('p', {}, h('a', { href: config.privacyUrl, textContent: t('who.privacy', { name }), target: '_blank', rel: 'noopener noreferrer' }))]
        : []),
    ),
  );
}
