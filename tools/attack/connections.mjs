// Attacks on the intake's connections (issue 16, finding 1): slow readers, slow heads, idle
// connections, huge heads, many connections from one address. Each runs against a server of its
// own with the usual descriptor limit of 1024 and --client-timeout CLIENT_TIMEOUT, and measures
// what a normal client gets meanwhile, and what the server holds (descriptors, memory, from /proc).
import {
  CLIENT_TIMEOUT, loopbackSources, openMany, postReport, seconds, serveHas, sleep, startServe, until,
} from './lib.mjs';

const NOFILE = 1024;
/**
 * A normal client must get its 201 within this, while the attack's connections are open: a
 * server at its connection cap may refuse it until the attack's connections time out, and the
 * page retries a POST whose connection failed, so this is --client-timeout and a few seconds.
 */
const NORMAL_WITHIN_MS = (CLIENT_TIMEOUT + 4) * 1000;
/** How long the normal client waits at most for one answer: a hang guard, far past the above. */
const NORMAL_GIVE_UP_MS = 20_000;

/** Options of the fix of finding 1, passed once `serve` has them (else the defaults must hold). */
function capArgs({ perAddress } = {}) {
  const args = [];
  if (perAddress && serveHas('--max-connections-per-address')) args.push('--max-connections-per-address', String(perAddress));
  return args;
}

/**
 * A normal POST from 127.0.0.1 while the attack is on, tried again (as the page does) when its
 * connection is refused or closed: its status, time and tries.
 */
async function normalClient(server) {
  const started = performance.now();
  let tries = 0;
  for (;;) {
    tries++;
    const left = NORMAL_GIVE_UP_MS - (performance.now() - started);
    const res = await postReport(server, undefined, { from: '127.0.0.1', timeoutMs: Math.max(left, 1) });
    const ms = performance.now() - started;
    const refused = res.error && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(res.error);
    if (refused && ms < NORMAL_WITHIN_MS) {
      await sleep(200);
      continue;
    }
    const what = res.status ?? res.error;
    return {
      ok: res.status === 201 && ms <= NORMAL_WITHIN_MS,
      said: `${what} after ${seconds(ms)}${tries > 1 ? ` (${tries} tries)` : ''}`,
    };
  }
}

/** Waits CLIENT_TIMEOUT + 3 s at most for the server's descriptors to fall to `to`. */
async function descriptorsFall(server, to) {
  const started = performance.now();
  const fell = await until(() => server.fds() <= to, (CLIENT_TIMEOUT + 3) * 1000, 200);
  return { fell, after: performance.now() - started, fds: server.fds() };
}

export async function slowReaders(results, { count = 1100, pipelined = 64 } = {}) {
  const server = await startServe({ nofile: NOFILE, args: capArgs() });
  const baseline = server.fds();
  const request = Buffer.from('GET /wasm/report_helper_bg.wasm HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(pipelined), 'latin1');
  try {
    // Never read: no 'data' listener, so each socket stays paused and its window fills. 64
    // answers of the 120 KB wasm are 7.7 MB, more than the socket buffers on both sides hold
    // (Linux's tcp_wmem tops out at 4 MB), so the server can never finish writing them.
    const attack = await openMany(server, count, loopbackSources(110, 10), (s) => s.write(request));
    await sleep(500);
    const held = server.fds();
    const normal = await normalClient(server);
    const fall = await descriptorsFall(server, baseline + 50);
    results.say(normal.ok && fall.fell,
      `slow readers: ${count} connections from 110 addresses pipeline ${pipelined} GETs of the wasm each and never read (server limit ${NOFILE} descriptors)`,
      `a normal POST (tried again if refused) gets 201 within ${NORMAL_WITHIN_MS / 1000} s; an answer that makes no progress for --client-timeout (${CLIENT_TIMEOUT} s) closes its connection`,
      `normal POST ${normal.said}; server descriptors ${baseline} before, ${held} with the attack open, ${fall.fds} ${seconds(fall.after)} later; peak memory ${server.peakMiB().toFixed(0)} MiB`);
    attack.destroy();
  } finally {
    await server.stop();
  }
}

export async function slowHeads(results, { count = 1000 } = {}) {
  const server = await startServe({ nofile: NOFILE, args: capArgs() });
  const baseline = server.fds();
  const timers = [];
  try {
    const attack = await openMany(server, count, loopbackSources(100, 20), (s) => {
      s.resume();
      s.write('POST /api/reports HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      timers.push(setInterval(() => { if (!s.destroyed) s.write('a'); }, 500));
    });
    await sleep(500);
    const held = server.fds();
    const normal = await normalClient(server);
    const closed = await until(() => attack.closed() === count, (CLIENT_TIMEOUT + 3) * 1000, 200);
    results.say(normal.ok && closed,
      `slow heads: ${count} connections send a request's head one byte every 0.5 s`,
      `a normal POST (tried again if refused) gets 201 within ${NORMAL_WITHIN_MS / 1000} s; each is closed once its head took --client-timeout (${CLIENT_TIMEOUT} s)`,
      `normal POST ${normal.said}; server descriptors ${baseline} before, ${held} during; closed by the server within ${CLIENT_TIMEOUT + 3} s: ${attack.closed()} of ${count}`);
    attack.destroy();
  } finally {
    for (const t of timers) clearInterval(t);
    await server.stop();
  }
}

export async function idleConnections(results, { count = 1000 } = {}) {
  const server = await startServe({ nofile: NOFILE, args: capArgs() });
  const baseline = server.fds();
  try {
    // Half never send a byte; half send one request, read its answer, and then stay idle.
    const attack = await openMany(server, count, loopbackSources(100, 30), (s) => {
      s.resume();
      if (s.localPort % 2) s.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
    });
    await sleep(500);
    const held = server.fds();
    const normal = await normalClient(server);
    const closed = await until(() => attack.closed() === count, (CLIENT_TIMEOUT + 3) * 1000, 200);
    results.say(normal.ok && closed,
      `idle connections: ${count} connections, half silent from the start, half idle after one answered request`,
      `a normal POST (tried again if refused) gets 201 within ${NORMAL_WITHIN_MS / 1000} s; each is closed after --client-timeout (${CLIENT_TIMEOUT} s) idle`,
      `normal POST ${normal.said}; server descriptors ${baseline} before, ${held} during; closed by the server within ${CLIENT_TIMEOUT + 3} s: ${attack.closed()} of ${count}`);
    attack.destroy();
  } finally {
    await server.stop();
  }
}

export async function hugeHeads(results, { count = 1000, headKiB = 380 } = {}) {
  const server = await startServe({ nofile: NOFILE, args: capArgs() });
  const before = server.rssMiB();
  // One buffer for all: the client holds it once, however many sockets are writing it.
  const head = Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nX-Huge: ${'a'.repeat(headKiB * 1024)}\r\n\r\n`, 'latin1');
  const answers = new Map(); // the status line's code, or "none" for a connection closed unanswered
  try {
    const attack = await openMany(server, count, loopbackSources(100, 40), (s) => {
      let first = '';
      s.on('data', (c) => { if (!first) first = c.toString('latin1', 0, 12); });
      s.on('close', () => {
        const code = first.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 'none';
        answers.set(code, (answers.get(code) ?? 0) + 1);
      });
      s.write(head);
    }, { batch: 100 });
    const closed = await until(() => attack.closed() === count, (CLIENT_TIMEOUT + 3) * 1000, 200);
    const peak = server.peakMiB();
    const normal = await normalClient(server);
    const served = [...answers].filter(([code]) => code !== '431' && code !== 'none').reduce((n, [, k]) => n + k, 0);
    const bounded = peak - before < 128;
    results.say(closed && served === 0 && bounded && normal.ok,
      `huge heads: ${count} connections each send a ${headKiB} KiB request head`,
      'none is served: each refused (431) or closed once its head passes about 32 KiB, so memory stays bounded (under 128 MiB more)',
      `closed by the server: ${attack.closed()} of ${count}; answers ${[...answers].map(([c, k]) => `${k} x ${c}`).join(', ')}; memory ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB; a normal POST then ${normal.said}`);
    attack.destroy();
  } finally {
    await server.stop();
  }
}

export async function oneAddress(results, { count = 1000, perAddress = 32 } = {}) {
  const args = capArgs({ perAddress });
  const server = await startServe({ nofile: NOFILE * 4, args });
  const cap = args.length ? perAddress : undefined;
  try {
    const attack = await openMany(server, count, ['127.0.0.9'], (s) => s.resume());
    // "At once": well before the head timeout would close them anyway.
    await sleep(Math.min(1000, CLIENT_TIMEOUT * 300));
    const closedAtOnce = attack.closed();
    const normal = await normalClient(server);
    const enough = count - (cap ?? 64);
    results.say(closedAtOnce >= enough && normal.ok,
      `many connections from one address: ${count} from 127.0.0.9${cap ? ` (--max-connections-per-address ${cap})` : ' (serve has no --max-connections-per-address)'}`,
      `those over the per-address cap are refused or closed at once (at least ${enough} within 1 s); another address still gets its 201`,
      `closed within 1 s: ${closedAtOnce} of ${count}; normal POST ${normal.said}`);
    attack.destroy();
  } finally {
    await server.stop();
  }
}
