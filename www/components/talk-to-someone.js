// talk-to-someone.js: "Want to talk to someone?", a quiet disclosure the element shows once, under
// its top bar, on every step and the status check. It lists the configured people to talk to
// (config.js's contacts()); a minor gets the line for children first and hears they are not in
// trouble. Without contacts it says where they are found: the helpline's own site, where the
// element is embedded. Every link comes from the checked configuration, so none is empty.
import { contacts } from '../config.js';
import { h } from '../dom.js';
import { isMinor } from '../steps/situation.js';

export const TALK_HTML = `
<details class="talk" id="talk"><summary data-i18n="talk.summary"></summary><div id="talk-body"></div></details>`;

/** Fills the disclosure for the language, configuration and situation of now. */
export function renderTalk(ctx) {
  const { t } = ctx;
  const minor = isMinor(ctx.state);
  const people = contacts(ctx.config, ctx.lang, { minor });
  const link = (href, text) => h('a', { href, textContent: text, target: '_blank', rel: 'noopener noreferrer' });
  const item = (c) => {
    const ways = [
      c.tel && h('a', { href: c.tel, textContent: t('talk.call', { phone: c.phone }) }),
      c.chatUrl && link(c.chatUrl, t('talk.chat')),
      c.email && h('a', { href: `mailto:${c.email}`, textContent: c.email }),
      c.url && link(c.url, t('talk.web')),
    ].filter(Boolean);
    const about = c.about || (c.kind === 'helpline' ? t('talk.helpline') : '');
    return h(
      'li',
      { className: c.kind },
      ...(c.name ? [h('strong', { textContent: c.name })] : []),
      ...(about ? [h('p', { textContent: about })] : []),
      h('p', { className: 'ways' }, ...ways),
      ...(c.hours ? [h('p', { className: 'hint', textContent: t('talk.hours', { hours: c.hours }) })] : []),
    );
  };
  ctx.q('#talk-body').replaceChildren(
    ...(minor ? [h('p', { className: 'not-in-trouble', textContent: t('talk.minor') })] : []),
    people.length
      ? h('ul', { className: 'contacts' }, ...people.map(item))
      : h('p', { textContent: t('talk.none', { name: ctx.helplineName() }) }),
    h('p', { textContent: t('talk.emergency') }),
  );
}
