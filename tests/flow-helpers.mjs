// Helpers that drive <report-helper> through its steps, shared by the flow tests
// (report-flow, flow-privacy, flow-a11y). Playwright's CSS and role locators pierce the element's
// open shadow root, so '#exit' or 'section[data-step="files"]' find the parts inside it.
// Expected values (texts, PDQ hashes, the schema) are read from the catalogs, the reference
// vectors and the schema file, never from the code under test.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';

const ROOT = join(import.meta.dirname, '..');

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe-core's WCAG 2.2 A/AA violations on the whole page (it enters the open shadow root), one
 * line each. The page's CSP refuses the injected script: open the page with `bypassCSP`.
 */
export async function axe(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }).then((r) => r.violations),
    WCAG22_AA,
  );
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

export const STEPS = ['situation', 'files', 'urls', 'evidence', 'about', 'review', 'send'];

/** The message catalog of `lang` (www/i18n/<lang>.json), as shipped. */
export function catalog(lang = 'en') {
  return JSON.parse(readFileSync(join(ROOT, 'www/i18n', `${lang}.json`), 'utf8'));
}

/**
 * `messages[key]` with its `{name}` placeholders filled in (written here, not imported); with a
 * `count` of 1, `key.one` if the catalog has it (docs/words.md).
 */
export function text(messages, key, params = {}) {
  const message = params.count === 1 && `${key}.one` in messages ? messages[`${key}.one`] : messages[key];
  if (typeof message !== 'string') throw new Error(`no message ${key}`);
  return message.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** The helpline's configuration of the standalone page, as www/index.html holds it. */
export function standaloneConfig() {
  const html = readFileSync(join(ROOT, 'www/index.html'), 'utf8');
  return JSON.parse(html.match(/<script type="application\/json">([\s\S]*?)<\/script>/)[1]);
}

// ---- the reference vectors and the schema ----------------------------------------------------

export const PDQ_VECTORS = join(ROOT, 'tests/fixtures/pdq');
export const PDQ_DATA = join(PDQ_VECTORS, 'upstream/pdq/data');

/** A vector image's path, e.g. vectorPath('bridge-mods/aaa-orig.jpg'). */
export const vectorPath = (name) => join(PDQ_DATA, name);

/** The reference's row for a vector image (pdq_cpp_full.csv): {hash, quality, width, height, …}. */
export function expectedPdq(name) {
  const [header, ...rows] = readFileSync(join(PDQ_VECTORS, 'expected/pdq_cpp_full.csv'), 'utf8').trim().split('\n');
  const keys = header.split(',');
  const row = rows.map((r) => r.split(',')).find((cells) => cells[0] === name);
  if (!row) throw new Error(`no reference row for ${name}`);
  return Object.fromEntries(keys.map((k, i) => [k, row[i]]));
}

let validator = null;
/** Ajv (draft 2020-12, strict) compiled from schema/report-v1.schema.json. */
export function reportValidator() {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report-v1.schema.json'), 'utf8'));
    validator = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
  }
  return validator;
}

/** Asserts that `report` (an object) is valid against the report schema. */
export function expectValidReport(report) {
  const validate = reportValidator();
  const ok = validate(report);
  expect(validate.errors ?? [], 'schema errors').toEqual([]);
  expect(ok).toBe(true);
}

// ---- files of the flow tests --------------------------------------------------------------------

/**
 * Where the flow tests write their files: a directory of this test process's own, since the
 * global teardown of another Playwright run (helpers.mjs's FILES_DIR) may remove files there
 * while this run still needs them. removeFlowFiles() (in an afterAll) cleans it up.
 */
export const FLOW_FILES_DIR = join(ROOT, 'target/e2e-flow-files', String(process.pid));

async function flowPath(name) {
  await mkdir(FLOW_FILES_DIR, { recursive: true });
  return join(FLOW_FILES_DIR, name);
}

/** Writes `bytes` to a file called `name` (the name the browser sees); returns its path. */
export async function flowFile(name, bytes) {
  const path = await flowPath(name);
  await writeFile(path, bytes);
  return path;
}

/** Writes `size` fresh random bytes to a file called `name`; returns its path. */
export async function flowRandomFile(name, size) {
  const path = await flowPath(name);
  const handle = await open(path, 'w');
  for (let done = 0; done < size; ) {
    const n = Math.min(16 << 20, size - done);
    await handle.write(randomBytes(n));
    done += n;
  }
  await handle.close();
  return path;
}

/** Removes the files of this process (flowFile, flowRandomFile). */
export async function removeFlowFiles() {
  await rm(FLOW_FILES_DIR, { recursive: true, force: true });
}

// ---- the page ---------------------------------------------------------------------------------

/** The default exit URLs of the element (docs/embedding.md), fulfilled with a blank page in tests. */
export const EXIT_URLS = { en: 'https://www.bbc.com/weather', nl: 'https://www.buienradar.nl/' };
export const EXIT_PAGE = '<!doctype html><html><head><title>exit</title></head><body>elsewhere</body></html>';

/**
 * Fulfils the default exit URLs (and `extra` ones) with a blank page, so that no quick exit
 * reaches the internet. Returns the list of exit URLs requested.
 */
export async function routeExits(page, extra = []) {
  const hits = [];
  for (const url of [...Object.values(EXIT_URLS), ...extra]) {
    await page.route(url, (route) => {
      hits.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: EXIT_PAGE });
    });
  }
  return hits;
}

/** The element (the first one, or the one at `selector`). */
export const helper = (page, selector = 'report-helper') => page.locator(selector).first();

/** The section of `step` inside the element. */
export const section = (page, step, host = 'report-helper') => page.locator(host).first().locator(`section[data-step="${step}"]`);

/** Asserts that `step` is the one step shown. */
export async function expectStep(page, step, host = 'report-helper') {
  await expect(section(page, step, host)).toBeVisible();
  for (const other of STEPS.filter((s) => s !== step)) await expect(section(page, other, host)).toBeHidden();
  expect(await page.locator(host).first().evaluate((el) => el.step)).toBe(step);
}

/**
 * Opens the standalone page in `lang` (its language buttons set the element's `lang`) and waits
 * for the element to show the situation step in that language. Routes the exit URLs to a blank
 * page. Returns the catalog of `lang`.
 */
export async function startFlow(page, { lang = 'en', path = '/' } = {}) {
  await routeExits(page);
  await page.goto(path);
  const messages = catalog(lang);
  if (lang !== 'en') await page.getByRole('button', { name: lang === 'nl' ? 'Nederlands' : lang }).click();
  await expect(page.locator('#h-situation')).toHaveText(messages['situation.heading']);
  await expect.poll(() => helper(page).evaluate((el) => el.language)).toBe(lang);
  await expectStep(page, 'situation');
  return messages;
}

/** The `.next` button of the step shown (in the element at `host`). */
const shownSection = (page, host) => page.locator(host).first().locator('section[data-step]:not([hidden])');

/** Presses Next (or "Check the report") on the step shown. */
export async function next(page, host = 'report-helper') {
  await shownSection(page, host).locator('.next').click();
}

/**
 * From the URL step's Next: the evidence step comes (its Next is pressed), unless the report is
 * a minor's, which skips it.
 */
export async function passEvidence(page, host = 'report-helper') {
  const minor = !(await page.locator(host).first().locator('input[name="age"][value="no"]').isChecked());
  if (minor) return;
  await expectStep(page, 'evidence', host);
  await next(page, host);
}

/** Presses Back on the step shown. */
export async function back(page, host = 'report-helper') {
  await shownSection(page, host).locator('.back').click();
}

/**
 * Chooses what happened (shared, threatened, other) and the age answer (yes, no, unsure) on the
 * situation step. 'minor', the choice before the age was asked apart (issue 18), stands for
 * "shared" by someone under 18.
 */
export async function chooseSituation(page, value, host = 'report-helper', age = value === 'minor' ? 'yes' : 'no') {
  const el = page.locator(host).first();
  await el.locator(`input[name="situation"][value="${value === 'minor' ? 'shared' : value}"]`).check();
  await el.locator(`input[name="age"][value="${age}"]`).check();
}

/** Adds files through the file picker of the files step (paths or {name, mimeType, buffer}). */
export async function addFilesOnStep(page, files, host = 'report-helper') {
  await expectStep(page, 'files', host);
  await page.locator(host).first().locator('#file-input').setInputFiles(files);
}

/** Waits until every file in the list is hashed (data-state done); `count` files if given. */
export async function waitAllHashed(page, count, host = 'report-helper') {
  const items = page.locator(host).first().locator('#files > li.file');
  if (count !== undefined) await expect(items).toHaveCount(count);
  await expect(page.locator(host).first().locator('#files > li.file:not([data-state="done"])')).toHaveCount(0, { timeout: 90_000 });
}

/** Types `lines` (a string or an array of lines) into the URL box and presses Add. */
export async function addUrls(page, lines, host = 'report-helper') {
  const el = page.locator(host).first();
  await el.locator('#url-input').fill(Array.isArray(lines) ? lines.join('\n') : lines);
  await el.locator('#add-urls').click();
}

/** The addresses listed on the URL step. */
export async function listedUrls(page, host = 'report-helper') {
  return page.locator(host).first().locator('#url-list li span.url').allTextContents();
}

/**
 * Fills the about step. Fields left undefined are not touched; `goodFaith` (default true) sets
 * the statement's checkbox. Name and email are skipped when their fields are hidden (minor).
 */
export async function fillAbout(page, { name, email, explanation, goodFaith = true } = {}, host = 'report-helper') {
  const el = page.locator(host).first();
  if (name !== undefined) await el.locator('#name').fill(name);
  if (email !== undefined) await el.locator('#email').fill(email);
  if (explanation !== undefined) await el.locator('#explanation').fill(explanation);
  if (goodFaith !== undefined) await el.locator('#good-faith').setChecked(goodFaith);
}

/** From the about step: presses "Check the report" and waits for the review and its summary. */
export async function goToReview(page, host = 'report-helper') {
  await expectStep(page, 'about', host);
  await next(page, host);
  await expectStep(page, 'review', host);
  await expect(page.locator(host).first().locator('#review dl.summary')).toBeVisible();
}

/** From the review: presses Send (once enabled) and waits for the send step. */
export async function send(page, host = 'report-helper') {
  const button = page.locator(host).first().locator('#send');
  await expect(button).toBeEnabled({ timeout: 90_000 });
  await button.click();
  await expectStep(page, 'send', host);
}

/** Waits for the "sent" box of the send step; returns the shown reference and token. */
export async function waitSent(page, host = 'report-helper') {
  const el = page.locator(host).first();
  await expect(el.locator('#sent')).toBeVisible();
  return { reference: await el.locator('#reference').textContent(), token: await el.locator('#token').textContent() };
}

/**
 * Drives the element from the situation step to the review: `situation`, then `files` (paths,
 * hashed before going on), then `urls` (lines; all must be good), then `about` (fillAbout's
 * options). Ends on the review step.
 */
export async function driveToReview(page, { situation = 'shared', files = [], urls = [], about = {} } = {}, host = 'report-helper') {
  await chooseSituation(page, situation, host);
  await next(page, host);
  if (files.length) {
    await addFilesOnStep(page, files, host);
    await waitAllHashed(page, files.length, host);
  }
  await next(page, host);
  await expectStep(page, 'urls', host);
  if (urls.length) {
    await addUrls(page, urls, host);
    await expect(page.locator(host).first().locator('#url-errors')).toBeHidden();
  }
  await next(page, host);
  await passEvidence(page, host);
  await fillAbout(page, about, host);
  await goToReview(page, host);
}

// ---- the endpoint -----------------------------------------------------------------------------

/**
 * Captures a POST to the endpoint: url, method, every header as sent (allHeaders, so cookie and
 * referer would show), the body as text and parsed.
 */
export async function capture(route) {
  const r = route.request();
  const body = r.postData() ?? '';
  let json = null;
  try {
    json = JSON.parse(body);
  } catch {
    // not JSON: the test looks at `body`
  }
  return { url: r.url(), method: r.method(), headers: await r.allHeaders(), body, json };
}

/**
 * Answers POSTs to `pattern` (default '**\/api/reports') in turn with `answers`, each one of
 * {abort: 'failed'|…}, {status, body, headers} (body: an object is sent as JSON); the last
 * answer repeats. Returns the array of captured requests, filled as they come.
 */
export async function routeReports(page, answers, pattern = '**/api/reports') {
  const requests = [];
  await page.route(pattern, async (route) => {
    const captured = await capture(route);
    const answer = answers[Math.min(requests.length, answers.length - 1)];
    requests.push(captured);
    if (answer.abort) return route.abort(answer.abort);
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    return route.fulfill({ status: answer.status ?? 200, contentType: 'application/json', headers: answer.headers, body });
  });
  return requests;
}

/** Accepts every report with `{reference, token, status}` (HTTP 201). Returns the captured requests. */
export function fulfilReports(page, { reference = 'RH-TEST-0001', token = 'tok-test-secret-0001', status = 'received' } = {}, pattern) {
  return routeReports(page, [{ status: 201, body: { reference, token, status } }], pattern);
}

/**
 * Records the element's events (report-helper-*) as they reach `document`, across navigations
 * of the page: returns an array of {type, detail, target} filled as they come.
 */
export async function recordEvents(page) {
  const events = [];
  await page.exposeBinding('__recordReportHelperEvent', (_, event) => events.push(event));
  await page.addInitScript(() => {
    for (const type of ['report-helper-hashed', 'report-helper-sent', 'report-helper-failed', 'report-helper-exit']) {
      document.addEventListener(type, (e) =>
        window.__recordReportHelperEvent({ type, detail: e.detail, target: e.target?.localName ?? null }),
      );
    }
  });
  return events;
}
