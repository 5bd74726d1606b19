// The deployment of deploy/: Caddy (Debian's package) with deploy/Caddyfile's own directives in
// front of the real `report-helper serve` with --trust-proxy, over HTTPS on the loopback.
//
//   node --test tests/deploy.test.mjs        (make test-deploy; part of make test)
//
// Caddy runs as our own process, never the system's service: its own HOME and XDG folders in a
// temporary folder, `tls internal` (its own CA, never installed into any trust store), no admin
// endpoint, high ports on 127.0.0.1. The client trusts only that CA's root certificate.
// Clients bind 127.0.0.2 and 127.0.0.3 as their source address (Linux answers the whole of
// 127.0.0.0/8 on the loopback), so Caddy sees three different clients on one machine.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = resolve(process.env.REPORT_HELPER_BIN ?? join(ROOT, 'target/debug/report-helper'));
const SITE = join(ROOT, 'dist');
const HOST = 'reports.example.org'; // the name in deploy/Caddyfile, kept so that its matcher is tested too
const RATE_LIMIT = 2;
const CASES = JSON.parse(readFileSync(join(ROOT, 'schema/tests/report-v1-cases.json'), 'utf8'));
/** The cases file's first report, which is valid, with a fresh idempotency key each time. */
const report = () => JSON.stringify({ ...CASES[0].report, idempotency_key: randomUUID() });

/** A port nobody listens on now (taken and given back: fine on a machine's loopback). */
async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * deploy/Caddyfile made local: the same directives, with the global options a test needs (no
 * admin endpoint, its own CA and ports), the site on 127.0.0.1:httpsPort with `tls internal`,
 * and the upstream at the intake's port. Each replacement must find its text, so a change to
 * deploy/Caddyfile that this does not follow fails here rather than testing something else.
 */
function localCaddyfile(text, { httpsPort, httpPort, upstreamPort }) {
  const replace = (from, to) => {
    assert.ok(text.includes(from), `deploy/Caddyfile no longer has ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  };
  replace('{\n\t# Where', `{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\thttp_port ${httpPort}\n\thttps_port ${httpsPort}\n\n\t# Where`);
  replace(`\n${HOST} {\n`, `\n${HOST}:${httpsPort} {\n\tbind 127.0.0.1\n\ttls internal\n`);
  replace('reverse_proxy 127.0.0.1:8080 {', `reverse_proxy 127.0.0.1:${upstreamPort} {`);
  return text;
}

/** The arguments of deploy/report-helper.service's ExecStart, from `serve` on. */
function unitServeArgs() {
  const unit = readFileSync(join(ROOT, 'deploy/report-helper.service'), 'utf8');
  const command = unit.match(/^ExecStart=\/usr\/local\/bin\/report-helper (serve(?:[^\n]*\\\n)*[^\n]*)$/m);
  assert.ok(command, 'deploy/report-helper.service has no ExecStart=/usr/local/bin/report-helper serve');
  return command[1].replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
}

/** `args` with the values of the given options replaced (each must be there: a test of the unit). */
function withOptions(args, values) {
  const out = [...args];
  for (const [option, value] of Object.entries(values)) {
    const at = out.indexOf(option);
    assert.ok(at > 0, `the unit's ExecStart has no ${option}`);
    out[at + 1] = value;
  }
  return out;
}

/** One HTTPS request to Caddy, as a client at `from`, trusting only Caddy's local root CA. */
function request(ctx, { method = 'GET', path = '/', from = '127.0.0.2', headers = {}, body, holdBody } = {}) {
  return new Promise((done, fail) => {
    const req = https.request({
      host: '127.0.0.1', port: ctx.httpsPort, servername: HOST, localAddress: from, method, path,
      ca: ctx.rootCa, agent: false, headers: { host: `${HOST}:${ctx.httpsPort}`, ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    if (holdBody) {
      // Half the body now, the rest once `holdBody` resolves: the request stays in flight.
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      holdBody.then(() => req.end(body.slice(half)));
    } else {
      req.end(body);
    }
  });
}

const post = (ctx, from, headers = {}) => request(ctx, {
  method: 'POST', path: '/api/reports', from, body: report(),
  headers: { 'content-type': 'application/json', ...headers },
});

const ctx = {};

before(async () => {
  const caddy = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  assert.equal(caddy.error, undefined, 'caddy is not installed: `make setup` installs Debian\'s caddy package');
  console.log(`caddy ${caddy.stdout.trim()}`);
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build -p report-helper-cli`);
  assert.ok(existsSync(join(SITE, 'index.html')), 'dist/ is missing: bash tools/build.sh');

  ctx.dir = mkdtempSync(join(tmpdir(), 'rh-deploy-'));
  const db = join(ctx.dir, 'data', 'reports.sqlite');
  // With deploy/report-helper.service's own options, but a free port, a fresh database, our
  // site and a small rate limit.
  const args = withOptions(unitServeArgs(), {
    '--addr': '127.0.0.1:0', '--db': db, '--site': SITE, '--rate-limit': String(RATE_LIMIT),
  });
  ctx.serve = spawn(BIN, [...args, '--init'], { stdio: ['ignore', 'pipe', 'inherit'] });
  ctx.serveExited = new Promise((done) => ctx.serve.once('exit', done));
  const firstLine = await new Promise((done, fail) => {
    createInterface({ input: ctx.serve.stdout }).once('line', done);
    ctx.serve.once('error', fail);
    ctx.serve.once('exit', (code) => fail(new Error(`report-helper serve exited (${code}) before it listened`)));
  });
  const upstreamPort = Number(firstLine.match(/127\.0\.0\.1:(\d+)/)?.[1]);
  assert.ok(upstreamPort, `no address in ${JSON.stringify(firstLine)}`);

  ctx.httpsPort = await freePort();
  const httpPort = ctx.httpPort = await freePort();
  const config = join(ctx.dir, 'Caddyfile');
  writeFileSync(config, localCaddyfile(readFileSync(join(ROOT, 'deploy/Caddyfile'), 'utf8'),
    { httpsPort: ctx.httpsPort, httpPort, upstreamPort }));
  const home = join(ctx.dir, 'caddy-home');
  mkdirSync(home);
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') };
  ctx.caddyLog = [];
  ctx.caddy = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.caddy.stdout.on('data', (c) => ctx.caddyLog.push(c));
  ctx.caddy.stderr.on('data', (c) => ctx.caddyLog.push(c));
  ctx.caddyExited = new Promise((done) => ctx.caddy.once('exit', done));
  ctx.caddy.once('exit', (code) => { ctx.caddyCode = code; });

  // Caddy makes its CA and the site's certificate at start: wait for both, then for an answer.
  const rootCaPath = join(home, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  const deadline = Date.now() + 60_000; // a hang guard, not a measurement
  for (;;) {
    if (ctx.caddyCode !== undefined) assert.fail(`caddy exited (${ctx.caddyCode}):\n${Buffer.concat(ctx.caddyLog)}`);
    if (existsSync(rootCaPath)) {
      ctx.rootCa = readFileSync(rootCaPath);
      try {
        const res = await request(ctx, { path: '/healthz', from: '127.0.0.1' });
        if (res.status === 200) break;
      } catch { /* not ready yet: the certificate is still being made */ }
    }
    if (Date.now() > deadline) assert.fail(`caddy never answered /healthz:\n${Buffer.concat(ctx.caddyLog)}`);
    await new Promise((done) => setTimeout(done, 200));
  }
});

after(async () => {
  ctx.caddy?.kill('SIGTERM');
  ctx.serve?.kill('SIGTERM');
  await Promise.all([ctx.caddyExited, ctx.serveExited]);
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

test('the site comes over HTTPS with Caddy\'s HSTS and the intake\'s own headers, and no Server', async () => {
  const res = await request(ctx, { path: '/' });
  assert.equal(res.status, 200);
  assert.match(res.body, /<report-helper/);
  assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  assert.equal(res.headers.server, undefined, 'Caddy names itself');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.match(res.headers['content-security-policy'], /default-src 'none'/);
  assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(res.headers['x-frame-options'], 'DENY');
});

test('plain HTTP is sent to HTTPS (308), with nothing served over it', async () => {
  const res = await new Promise((done, fail) => {
    http.get({ host: '127.0.0.1', port: ctx.httpPort, path: '/api/reports?x=1', agent: false, headers: { host: HOST } }, (r) => {
      r.resume();
      r.on('end', () => done(r));
    }).on('error', fail);
  });
  assert.equal(res.statusCode, 308);
  assert.equal(res.headers.location, `https://${HOST}/api/reports?x=1`);
});

test('only Caddy\'s root certificate is trusted, and it is not in the system\'s store', async () => {
  // Without Caddy's CA the certificate is unknown: the client checked it against that CA alone.
  await assert.rejects(
    request({ ...ctx, rootCa: undefined }, { path: '/healthz' }),
    (e) => ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].includes(e.code),
  );
  const system = readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  assert.ok(!system.includes(ctx.rootCa.toString('utf8').split('\n').slice(1, 4).join('\n')), 'Caddy installed its CA');
});

test('a report posted over HTTPS is stored: 201 with a reference and a token', async () => {
  const res = await post(ctx, '127.0.0.4');
  assert.equal(res.status, 201, res.body);
  const answer = JSON.parse(res.body);
  assert.match(answer.reference, /^RH-[0-9A-Z]{8}$/);
  assert.equal(typeof answer.token, 'string');
  assert.equal(answer.status, 'received');
  assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers.server, undefined);
  // The API's answers are never compressed (deploy/Caddyfile: a token in a compressed answer).
  const again = await post(ctx, '127.0.0.4', { 'accept-encoding': 'gzip, zstd' });
  assert.equal(again.status, 201, again.body);
  assert.equal(again.headers['content-encoding'], undefined);
  // The site's files are.
  const site = await request(ctx, { path: '/', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(site.headers['content-encoding'], 'gzip');

  const status = await request(ctx, {
    path: `/api/reports/${answer.reference}`, from: '127.0.0.4', headers: { authorization: `Bearer ${answer.token}` },
  });
  assert.equal(status.status, 200, status.body);
  assert.deepEqual(JSON.parse(status.body), { reference: answer.reference, status: 'received' });
});

test('the rate limit sees each real client, and a client cannot name another address', async () => {
  // 127.0.0.2 uses its whole limit...
  for (let i = 0; i < RATE_LIMIT; i++) assert.equal((await post(ctx, '127.0.0.2')).status, 201);
  const limited = await post(ctx, '127.0.0.2');
  assert.equal(limited.status, 429, limited.body);
  assert.equal(JSON.parse(limited.body).problem, 'rate-limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  // ...which is its own: 127.0.0.3, through the same Caddy, still reports.
  assert.equal((await post(ctx, '127.0.0.3')).status, 201);
  // Headers that would name another client are not believed: Caddy replaces X-Forwarded-For
  // with the address it saw, and removes Forwarded (the intake would prefer it).
  for (const headers of [
    { 'x-forwarded-for': '203.0.113.9' },
    { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    { forwarded: 'for=203.0.113.9' },
    { forwarded: 'for=203.0.113.9', 'x-forwarded-for': '198.51.100.7' },
    { 'x-real-ip': '203.0.113.9' },
  ]) {
    const res = await post(ctx, '127.0.0.2', headers);
    assert.equal(res.status, 429, `${JSON.stringify(headers)}: ${res.status} ${res.body}`);
  }
  // A spoofing client that was not limited yet is limited as itself, not as the name it sent:
  // 127.0.0.5 sends 203.0.113.9 on every request and is limited after RATE_LIMIT of them.
  for (let i = 0; i < RATE_LIMIT; i++) {
    assert.equal((await post(ctx, '127.0.0.5', { forwarded: `for=203.0.113.${10 + i}` })).status, 201);
  }
  assert.equal((await post(ctx, '127.0.0.5', { forwarded: 'for=203.0.113.99' })).status, 429);
});

test('behind Caddy, 100 clients at once are not one address to the intake\'s connection caps', async () => {
  // 100 clients each send half a report and wait: Caddy holds a connection to the intake for
  // each, all from 127.0.0.1. The intake caps connections per address, but not the trusted
  // proxy's (which would turn away every client past the cap with a 502).
  const clients = Array.from({ length: 100 }, (_, i) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  let release;
  const holdBody = new Promise((done) => { release = done; });
  const before = readdirSync(`/proc/${ctx.serve.pid}/fd`).length;
  const posts = clients.map((from) => {
    const body = report();
    return request(ctx, {
      method: 'POST', path: '/api/reports', from, body, holdBody,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
  });
  // Wait (a hang guard, not a measurement; under the intake's 10 s body timeout) until the
  // intake holds the 100 connections, less the few idle ones Caddy already had and reuses.
  const needed = clients.length - 5;
  const deadline = Date.now() + 8_000;
  let open = before;
  while (open - before < needed && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    open = readdirSync(`/proc/${ctx.serve.pid}/fd`).length;
  }
  console.log(`the intake's descriptors: ${before} before, ${open} with the 100 requests in flight`);
  release();
  const statuses = (await Promise.all(posts)).map((r) => r.status);
  assert.ok(open - before >= needed, `the intake never held ${needed} connections at once (${open - before})`);
  assert.deepEqual(statuses, clients.map(() => 201));
});

test('Caddy refuses heads over 32 KiB; its body limit is above the intake\'s, which answers', async () => {
  const head = await request(ctx, { path: '/healthz', from: '127.0.0.6', headers: { 'x-padding': 'a'.repeat(40 * 1024) } });
  assert.equal(head.status, 431);
  // 526,337 bytes, one over the intake's limit and under Caddy's 600 KiB: the intake's own 413,
  // with its JSON (Caddy's limit is only a backstop that never cuts a report the intake takes).
  const overIntake = await request(ctx, {
    method: 'POST', path: '/api/reports', from: '127.0.0.6',
    headers: { 'content-type': 'application/json' }, body: Buffer.alloc(526_337, 0x20),
  });
  assert.equal(overIntake.status, 413);
  assert.equal(JSON.parse(overIntake.body).problem, 'too-long');
});

test('deploy/Caddyfile is as `caddy fmt` writes it', () => {
  const path = join(ROOT, 'deploy/Caddyfile');
  const fmt = spawnSync('caddy', ['fmt', path], { encoding: 'utf8' });
  assert.equal(fmt.status, 0, fmt.stderr);
  assert.equal(fmt.stdout, readFileSync(path, 'utf8'));
});

test('deploy/report-helper.service passes systemd-analyze verify', (t) => {
  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.error) {
    // Debian's `systemd` package brings it; without it the unit is only read by the eye.
    t.skip('systemd-analyze is not installed (Debian package systemd): the unit was not checked');
    return;
  }
  // verify wants ExecStart's program to exist: the one we built stands in for /usr/local/bin's.
  const unit = readFileSync(join(ROOT, 'deploy/report-helper.service'), 'utf8');
  assert.ok(unit.includes('ExecStart=/usr/local/bin/report-helper serve'));
  const dir = join(ctx.dir, 'unit');
  mkdirSync(dir);
  const path = join(dir, 'report-helper.service');
  writeFileSync(path, unit.replace('ExecStart=/usr/local/bin/report-helper', `ExecStart=${BIN}`));
  const verify = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr.trim(), '', 'systemd-analyze verify has remarks');
  for (const line of ['ProtectSystem=strict', 'NoNewPrivileges=yes', 'StateDirectory=report-helper', 'CapabilityBoundingSet=\n',
    'SystemCallFilter=@system-service', 'PrivateDevices=yes', 'ProtectHome=yes', 'PrivateTmp=yes']) {
    assert.ok(unit.includes(line), `the unit lacks ${line.trim()}`);
  }
  const security = spawnSync('systemd-analyze', ['security', '--offline=true', path], { encoding: 'utf8' });
  const level = security.stdout.match(/Overall exposure level for \S+: ([\d.]+)/)?.[1];
  console.log(`systemd-analyze security: exposure ${level ?? '(not given)'} of 10`);
  assert.ok(level !== undefined && Number(level) <= 2, security.stdout.slice(-400));
  // The server the other tests ran had the unit's own options (unitServeArgs): the program
  // takes them. And they are the deployment's: the loopback, the trusted proxy.
  const args = unitServeArgs();
  assert.equal(args[args.indexOf('--addr') + 1], '127.0.0.1:8080');
  assert.equal(args[args.indexOf('--trust-proxy') + 1], '127.0.0.1');
  assert.ok(!args.includes('--init'), 'the service must never create a database');
});
