// Attacks on the intake's API and site (issue 16, findings 2, 3, 4, 5 and 9): replaying a
// report for a token, deleting the database under the server, rate limits from many addresses
// and through spoofed headers, hostile values in reports, Host headers, dotfiles.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, loopbackSources, postReport, raw, request, startServe, validReport } from './lib.mjs';

export async function replay(results) {
  const server = await startServe();
  try {
    const report = JSON.stringify(validReport());
    const first = await postReport(server, report);
    const { reference, token } = json(first.body);
    // Someone who holds the report's JSON (a backup, `reports show`, a partner) posts it again.
    const again = await postReport(server, report);
    const answer = json(again.body);
    const minted = typeof answer.token === 'string';
    let withdrawn = false;
    if (minted) {
      const del = await request(server, { method: 'DELETE', path: `/api/reports/${reference}`, headers: { authorization: `Bearer ${answer.token}` } });
      withdrawn = del.status === 200;
    }
    const shapeOk = again.status === 200 && answer.reference === reference && answer.replayed === true
      && typeof answer.status === 'string' && !minted;
    // The person whose first answer was lost retries with the token it has: it is echoed.
    const withToken = json((await postReport(server, report, { headers: { authorization: `Bearer ${token}` } })).body);
    const echoed = withToken.token === token;
    const wrongToken = json((await postReport(server, report, { headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAA' } })).body);
    const stored = JSON.stringify(server.reports('show', reference));
    const keyKept = stored.includes(JSON.parse(report).idempotency_key);
    results.say(shapeOk && echoed && wrongToken.token === undefined && !keyKept && !withdrawn,
      'replay: a stored report\'s JSON posted again by someone without its token, then with the right and a wrong token',
      'no new token: 200 {reference, status, replayed: true}; the right Bearer token echoed, a wrong one not; the stored report holds no idempotency key',
      `replay ${again.status} ${minted ? 'with a new token' : 'without a token'}${withdrawn ? ' that withdrew the report' : ''}; right token ${echoed ? 'echoed' : 'not echoed'}; wrong token ${wrongToken.token === undefined ? 'no token' : 'a token'}; idempotency key ${keyKept ? 'in' : 'not in'} \`reports show\``);
  } finally {
    await server.stop();
  }
}

export async function deletedDatabase(results) {
  const server = await startServe();
  try {
    const before = await postReport(server);
    rmSync(join(server.dir, 'data'), { recursive: true, force: true });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await postReport(server)).status);
    const health = await request(server, { path: '/healthz' });
    const noLie = statuses.every((s) => s === 503);
    results.say(before.status === 201 && noLie && health.status === 503,
      'deleted database: reports.sqlite and its WAL removed under the running server, then 10 POSTs',
      'every POST 503 (nothing acknowledged that is not stored), /healthz 503',
      `before ${before.status}; after: ${[...new Set(statuses)].map((s) => `${statuses.filter((x) => x === s).length}x ${s}`).join(', ')}; /healthz ${health.status}; log: ${server.log.filter((l) => /database/i.test(l)).length} line(s) about it`);
  } finally {
    await server.stop();
  }
}

/** `perClient + 1` POSTs from each source (or header value); counts the 201s and 429s of each. */
async function exhaust(server, clients, perClient, send) {
  const counts = [];
  for (const client of clients) {
    const got = { created: 0, limited: 0, other: 0 };
    for (let i = 0; i <= perClient; i++) {
      const res = await send(client, i);
      if (res.status === 201) got.created++;
      else if (res.status === 429) got.limited++;
      else got.other++;
    }
    counts.push(got);
  }
  return counts;
}

export async function rateLimits(results, { addresses = 60, limit = 3 } = {}) {
  // Many addresses: each has a limit of its own, and none is more than its limit.
  {
    const server = await startServe({ rateLimit: limit, args: ['--trust-proxy', '127.0.0.1/32'] });
    try {
      const counts = await exhaust(server, loopbackSources(addresses, 50), limit, (from) => postReport(server, undefined, { from }));
      const exact = counts.filter((c) => c.created === limit && c.limited === 1).length;
      results.say(exact === addresses,
        `rate limit: ${addresses} loopback addresses (127.50.x.y) post ${limit + 1} reports each (--rate-limit ${limit})`,
        `each address gets exactly ${limit} 201s and then 429`,
        `${exact} of ${addresses} addresses exactly so; ${server.fds()} descriptors, ${server.rssMiB().toFixed(0)} MiB after`);
    } finally {
      await server.stop();
    }
  }
  // Spoofing: a client that is not the trusted proxy names other clients in every request.
  {
    const server = await startServe({ rateLimit: limit, args: ['--trust-proxy', '127.0.0.1/32'] });
    try {
      const spoofs = [
        (i) => ({ 'x-forwarded-for': `203.0.113.${i + 1}` }),
        (i) => ({ forwarded: `for=203.0.113.${i + 1}` }),
        (i) => ({ forwarded: `for="[2001:db8::${i + 1}]"`, 'x-forwarded-for': `198.51.100.${i + 1}` }),
        (i) => ({ 'x-forwarded-for': `127.0.0.1, 203.0.113.${i + 1}`, 'x-real-ip': `203.0.113.${i + 1}` }),
      ];
      const counts = await exhaust(server, spoofs.map((_, k) => `127.60.0.${k + 1}`), limit,
        (from, i) => postReport(server, undefined, { from, headers: spoofs[Number(from.split('.')[3]) - 1](i) }));
      const held = counts.filter((c) => c.created === limit && c.limited === 1).length;
      results.say(held === spoofs.length,
        `spoofing: clients that are not the trusted proxy (--trust-proxy 127.0.0.1/32) send a new X-Forwarded-For / Forwarded / X-Real-IP with each of ${limit + 1} reports`,
        `the headers are ignored: each client is limited after ${limit}`,
        `${held} of ${spoofs.length} ways limited as themselves`);
    } finally {
      await server.stop();
    }
  }
  // IPv6, through a trusted proxy on ::1 (the loopback has one IPv6 address): a /64 is one client.
  const v6 = await canListen('::1');
  if (!v6) {
    results.say(true, 'IPv6 rate limit', 'one client per /64', 'skipped: no IPv6 on the loopback');
    return;
  }
  const server = await startServe({ host: '::1', rateLimit: limit, args: ['--trust-proxy', '::1'] });
  try {
    const as = (client) => (c, i) => postReport(server, undefined, { headers: { 'x-forwarded-for': client(i) } });
    // One /64, a new address for every request (as a client with privacy addresses could).
    const [sameNet] = await exhaust(server, ['net'], limit, as((i) => `2001:db8:1:2::${(i + 1).toString(16)}`));
    const [otherNet] = await exhaust(server, ['other'], limit, as(() => '2001:db8:1:3::1'));
    const [mapped] = await exhaust(server, ['mapped'], limit, as((i) => (i % 2 ? '::ffff:192.0.2.7' : '192.0.2.7')));
    const ok = [sameNet, otherNet, mapped].every((c) => c.created === limit && c.limited === 1);
    results.say(ok,
      `IPv6 rate limit through a trusted proxy on ::1: ${limit + 1} reports from ${limit + 1} addresses of one /64, from another /64, and an IPv4 address written both ways`,
      `each /64 is one client (${limit} then 429), the other /64 its own, ::ffff:192.0.2.7 is 192.0.2.7`,
      `one /64: ${sameNet.created} x 201, ${sameNet.limited} x 429; other /64: ${otherNet.created} x 201, ${otherNet.limited} x 429; mapped: ${mapped.created} x 201, ${mapped.limited} x 429`);
  } finally {
    await server.stop();
  }
}

async function canListen(host) {
  return new Promise((done) => {
    const s = net.createServer();
    s.once('error', () => done(false));
    s.listen(0, host, () => s.close(() => done(true)));
  });
}

/** Values finding 5 names: each must be refused with 422. */
const HOSTILE_VALUES = [
  ['url', 'https://x.com/"><script>alert(1)</script>'],
  ['url', 'https://[/'],
  ['url', 'https://x.com:99999999/'],
  ['url', 'https://evil.example\\@good.example/'],
  ['url', 'https://x.com/%zz'],
  ['url', 'https://user:pass@host.example/'],
  ['url', 'http://169.254.169.254/latest'],
  ['url', 'http://127.0.0.1:8080/api/reports'],
  ['url', 'http://[::1]/'],
  ['url', 'http://10.0.0.1/'],
  ['email', '<script>@x.com'],
  ['email', 'Eve<eve@x.com>'],
  ['created_at', '2026-02-31T10:00:00Z'],
];

export async function hostileValues(results) {
  const server = await startServe();
  try {
    const accepted = [];
    for (const [field, value] of HOSTILE_VALUES) {
      const report = validReport();
      if (field === 'url') report.urls = [value];
      else if (field === 'email') report.contact = { ...report.contact, email: value };
      else report[field] = value;
      const res = await postReport(server, report);
      if (res.status !== 422) accepted.push(`${value} (${res.status})`);
    }
    results.say(accepted.length === 0,
      `hostile values: ${HOSTILE_VALUES.length} reports with a URL (script, broken host, port 99999999, backslash, %zz, user:pass, the cloud metadata address, loopback and private hosts), an email or a date that is not real`,
      'every one refused with 422',
      accepted.length ? `${HOSTILE_VALUES.length - accepted.length} refused; accepted: ${accepted.join(' ')}` : `${HOSTILE_VALUES.length} of ${HOSTILE_VALUES.length} refused`);
  } finally {
    await server.stop();
  }
}

export async function hostHeaders(results) {
  const server = await startServe();
  try {
    const none = await raw(server, 'GET /healthz HTTP/1.1\r\n\r\n');
    const two = await raw(server, 'GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    const old = await raw(server, 'GET /healthz HTTP/1.0\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    const bad = await raw(server, 'GET /healthz HTTP/1.1\r\nHost: a b/c\r\n\r\n');
    const ok = [none, two, old, bad].every((r) => r.status === 400 && !r.open);
    results.say(ok,
      'Host headers: none, two (HTTP/1.1 and 1.0), and one that is not a host',
      'each 400 and the connection closed',
      `${[none, two, old, bad].map((r) => `${r.status || 'nothing'}${r.open ? ' (left open)' : ''}`).join(', ')}`);
  } finally {
    await server.stop();
  }
}

export async function dotfiles(results) {
  const site = mkdtempSync(join(tmpdir(), 'rh-attack-site-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, '.env'), 'SECRET=1');
  mkdirSync(join(site, '.git'));
  writeFileSync(join(site, '.git', 'config'), '[core]');
  mkdirSync(join(site, 'sub'));
  symlinkSync(join(site, '.env'), join(site, 'sub', 'env.txt'));
  symlinkSync('/etc/passwd', join(site, 'passwd.txt'));
  const server = await startServe({ site });
  try {
    const paths = ['/.env', '/.git/config', '/%2egit/config', '/sub/env.txt', '/passwd.txt', '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd', '/sub/..%2f.env', '/.%2fenv', '//etc/passwd'];
    const served = [];
    for (const path of paths) {
      const res = await raw(server, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      if (res.status !== 404 && res.status !== 400) served.push(`${path} ${res.status}`);
      else if (/SECRET|\[core\]|root:/.test(res.text)) served.push(`${path} leaked`);
    }
    results.say(served.length === 0,
      `dotfiles and paths out of the site: ${paths.length} requests for .env, .git/config, links to them and out of the site, ../ and %2e%2e`,
      'none served (404 or 400)',
      served.length ? `served: ${served.join(', ')}` : `${paths.length} of ${paths.length} refused`);
  } finally {
    await server.stop();
    rmSync(site, { recursive: true, force: true });
  }
}
