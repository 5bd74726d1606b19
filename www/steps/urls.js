// The addresses where the pictures are: pasted a line each, read as the browser reads them.
import { MAX_URL_BYTES, MAX_URLS } from '../constants.js';
import { h } from '../dom.js';

const html = `
<section data-step="urls" aria-labelledby="h-urls" hidden>
  <h2 id="h-urls" tabindex="-1" data-i18n="urls.heading"></h2>
  <p id="urls-intro"></p>
  <label for="url-input" data-i18n="urls.label"></label>
  <textarea id="url-input" rows="4" autocomplete="off" autocapitalize="off" spellcheck="false"
    aria-describedby="url-help url-errors"></textarea>
  <p class="hint" id="url-help" data-i18n="urls.help"></p>
  <button type="button" id="add-urls" data-i18n="urls.add"></button>
  <div class="error" id="url-errors" role="alert" hidden><p id="url-errors-summary"></p><ul></ul></div>
  <h3 id="url-list-heading" hidden></h3>
  <ol class="url-list" id="url-list" aria-labelledby="url-list-heading"></ol>
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

export default (ctx) => {
  /** Adds the good lines of the box; the bad ones stay in it, each with its reason. */
  const add = () => {
    const box = ctx.q('#url-input');
    const { urls } = ctx.state;
    const bad = [];
    const kept = [];
    let added = 0;
    box.value.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const { url, problem } = normaliseUrl(line);
      if (url && urls.includes(url)) return;
      if (url && urls.length >= MAX_URLS) {
        bad.push({ line: i + 1, text: line.trim(), problem: 'limit' });
        kept.push(line);
      } else if (url) {
        urls.push(url);
        added++;
      } else {
        bad.push({ line: i + 1, text: line.trim(), problem });
        kept.push(line);
      }
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

  const render = () => {
    const { t } = ctx;
    const { urls } = ctx.state;
    const heading = ctx.q('#url-list-heading');
    heading.hidden = !urls.length;
    heading.textContent = t('urls.listHeading', { count: urls.length });
    ctx.q('#url-list').replaceChildren(...urls.map((url) => {
      const button = h('button', { type: 'button', textContent: t('urls.remove') });
      button.dataset.url = url;
      button.setAttribute('aria-label', t('urls.removeLabel', { url }));
      return h('li', {}, h('span', { className: 'url', textContent: url }), ' ', button);
    }));
  };

  return {
    id: 'urls',
    html,
    fields: [[/^items$/, 'url-errors', '#url-input'], [/^urls/, 'url-errors', '#url-input']],

    wire() {
      ctx.q('#add-urls').addEventListener('click', add);
      ctx.q('#url-input').addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) add();
      });
      ctx.q('#url-list').addEventListener('click', (e) => {
        const button = e.target.closest('button[data-url]');
        if (!button) return;
        const li = button.closest('li');
        const next = li.nextElementSibling?.querySelector('button') ?? li.previousElementSibling?.querySelector('button');
        ctx.state.urls = ctx.state.urls.filter((u) => u !== button.dataset.url);
        render();
        ctx.announce(ctx.t('urls.removed'));
        (next ? ctx.q(`#url-list button[data-url="${CSS.escape(next.dataset.url)}"]`) : ctx.q('#url-input'))?.focus();
      });
    },

    applyText: render,
    reset: render,

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
      const { items, urls } = ctx.state;
      if (items.length || urls.length) return true;
      ctx.fieldError('url-errors', 'invalid.empty', {}, ctx.q('#url-input'));
      return false;
    },
  };
};
