// Intake benchmark (make bench): the release `report-helper serve` on 127.0.0.1 with a fresh
// database, in one run:
//   (a) 16 concurrent clients POST valid reports to /api/reports for 30 s, each report with its
//       own idempotency_key, digests and URLs (3 items, 3 URLs, a contact: about 1.25 KB);
//   (b) the baseline: the same 16 clients GET /api/reports/{reference} with the Bearer token of
//       a stored report for 10 s, a trivial read on the same server.
// Closed loop (each client sends its next request when the answer came), keep-alive sockets.
// Prints req/s, p50 and p99 of each and their ratios. Fails (exit 1) on any error (a POST not
// answered 201, a GET not answered 200, a network error) or if the database does not hold
// exactly the reports that were acknowledged with a 201. Asserts nothing about time.
// INTAKE_BENCH_SECONDS and INTAKE_BENCH_BASELINE_SECONDS shorten the runs; INTAKE_BENCH_CLIENTS
// changes the 16. Writes nothing but a temporary database and site, removed at the end.
import http from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PDQ } from '../schema/tests/make-report-v1-cases.mjs';
import { startIntake } from '../tests/intake-server.mjs';

const root = resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.INTAKE_BENCH_SECONDS ?? 30);
const BASELINE_SECONDS = Number(process.env.INTAKE_BENCH_BASELINE_SECONDS ?? 10);
const CLIENTS = Number(process.env.INTAKE_BENCH_CLIENTS ?? 16);
const WARMUP = 2 * CLIENTS * 10; // requests of each kind before measuring
const bin = join(root, 'target/release/report-helper');

// ---- The reports ----

const hex = (algorithm, data) => createHash(algorithm).update(data).digest('hex');
const run = randomBytes(8).toString('hex');
let serial = 0;
/** A valid report, different in its key, digests and URLs from every other one of the run. */
function report() {
  const n = serial++;
  const item = (kind, i) => {
    const bytes = `${run}/${n}/${i}`; // stands for a file's content
    return { kind, sha256: hex('sha256', bytes), md5: hex('md5', bytes), sha1: hex('sha1', bytes) };
  };
  return {
    schema: 'report-helper/report@1',
    idempotency_key: randomUUID(),
    created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    language: 'nl',
    situation: 'shared',
    items: [
      { ...item('image', 0), pdq: { hash: PDQ, quality: 90 + (n % 11) } },
      item('image', 1),
      item('video', 2),
    ],
    urls: [
      `https://forum.example/t/${n}/photos`,
      `https://images.example/u/${run}/${n}.jpg`,
      `https://social.example/p/${n}?page=2`,
    ],
    explanation:
      'Someone I trusted posted photos of me on a forum without my consent, and people are sharing ' +
      'the links. I asked them to take the photos down and they refused. Please help me have them ' +
      `removed. (bench report ${n})`,
    contact: { name: 'Sam Jansen', email: `sam.${n}@example.org` },
    good_faith: true,
  };
}

// ---- The clients ----

/** One request on a keep-alive socket: {status, body, ns} or {error, ns}. */
function request(agent, url, method, headers, body) {
  const start = process.hrtime.bigint();
  return new Promise((done) => {
    const req = http.request(url, { agent, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ns: process.hrtime.bigint() - start }));
      res.on('error', (error) => done({ error, ns: process.hrtime.bigint() - start }));
    });
    req.on('error', (error) => done({ error, ns: process.hrtime.bigint() - start }));
    req.end(body);
  });
}

let postBytes = 0;
const post = (agent, url) => {
  const body = JSON.stringify(report());
  postBytes += Buffer.byteLength(body);
  return request(agent, url, 'POST', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body);
};
const get = (agent, url, token) => request(agent, url, 'GET', { authorization: `Bearer ${token}` });

/**
 * CLIENTS loops, each sending its next request when the last one was answered, until `seconds`
 * have passed (or `count` requests were sent in all). `send()` gives the request's promise;
 * `check(answer)` says whether it was a success.
 */
async function load({ seconds = Infinity, count = Infinity, send, check }) {
  const ns = [];
  let errors = 0;
  let sent = 0;
  const firstErrors = [];
  const start = process.hrtime.bigint();
  const end = Number.isFinite(seconds) ? start + BigInt(Math.round(seconds * 1e9)) : null;
  const client = async () => {
    while (sent < count && (end === null || process.hrtime.bigint() < end)) {
      sent++;
      const answer = await send();
      ns.push(answer.ns);
      let ok = false;
      try {
        ok = check(answer);
      } catch {} // an answer that is not the JSON it should be
      if (!ok) {
        errors++;
        if (firstErrors.length < 5) firstErrors.push(answer.error ? String(answer.error) : `${answer.status} ${answer.body}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const ms = ns.map((t) => Number(t) / 1e6).sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { requests: ms.length, errors, firstErrors, elapsed, rps: ms.length / elapsed, p50: q(0.5), p99: q(0.99) };
}

// ---- The run ----

// A tiny site: the bench needs only the API, not dist/.
const site = mkdtempSync(join(tmpdir(), 'rh-bench-site-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><title>bench</title>\n');
const intake = await startIntake({ bin, site, rateLimit: 1_000_000 });
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
const cleanUp = async () => {
  agent.destroy();
  await intake.stop();
  rmSync(site, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanUp().finally(() => process.exit(130)));
let failed = false;
try {
  const postUrl = new URL('api/reports', intake.url);
  const acknowledged = new Set(); // references answered 201
  let stored; // {reference, token} of one of them, for the baseline
  const created = (a) => {
    if (a.status !== 201) return false;
    const { reference, token, status } = JSON.parse(a.body);
    if (!reference || !token || status !== 'received' || acknowledged.has(reference)) return false;
    acknowledged.add(reference);
    stored ??= { reference, token };
    return true;
  };
  const sendPost = () => post(agent, postUrl);
  let getUrl;
  const sendGet = () => get(agent, (getUrl ??= new URL(`api/reports/${stored.reference}`, intake.url)), stored.token);
  const read = (a) => a.status === 200 && JSON.parse(a.body).status === 'received';

  // Warm-up: the sockets open, the server's threads and SQLite's pages warm.
  const warm = [await load({ count: WARMUP, send: sendPost, check: created })];
  warm.push(await load({ count: WARMUP, send: sendGet, check: read }));

  postBytes = 0;
  const posts = await load({ seconds: SECONDS, send: sendPost, check: created });
  const meanBytes = postBytes / posts.requests;
  process.stderr.write(`POST: ${posts.requests} requests in ${posts.elapsed.toFixed(1)} s\n`);
  const gets = await load({ seconds: BASELINE_SECONDS, send: sendGet, check: read });
  process.stderr.write(`GET: ${gets.requests} requests in ${gets.elapsed.toFixed(1)} s\n`);

  // What the database holds, by `report-helper reports list` (as intake.reports('list') runs it,
  // with room for more than its default 1 MiB of output: one line per report).
  const list = execFileSync(bin, ['reports', 'list', '--db', intake.db], { encoding: 'utf8', maxBuffer: 1 << 30 })
    .split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const inDb = new Set(list.map((r) => r.reference));
  const missing = [...acknowledged].filter((r) => !inDb.has(r)).length;
  const same = list.length === acknowledged.size && inDb.size === list.length && missing === 0;

  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const f = (x, d = 0) => x.toFixed(d).padStart(7);
  console.log(`\nIntake of ${version} (release), 127.0.0.1, ${CLIENTS} clients, keep-alive; ${availableParallelism()} CPUs (${cpu}),`);
  console.log(`shared by the server and this client (Node ${process.version}): client overhead is in the numbers.`);
  console.log('| what | seconds | requests | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const row = (label, r) =>
    console.log(`| ${label} | ${r.elapsed.toFixed(1)} | ${r.requests} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.errors} |`);
  row(`POST /api/reports: a valid report (3 items, 3 URLs, ${meanBytes.toFixed(0)} bytes), stored (WAL, fsync per commit)`, posts);
  row('baseline: GET /api/reports/{reference} with its Bearer token', gets);
  console.log('');
  console.log(`ratio POST / GET throughput:   ${(posts.rps / gets.rps).toFixed(3)}`);
  console.log(`ratio POST / GET p50 latency:  ${(posts.p50 / gets.p50).toFixed(2)}`);
  console.log(`ratio POST / GET p99 latency:  ${(posts.p99 / gets.p99).toFixed(2)}`);
  const errors = posts.errors + gets.errors + warm.reduce((s, w) => s + w.errors, 0);
  console.log(`errors: ${errors} (target 0)`);
  console.log(`stored reports: ${list.length}, acknowledged with 201: ${acknowledged.size}${same ? ', the same' : `, NOT the same (${missing} acknowledged but not stored)`}`);
  for (const r of [...warm, posts, gets]) for (const e of r.firstErrors) console.log(`  error: ${e}`);
  failed = errors > 0 || !same;
} finally {
  await cleanUp();
}
if (failed) process.exitCode = 1;
