// The addresses where the pictures are: every http(s) link in what is pasted, read as the browser
// reads it, less the parameters that only track a click; and accounts named without a link.
import { MAX_ACCOUNT_NAME_CHARS, MAX_ACCOUNTS, MAX_PLATFORM_CHARS, MAX_URL_BYTES, MAX_URLS } from '../constants.js';
import { h } from '../dom.js';

/** Suggestions for an account's platform; any other name may be typed. */
const PLATFORMS = ['Instagram', 'TikTok', 'Snapchat', 'X (Twitter)', 'Facebook', 'WhatsApp', 'Telegram', 'Discord', 'YouTube', 'Reddit'];

/**
 * The fields that name an account without a link, and the list of those named (`state.accounts`).
 * Here, and on the situation step for a threat (ids prefixed `p`): one list, shown in two places.
 * `legendAndHelp`: the legend, and a hint of id `${p}account-help`.
 */
export const accountsHtml = (p, legendAndHelp) => `
  <fieldset id="${p}accounts" class="aside">
    ${legendAndHelp}
    <div class="field"><label for="${p}account-platform" data-i18n="accounts.platform"></label>
      <input id="${p}account-platform" list="${p}account-platforms" maxlength="${MAX_PLATFORM_CHARS}" autocomplete="off" aria-describedby="${p}account-help ${p}account-errors">
      <datalist id="${p}account-platforms">${PLATFORMS.map((p) => `<option value="${p}">`).join('')}</datalist></div>
    <div class="field"><label for="${p}account-name" data-i18n="accounts.name"></label>
      <input id="${p}account-name" maxlength="${MAX_ACCOUNT_NAME_CHARS}" autocomplete="off" autocapitalize="off" spellcheck="false" aria-describedby="${p}account-errors"></div>
    <button type="button" id="${p}add-account" data-i18n="accounts.add"></button>
    <p class="error" id="${p}account-errors" role="alert" hidden></p>
  </fieldset>
  <h3 id="${p}account-list-heading" hidden></h3>
  <ol class="url-list" id="${p}account-list" aria-labelledby="${p}account-list-heading"></ol>`;

/** A list of a step: its heading, and a line per entry with a Remove button. */
function list(ctx, id, heading, entries) {
  const el = ctx.q(`#${id}-heading`);
  el.hidden = !entries.length;
  el.textContent = heading;
  ctx.q(`#${id}`).replaceChildren(...entries.map((text, i) => {
    const button = h('button', { type: 'button', textContent: ctx.t('urls.remove') });
    button.dataset.i = i;
    button.setAttribute('aria-label', ctx.t(id === 'url-list' ? 'urls.removeLabel' : 'accounts.removeLabel', { url: text }));
    return h('li', {}, h('span', { className: 'url', textContent: text }), ' ', button);
  }));
}

/** Removes the entry of a list's Remove button, then focuses the next one, or the field to add. */
const removeFrom = (ctx, id, key, field, render) => (e) => {
  const button = e.target.closest('button');
  if (!button) return;
  const list = ctx.state[key];
  const i = Number(button.dataset.i);
  list.splice(i, 1);
  render();
  ctx.announce(ctx.t(key === 'urls' ? 'urls.removed' : 'accounts.removed'));
  const buttons = ctx.all(`#${id} button`);
  (buttons[Math.min(i, buttons.length - 1)] ?? ctx.q(field)).focus();
};

/** The accounts part of `accountsHtml(p, …)`: `wire()` once, `render()` when its step is shown. */
export function accounts(ctx, p) {
  const render = () => list(ctx, `${p}account-list`, ctx.t('accounts.listHeading', { count: ctx.state.accounts.length }),
    ctx.state.accounts.map((a) => `${a.platform}: ${a.name}`));

  /** Adds the account of the two fields; both are needed. */
  const add = () => {
    const [platform, name] = [`#${p}account-platform`, `#${p}account-name`].map((id) => ctx.q(id));
    const account = { platform: platform.value.replace(HIDDEN, '').trim(), name: name.value.replace(HIDDEN, '').trim() };
    const { accounts } = ctx.state;
    const errors = `${p}account-errors`;
    const empty = !account.platform ? platform : !account.name && name;
    if (empty) return ctx.fieldError(errors, 'accounts.missing', {}, empty);
    ctx.clearError(errors);
    if (accounts.some((a) => a.platform === account.platform && a.name === account.name)) {
      ctx.announce(ctx.t('accounts.known'));
    } else if (accounts.length >= MAX_ACCOUNTS) {
      return ctx.fieldError(errors, 'accounts.limit', { max: MAX_ACCOUNTS }, name);
    } else {
      accounts.push(account);
      ctx.announce(ctx.t('accounts.added', { total: accounts.length }));
    }
    platform.value = name.value = '';
    render();
    platform.focus();
  };

  return {
    render,
    wire() {
      ctx.q(`#${p}add-account`).addEventListener('click', add);
      ctx.q(`#${p}account-name`).addEventListener('keydown', (e) => {
        if (e.key === 'Enter') add();
      });
      ctx.q(`#${p}account-list`).addEventListener('click', removeFrom(ctx, `${p}account-list`, 'accounts', `#${p}account-platform`, render));
    },
  };
}

const html = `
<section data-step="urls" aria-labelledby="h-urls" hidden>
  <h2 id="h-urls" tabindex="-1" data-i18n="urls.heading"></h2>
  <p id="urls-intro"></p>
  <label for="url-input" data-i18n="urls.label"></label>
  <textarea id="url-input" rows="4" autocomplete="off" autocapitalize="off" spellcheck="false"
    aria-describedby="url-help url-errors"></textarea>
  <p class="hint" id="url-help" data-i18n="urls.help"></p>
  <button type="button" id="add-urls" data-i18n="urls.add"></button>
  <ul class="hint" id="url-taken"></ul>
  <div class="error" id="url-errors" role="alert" hidden><p id="url-errors-summary"></p><ul></ul></div>
  <details id="url-howto"><summary data-i18n="urls.howto"></summary><ul>
    <li data-i18n="urls.howto.instagram"></li><li data-i18n="urls.howto.tiktok"></li>
    <li data-i18n="urls.howto.snapchat"></li><li data-i18n="urls.howto.x"></li>
    <li data-i18n="urls.howto.facebook"></li><li data-i18n="urls.howto.chat"></li>
    <li data-i18n="urls.howto.browser"></li>
  </ul></details>
  <h3 id="url-list-heading" hidden></h3>
  <ol class="url-list" id="url-list" aria-labelledby="url-list-heading"></ol>
  ${accountsHtml('', '<legend data-i18n="accounts.heading"></legend>\n    <p class="hint" id="account-help" data-i18n="accounts.help"></p>')}
  <div class="nav">
    <button type="button" class="back" data-i18n="nav.back"></button>
    <button type="button" class="next primary" data-i18n="nav.next"></button>
  </div>
</section>`;

/** The IPv4 address `a.b.c.d` as its four numbers. */
const octets = (host) => host.split('.').map(Number);

/**
 * Whether an IPv4 address is on this device or a private network, as the core's
 * is_private_ipv4 (crate/src/report/rules.rs) says: 0/8, 10/8, 127/8, 169.254/16, 172.16/12,
 * 192.168/16, 100.64/10.
 */
function privateIpv4([a, b]) {
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32)
    || (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128);
}

/**
 * Whether a host as `URL` writes it (IPv4 in dotted decimal, IPv6 in brackets and hex, names in
 * lower case) is this device or a private network: `localhost` and names under it, and the
 * ranges of the core's is_private_ipv4 and is_private_ipv6.
 */
function isPrivateHost(host) {
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return privateIpv4(octets(host));
  if (!host.startsWith('[')) return false;
  // Eight 16-bit groups, the '::' filled with zeros.
  const [head, tail = ''] = host.slice(1, -1).split('::');
  const part = (s) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const [h, t] = [part(head), part(tail)];
  const g = host.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill(0), ...t] : h;
  const v4 = [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255];
  const zeros = (from, to) => g.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 5) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6);
  return (zeros(0, 7) && g[7] <= 1) // :: and ::1
    || (g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xffc0) === 0xfec0
    || ((mapped || nat64) && privateIpv4(v4));
}

/** A line of the URL box as the WHATWG parser writes it, or why it cannot be reported. */
export function normaliseUrl(line) {
  let text = line.trim();
  // "example.com/x" and "example.com:8080/x" mean https. Anything else before a colon is a
  // scheme, typos included: "http:/x.example" is read as the browser reads it, and "htps:/x",
  // "javascript:" or "ftp://" are refused below rather than turned into a host.
  const scheme = /^[a-z][a-z\d+.-]*:/i.test(text) && !/^[^:/?#]+:\d/.test(text);
  if (!scheme) text = `https://${text}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'invalid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'scheme' };
  if (!url.hostname || /\s/.test(line.trim())) return { problem: 'invalid' };
  if (isPrivateHost(url.hostname)) return { problem: 'private' };
  // The fragment never reaches the server, and credentials in a link must not be passed on.
  url.hash = '';
  url.username = '';
  url.password = '';
  const href = url.href;
  // `URL` keeps a '%' that starts no escape (`%zz`) as it is; the core refuses it.
  if (/%(?![\da-f]{2})/i.test(href)) return { problem: 'invalid' };
  if (href.length > MAX_URL_BYTES) return { problem: 'long' };
  return { url: href };
}

/**
 * Query parameters that only say where a click or share came from, dropped from every link:
 * they identify the person who shared it, never the content. Names in lower case; `utm_*` below.
 */
const TRACKING = new Set([
  'fbclid', // Facebook's click id
  'gclid', 'dclid', 'gbraid', 'wbraid', // Google Ads' click ids
  '_ga', '_gl', // Google Analytics' cross-site linker
  'msclkid', // Microsoft Ads' click id
  'igshid', 'igsh', // Instagram's share id
  'mc_cid', 'mc_eid', // Mailchimp's campaign and recipient
  'ref_src', 'ref_url', // X/Twitter's embed referrer
  'twclid', // X/Twitter Ads' click id
  'ttclid', // TikTok Ads' click id
  'yclid', // Yandex's click id
  'li_fat_id', // LinkedIn's click id
  'mkt_tok', // Marketo's recipient
  '_hsenc', '_hsmi', // HubSpot's recipient and email
]);

/**
 * Parameters that track only on some hosts (elsewhere they may name the content): [host and
 * the names under it, parameters].
 */
const HOST_TRACKING = [
  [/(^|\.)(twitter|x)\.com$/, ['s', 't']], // the app that shared, and the sharer's token
  [/(^|\.)(youtube\.com|youtu\.be)$/, ['si', 'feature', 'pp']], // share id, "shared from", a feed's id; `v` and `t` stay
  [/(^|\.)spotify\.com$/, ['si']], // share id
  [/(^|\.)tiktok\.com$/, ['_r', '_t', 'is_from_webapp', 'sender_device', 'sender_web_id']], // the sharer's app and device
  [/(^|\.)facebook\.com$/, ['mibextid', 'rdid', 'sfnsn']], // shared from Messenger or an app; `story_fbid`, `id` stay
];

/** `url` (as `URL` writes it) without its tracking parameters; the others keep their order and bytes. */
function dropTracking(url) {
  const u = new URL(url);
  if (!u.search) return url;
  const more = HOST_TRACKING.filter(([host]) => host.test(u.hostname)).flatMap(([, names]) => names);
  const pairs = u.search.slice(1).split('&');
  const kept = pairs.filter((pair) => {
    let name = pair.split('=')[0].toLowerCase();
    try {
      name = decodeURIComponent(name);
    } catch {} // a name that is no escape stays as written
    return !(name.startsWith('utm_') || TRACKING.has(name) || more.includes(name));
  });
  if (kept.length === pairs.length) return url;
  u.search = kept.join('&');
  return u.href;
}

// A link ends at white space, quotes or <>; then these at its end are punctuation of the text.
const LINK_END = /[\s<>"“”‘’«»‹›]/;
const TRAILING = `.,;:!?'*([{`;
const PAIRS = { ')': '(', ']': '[', '}': '{' };

/**
 * `text` less the punctuation of the sentence after it: `.,;:!?'` and the like, and a closing
 * bracket that has no opening one in the link (`(https://x.com/a)` loses it; Wikipedia's
 * `https://en.wikipedia.org/wiki/Tor_(network)` keeps its balanced pair).
 */
function trimEnd(text) {
  for (;;) {
    const last = text.at(-1);
    const open = PAIRS[last];
    const unbalanced = open && text.split(open).length < text.split(last).length;
    if (!TRAILING.includes(last) && !unbalanced) return text;
    text = text.slice(0, -1);
  }
}

/**
 * The links in one line of pasted text, as written: each from `http://` or `https://` to white
 * space, a quote or `<>`, its closing punctuation left out. A link glued to one before it
 * (`…/ahttps://…`) starts a new one, unless it follows `/ = ? & : % #`, where it is part of the
 * first (`?u=https://…`, an archive's `/web/2020/https://…`).
 */
export function findLinks(line) {
  const text = line.replace(/[\u200b-\u200d\u2060\ufeff]/g, ''); // invisible, never in an address
  const starts = [...text.matchAll(/https?:\/\//gi)].map((m) => m.index).filter((i) => !'/=?&:%#'.includes(text[i - 1] || ' '));
  return starts.map((start, n) => trimEnd(text.slice(start, starts[n + 1]).split(LINK_END)[0]));
}

/**
 * What one line of the box gives: [{text, url}] for each link (normalised, tracking dropped) or
 * [{text, problem}]. A line without an http(s) link is one bare address (`example.org/x` means
 * https) if it is one word with a `.`, `:` or `/`; otherwise it is words (`none`).
 */
export function readLine(line) {
  const links = findLinks(line);
  if (!links.length) {
    const word = trimEnd(line.trim().replace(/^[(<["'“‘«]+/, ''));
    links.push(/\s/.test(line.trim()) || !/[.:/]/.test(word) ? null : word);
  }
  return links.map((text) => {
    if (!text) return { text: line.trim(), problem: 'none' };
    const { url, problem } = normaliseUrl(text);
    return url ? { text, url: dropTracking(url) } : { text, problem };
  });
}

/** Characters that show nothing or turn text around: never part of what an app shows as a name. */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

export default (ctx) => {
  let taken = []; // what the last "Add" took from each pasted line: {line, count, known}

  /**
   * Adds every link of the box. What is refused stays in the box, on a line of its own, and each
   * refusal names that line as the box shows it now.
   */
  const add = () => {
    const box = ctx.q('#url-input');
    const { urls } = ctx.state;
    const bad = [];
    const kept = [];
    let added = 0;
    taken = [];
    box.value.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const refused = [];
      let count = 0;
      let known = 0;
      for (const { text, url, problem } of readLine(line)) {
        if (url && urls.includes(url)) known++;
        else if (url && urls.length < MAX_URLS) urls.push(url), count++;
        else refused.push({ text, problem: problem ?? 'limit' });
      }
      added += count;
      if (count || known) taken.push({ line: i + 1, count, known });
      if (!refused.length) return;
      kept.push(refused.map((r) => r.text).join(' '));
      for (const r of refused) bad.push({ ...r, line: kept.length });
    });
    box.value = kept.join('\n');
    render();
    if (bad.length) {
      // The lines go with the error, to be listed under its summary (showError below).
      ctx.fieldError('url-errors', 'urls.badSummary', { count: bad.length, added, bad }, box);
      return false;
    }
    ctx.clearError('url-errors');
    ctx.announce(ctx.t('urls.added', { count: added, total: urls.length }));
    return true;
  };

  const accountsPart = accounts(ctx, '');
  const render = () => {
    const { t } = ctx;
    list(ctx, 'url-list', t('urls.listHeading', { count: ctx.state.urls.length }), ctx.state.urls);
    accountsPart.render();
    ctx.q('#url-taken').replaceChildren(...taken.map(({ line, count, known }) =>
      h('li', { textContent: t(count ? 'urls.took' : 'urls.known', { line, count }) })));
  };

  return {
    id: 'urls',
    html,
    fields: [[/^items$/, 'url-errors', '#url-input'], [/^urls/, 'url-errors', '#url-input'], [/^accounts/, 'account-errors', '#account-name']],

    wire() {
      ctx.q('#add-urls').addEventListener('click', add);
      ctx.q('#url-input').addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) add();
      });
      accountsPart.wire();
      ctx.q('#url-list').addEventListener('click', removeFrom(ctx, 'url-list', 'urls', '#url-input', render));
    },

    applyText: render,
    // Accounts may have been named on the situation step since.
    shown: render,
    reset() {
      taken = [];
      render();
    },

    situation() {
      ctx.q('#urls-intro').textContent = ctx.t(ctx.state.situation === 'threatened' ? 'urls.introThreatened' : 'urls.intro');
    },

    /** The summary, and under it each line refused with its reason. */
    showError(id, el, text, { bad = [] }) {
      if (id !== 'url-errors') return false;
      ctx.q('#url-errors-summary').textContent = text;
      const show = (s) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);
      el.querySelector('ul').replaceChildren(...bad.map(({ line, text, problem }) =>
        h('li', { textContent: ctx.t(`urls.bad.${problem}`, { line, text: show(text), max: MAX_URLS }) })));
      return true;
    },

    next() {
      if (ctx.q('#url-input').value.trim() && !add()) return false;
      const { items, urls, accounts } = ctx.state;
      if (items.length || urls.length || accounts.length) return true;
      ctx.fieldError('url-errors', 'invalid.empty', {}, ctx.q('#url-input'));
      return false;
    },
  };
};
