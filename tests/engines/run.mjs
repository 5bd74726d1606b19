// Runs the engine tests (tests.mjs) in Firefox (Debian's firefox-esr through geckodriver) and
// WebKit (WebKitGTK's MiniBrowser through WebKitWebDriver, under an Xvfb of its own), one browser
// session per engine, every request of the browser through a recording proxy.
//
//   node tests/engines/run.mjs [firefox|webkit]...     (default: both)
//
// One line per test and engine: PASS, FAIL or CANNOT-RUN, each with its reason; then the wall
// time per engine. Exits 1 if any test failed or an engine could not start. Needs dist/ built and
// target/debug/report-helper (make test-engines does both). FIREFOX, GECKODRIVER, WEBKITDRIVER and
// MINIBROWSER override where each one is.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startIntake } from '../intake-server.mjs';
import { ENGINES } from './engines.mjs';
import { startProxy, startTestServer } from './server.mjs';
import { allTests } from './tests.mjs';

const ROOT = join(import.meta.dirname, '../..');
// ENGINE_SITE serves another build (another branch's dist/, say) in place of dist/.
const DIST = process.env.ENGINE_SITE ?? join(ROOT, 'dist');

/** The site's own files (and `/`), the only things the page may GET. */
const siteFiles = new Set(
  readdirSync(DIST, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `/${relative(DIST, join(e.parentPath, e.name))}`),
);
siteFiles.add('/');

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The checks after every test: the probe, the server's answers, the proxy. */
function afterChecks(ctx) {
  const problems = [...ctx.server.findings()];
  for (const r of ctx.server.requests) {
    if (r.status >= 400) problems.push(`${r.method} ${r.path} answered ${r.status}`);
  }
  for (const r of ctx.proxy.elsewhere()) problems.push(`a request for another host: ${r.method} ${r.url}`);
  return problems;
}

async function runEngine(name, tests, intake) {
  const started = Date.now();
  const results = [];
  const line = (status, test, detail = '', ms = 0) => {
    results.push(status);
    console.log(`${name.padEnd(7)} ${status.padEnd(10)} ${test}${ms ? ` (${seconds(ms)})` : ''}${detail ? `\n        ${detail}` : ''}`);
  };
  const server = await startTestServer({ site: DIST, intake: intake.url });
  const proxyServer = await startProxy(new URL(server.url).host);
  let browser;
  try {
    browser = await ENGINES[name].start({ proxyPort: proxyServer.port });
  } catch (e) {
    for (const t of tests) line('CANNOT-RUN', t.name, `${name} did not start: ${e.message}`);
    await server.close();
    await proxyServer.close();
    return { results, ms: Date.now() - started, broken: true };
  }
  const { browserName, browserVersion } = browser.session.capabilities;
  console.log(`${name.padEnd(7)} session started in ${seconds(Date.now() - started)}: ${browserName} ${browserVersion}`);
  await browser.session.setTimeouts({ script: 600_000, pageLoad: 60_000 });
  const ctx = {
    engine: name,
    session: browser.session,
    server,
    proxy: proxyServer,
    intake: intake.url ? intake : null,
    intakeError: intake.error,
    siteFiles,
  };
  for (const test of tests) {
    const t0 = Date.now();
    if (!test.keepRecords) {
      server.reset();
      proxyServer.reset();
    }
    try {
      const out = await test.run(ctx);
      // Late reports (report-uri is sent after the fact) get a moment to arrive.
      await new Promise((r) => setTimeout(r, 300));
      const problems = afterChecks(ctx);
      if (out?.cannotRun) line('CANNOT-RUN', test.name, out.cannotRun, Date.now() - t0);
      else if (problems.length) line('FAIL', test.name, problems.join('\n        '), Date.now() - t0);
      else line('PASS', test.name, out?.note ?? '', Date.now() - t0);
    } catch (e) {
      const problems = afterChecks(ctx);
      line('FAIL', test.name, [e.message, ...problems].join('\n        '), Date.now() - t0);
      if (/invalid session id|no such window|session deleted|ECONNREFUSED/i.test(e.message)) {
        // The browser went away: a new session for the tests after this one.
        try {
          await browser.stop().catch(() => {});
          browser = await ENGINES[name].start({ proxyPort: proxyServer.port });
          await browser.session.setTimeouts({ script: 600_000, pageLoad: 60_000 });
          ctx.session = browser.session;
        } catch (again) {
          for (const rest of tests.slice(tests.indexOf(test) + 1)) line('CANNOT-RUN', rest.name, `${name} did not start again: ${again.message}`);
          break;
        }
      }
    }
  }
  await browser.stop().catch(() => {});
  await server.close();
  await proxyServer.close();
  return { results, ms: Date.now() - started };
}

const TESTED = ['firefox', 'webkit'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const only = process.env.ENGINE_TESTS ? new RegExp(process.env.ENGINE_TESTS, 'i') : null;
for (const e of wanted) {
  if (!TESTED.includes(e)) {
    console.error(`unknown engine ${e}: firefox or webkit`);
    process.exit(2);
  }
}
let intake;
try {
  intake = await startIntake();
} catch (e) {
  intake = { url: null, error: `report-helper serve did not start (cargo build -p report-helper-cli): ${e.message}` };
}
const summary = [];
let failed = false;
for (const name of wanted.length ? wanted : TESTED) {
  const tests = allTests().filter((t) => !only || only.test(t.name));
  const { results, ms, broken } = await runEngine(name, tests, intake);
  const count = (s) => results.filter((r) => r === s).length;
  summary.push(`${name}: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('CANNOT-RUN')} cannot run; ${seconds(ms)} wall time`);
  failed ||= broken || count('FAIL') > 0;
}
await intake.stop?.();
console.log(summary.join('\n'));
process.exit(failed ? 1 : 0);
