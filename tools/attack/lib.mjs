// What the attacks of `make attack` share: a fresh `report-helper serve` of their own, requests
// over raw sockets and over Node's http, the server's descriptors and memory from /proc, and the
// one line each attack prints. Loopback only: every address here is 127.0.0.0/8 or ::1.
import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = resolve(process.env.REPORT_HELPER_BIN ?? join(ROOT, 'target/release/report-helper'));
/** Seconds: the attacks' servers run with this --client-timeout, so that waiting for it is short. */
export const CLIENT_TIMEOUT = 3;

const CASES = JSON.parse(readFileSync(join(ROOT, 'schema/tests/report-v1-cases.json'), 'utf8'));
/** The cases file's valid report, with a fresh idempotency key (or the changes given). */
export const validReport = (changes = {}) => ({ ...CASES[0].report, idempotency_key: randomUUID(), ...changes });

/** An answer's JSON, or {} when it is not JSON (the attack then says what it got). */
export function json(text) {
  try { return JSON.parse(text) ?? {}; } catch { return {}; }
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** The options `serve --help` lists: an attack passes an option of a fix only once it exists. */
let helpText;
export function serveHas(option) {
  helpText ??= execFileSync(BIN, ['serve', '--help'], { encoding: 'utf8' });
  return helpText.includes(option);
}

/**
 * Starts `report-helper serve` on a free port of `host` with a fresh database in a temporary
 * folder. `nofile`: its descriptor limit, soft and hard (as a machine's usual 1024), set by the
 * shell before it starts.
 */
export async function startServe({ args = [], nofile, host = '127.0.0.1', site = join(ROOT, 'dist'), rateLimit = 0, statusRateLimit = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-attack-'));
  const db = join(dir, 'data', 'reports.sqlite');
  const serveArgs = ['serve', '--init', '--addr', host.includes(':') ? `[${host}]:0` : `${host}:0`, '--db', db,
    '--site', site, '--rate-limit', String(rateLimit), '--status-rate-limit', String(statusRateLimit),
    '--client-timeout', String(CLIENT_TIMEOUT), ...args];
  const child = nofile
    ? spawn('sh', ['-c', `ulimit -Sn ${nofile} && ulimit -Hn ${nofile} && exec "$@"`, 'sh', BIN, ...serveArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(BIN, serveArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
  const exited = new Promise((done) => child.once('exit', done));
  const firstLine = await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).once('line', done);
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      fail(new Error(`serve exited (${code}) before it listened: ${log.join('\n')}`));
    });
  });
  const port = Number(firstLine.match(/:(\d+)\//)?.[1]);
  if (!port) throw new Error(`no port in ${JSON.stringify(firstLine)}`);
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field) => Number(status().match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return {
    host, port, db, dir, log, pid: child.pid,
    /** Open descriptors of the server now. */
    fds: () => { try { return readdirSync(`/proc/${child.pid}/fd`).length; } catch { return NaN; } },
    /** Resident memory now and at its peak, in MiB. */
    rssMiB: () => kib('VmRSS') / 1024,
    peakMiB: () => kib('VmHWM') / 1024,
    alive: () => child.exitCode === null && child.signalCode === null,
    reports: (...more) => execFileSync(BIN, ['reports', ...more, '--db', db], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One request with Node's http client (a fresh connection), as a normal client: resolves to
 * {status, headers, body, ms}, or {error, ms} when there is no answer within `timeoutMs`.
 */
export function request(server, { method = 'GET', path = '/', headers = {}, body, from, timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  return new Promise((done) => {
    const req = http.request({
      host: server.host, port: server.port, method, path, headers, agent: false, localAddress: from,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({
        status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started,
      }));
      res.on('error', (error) => done({ error: error.code ?? error.message, ms: performance.now() - started }));
    });
    req.on('error', (error) => done({ error: error.code ?? error.message, ms: performance.now() - started }));
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: `no answer in ${(timeoutMs / 1000).toFixed(1)} s` })));
    req.end(body);
  });
}

/** POST a report (an object, or the exact text) as JSON. */
export const postReport = (server, report = validReport(), { from, headers = {}, timeoutMs } = {}) => request(server, {
  method: 'POST', path: '/api/reports', from, timeoutMs,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof report === 'string' ? report : JSON.stringify(report),
});

/**
 * Raw bytes on one connection: resolves with what came back (as latin1 text) once the server
 * closes, or when `timeoutMs` passes (then `open: true`).
 */
export function raw(server, data, { from, timeoutMs = 5000 } = {}) {
  return new Promise((done) => {
    const socket = net.connect({ host: server.host, port: server.port, localAddress: from });
    const chunks = [];
    let finished = false;
    const finish = (open) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      done({ text, status: Number(text.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0), open });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write(data));
  });
}

/**
 * Opens `count` connections, spread over the given source addresses, and calls `onOpen(socket)`
 * on each; counts those the server closes. Connections the server refuses count as closed.
 */
export async function openMany(server, count, sources, onOpen, { batch = 200 } = {}) {
  const sockets = [];
  let closed = 0;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => new Promise((done) => {
      const socket = net.connect({ host: server.host, port: server.port, localAddress: sources[(i + j) % sources.length] });
      socket.serverClosed = false;
      const close = () => { if (!socket.serverClosed) { socket.serverClosed = true; closed++; } done(); };
      socket.once('close', close);
      socket.once('end', close);
      socket.on('error', () => {});
      socket.once('connect', () => { onOpen(socket); done(); });
      sockets.push(socket);
    })));
  }
  return {
    sockets,
    closed: () => closed,
    destroy: () => { for (const s of sockets) s.destroy(); },
  };
}

/** `count` source addresses 127.a.b.c, all different, starting at 127.`first`.0.1. */
export function loopbackSources(count, first) {
  return Array.from({ length: count }, (_, i) => `127.${first}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

/** Waits until `check()` is true or `ms` pass; says which. */
export async function until(check, ms, step = 100) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (check()) return true;
    await sleep(step);
  }
  return check();
}

/** The attacks' results: one line each, `HOLDS` or `BROKEN`, what was tried and the numbers. */
export class Results {
  lines = [];

  say(holds, tried, should, measured) {
    const line = `${holds ? 'HOLDS ' : 'BROKEN'}  ${tried}. Should: ${should}. Got: ${measured}`;
    this.lines.push({ holds, line });
    console.log(line);
  }

  get broken() { return this.lines.filter((l) => !l.holds).length; }
}
