// config.js: who the embedding helpline is and what it promises, from one JSON configuration.
//
// The element reads it from a `<script type="application/json">` inside it, or from its `config`
// property. Nothing is fetched: the configuration adds no request. Every field is optional, and a
// field that is missing or not valid is dropped (with one console warning), so the texts fall back
// to neutral wording and never show a broken link. docs/embedding.md documents the fields.

/**
 * A text in one language, or in several by language code: `"Helpwanted"` or
 * `{"nl": "ma-vr 9-17 uur", "en": "Mon-Fri 9:00-17:00"}`.
 * @typedef {string | Record<string, string>} LocalText
 */

/**
 * A way to reach a person. Every field is optional; an entry with neither phone, chat, email nor
 * URL is dropped.
 * @typedef {object} ContactConfig
 * @property {LocalText} name     who it is ("Slachtofferhulp Nederland")
 * @property {LocalText} about    what they help with, one short sentence
 * @property {string} phone       as people dial it ("0900 0101"); the link dials its digits
 * @property {string} chatUrl     a chat, https
 * @property {string} email       an address
 * @property {string} url         a web page, https
 * @property {LocalText} hours    when they answer ("Mon-Fri 9:00-17:00"); missing means not said
 */

/**
 * The configuration of a helpline.
 * @typedef {object} ReportHelperConfig
 * @property {LocalText} name          the helpline's name, where the texts say who receives the report
 * @property {string} url              its website
 * @property {string} privacyUrl       its privacy statement
 * @property {string} phone            how a person reaches it (as in ContactConfig)
 * @property {string} chatUrl
 * @property {string} email
 * @property {LocalText} hours         when phone and chat are answered
 * @property {number} firstLookDays    working days until someone of the helpline reads a report
 * @property {number} answerDays       working days until a person who left contact details hears back
 * @property {number} keepMonths       months a report is kept after its case is closed
 * @property {LocalText} handling      what the helpline does with a report, one or two sentences
 * @property {ContactConfig[]} support support for the person: `kind` is `victims` (victim
 *   support), `crisis` (a crisis line) or `children` (a line for children and teenagers)
 */

const KINDS = ['victims', 'crisis', 'children'];
const MAX_TEXT = 400;
const MAX_DAYS = 365;
const MAX_MONTHS = 1200;
const warned = new WeakSet();

/** A copy of `raw` with only the fields that are valid; `{}` for anything that is not an object. */
export function readConfig(raw) {
  const problems = [];
  const cfg = {};
  if (!isObject(raw)) {
    if (raw != null) problems.push('the configuration is not a JSON object');
    warn(raw, problems);
    return Object.freeze(cfg);
  }
  const known = ['name', 'url', 'privacyUrl', 'phone', 'chatUrl', 'email', 'hours', 'firstLookDays', 'answerDays', 'keepMonths', 'handling', 'support'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) problems.push(`unknown field "${key}"`);
  take(cfg, raw, 'name', localText, problems);
  take(cfg, raw, 'handling', localText, problems);
  take(cfg, raw, 'privacyUrl', webUrl, problems);
  Object.assign(cfg, contactFields(raw, problems, ''));
  take(cfg, raw, 'firstLookDays', count(MAX_DAYS), problems);
  take(cfg, raw, 'answerDays', count(MAX_DAYS), problems);
  take(cfg, raw, 'keepMonths', count(MAX_MONTHS), problems);
  if ('support' in raw) {
    if (!Array.isArray(raw.support)) problems.push('"support" is not a list');
    else {
      cfg.support = [];
      raw.support.forEach((entry, i) => {
        const at = `support[${i}]`;
        if (!isObject(entry)) return problems.push(`${at} is not an object`);
        if (!KINDS.includes(entry.kind)) return problems.push(`${at}.kind is not one of ${KINDS.join(', ')}`);
        const contact = { kind: entry.kind };
        take(contact, entry, 'name', localText, problems, at);
        take(contact, entry, 'about', localText, problems, at);
        Object.assign(contact, contactFields(entry, problems, `${at}.`));
        if (!contact.phone && !contact.chatUrl && !contact.email && !contact.url) return problems.push(`${at} has no phone, chat, email or url`);
        cfg.support.push(Object.freeze(contact));
      });
      Object.freeze(cfg.support);
    }
  }
  warn(raw, problems);
  return Object.freeze(cfg);
}

/** The JSON configuration inside `element` (its first `<script type="application/json">`), else null. */
export function configIn(element) {
  const script = [...element.children].find((el) => el.localName === 'script' && el.type === 'application/json');
  if (!script) return null;
  try {
    return JSON.parse(script.textContent);
  } catch (e) {
    console.warn(`report-helper: the configuration is not valid JSON and is ignored (${e.message})`);
    return null;
  }
}

/** `value` (a LocalText) in `lang`, else in English, else the first one given; '' when missing. */
export function localise(value, lang) {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  return value[lang] ?? value.en ?? Object.values(value)[0] ?? '';
}

/**
 * The people a person can talk to, in the order to offer them: the helpline itself, victim
 * support, a crisis line; for a minor (`minor`), the line for children first. Each is
 * `{kind, name, about, phone, tel, chatUrl, email, url, hours}` with texts in `lang`; `kind` is
 * `helpline` for the helpline's own entry (its website counts as a way to reach it), left out
 * when it gives none.
 */
export function contacts(cfg, lang, { minor = false } = {}) {
  const own = cfg.phone || cfg.chatUrl || cfg.email || cfg.url ? [{ kind: 'helpline', ...cfg }] : [];
  const order = minor ? ['children', 'helpline', 'victims', 'crisis'] : ['helpline', 'victims', 'crisis', 'children'];
  return [...own, ...(cfg.support ?? [])]
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))
    .map((c) => ({
      kind: c.kind,
      name: localise(c.name, lang),
      about: localise(c.about, lang),
      phone: c.phone ?? '',
      tel: c.phone ? `tel:${c.phone.replace(/[^+\d]/g, '')}` : '',
      chatUrl: c.chatUrl ?? '',
      email: c.email ?? '',
      url: c.url ?? '',
      hours: localise(c.hours, lang),
    }));
}

// ---- checks -------------------------------------------------------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function take(into, from, key, check, problems, at = '') {
  if (!(key in from) || from[key] == null) return;
  const value = check(from[key]);
  if (value === undefined) problems.push(`${at ? `${at}.` : ''}${key} is not valid`);
  else into[key] = value;
}

function contactFields(from, problems, at) {
  const out = {};
  const field = (key, check) => {
    if (!(key in from) || from[key] == null) return;
    const value = check(from[key]);
    if (value === undefined) problems.push(`${at}${key} is not valid`);
    else out[key] = value;
  };
  field('phone', phone);
  field('chatUrl', webUrl);
  field('url', webUrl);
  field('email', email);
  field('hours', localText);
  return out;
}

const plain = (s) => typeof s === 'string' && s.trim() && s.length <= MAX_TEXT ? s.trim() : undefined;

function localText(v) {
  if (typeof v === 'string') return plain(v);
  if (!isObject(v)) return undefined;
  const out = {};
  for (const [lang, text] of Object.entries(v)) {
    if (!/^[a-z]{2,3}$/.test(lang) || plain(text) === undefined) return undefined;
    out[lang] = plain(text);
  }
  return Object.keys(out).length ? Object.freeze(out) : undefined;
}

// https only: a link the person follows in distress must not be downgraded or odd.
function webUrl(v) {
  if (typeof v !== 'string') return undefined;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' && !url.username && !url.password ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// As people write it: digits, spaces, +, -, ( ), with 3 to 15 digits.
function phone(v) {
  if (typeof v !== 'string' || !/^\+?[\d\s().-]+$/.test(v.trim())) return undefined;
  const digits = v.replace(/\D/g, '').length;
  return digits >= 3 && digits <= 15 ? v.trim() : undefined;
}

const email = (v) => (typeof v === 'string' && /^[^\s@<>()",;:]+@[a-z\d-]+(\.[a-z\d-]+)+$/i.test(v.trim()) ? v.trim() : undefined);

const count = (max) => (v) => (Number.isInteger(v) && v > 0 && v <= max ? v : undefined);

function warn(raw, problems) {
  if (!problems.length) return;
  if (isObject(raw)) {
    if (warned.has(raw)) return;
    warned.add(raw);
  }
  console.warn(`report-helper: parts of the configuration are ignored: ${problems.join('; ')}`);
}
