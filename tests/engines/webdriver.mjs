// A small W3C WebDriver client over HTTP (Node's fetch): only the commands the engine tests use.
// https://www.w3.org/TR/webdriver2/
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port of 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export class WebDriverError extends Error {
  constructor(command, status, value) {
    super(`${command}: ${value?.error ?? status}: ${value?.message ?? JSON.stringify(value)}`.slice(0, 2000));
    this.error = value?.error;
  }
}

/** The W3C element reference key. */
export const ELEMENT = 'element-6066-11e4-a6e7-4d7ebb6c9c2c';

export class Session {
  constructor(base, id, capabilities) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
  }

  async command(method, path, body) {
    const url = `${this.base}/session/${this.id}${path}`;
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new WebDriverError(`${method} ${path}`, res.status, json.value);
    return json.value;
  }

  navigate(url) {
    return this.command('POST', '/url', { url });
  }

  /** Runs `fn` (a function or its source) in the page with `args`; returns its (awaited) result. */
  execute(fn, ...args) {
    return this.command('POST', '/execute/async', {
      script: `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn}).apply(null, Array.from(arguments).slice(0, -1)))
          .then((value) => done({ ok: true, value }), (e) => done({ ok: false, error: String(e && e.stack || e) }));`,
      args,
    }).then((r) => {
      if (!r?.ok) throw new Error(`in the page: ${r?.error}`);
      return r.value;
    });
  }

  setTimeouts(t) {
    return this.command('POST', '/timeouts', t);
  }

  find(css) {
    return this.command('POST', '/element', { using: 'css selector', value: css }).then((e) => e[ELEMENT]);
  }

  /** Element Send Keys: on an <input type=file>, `text` is a path (several: newline-separated). */
  sendKeys(elementId, text) {
    return this.command('POST', `/element/${elementId}/value`, { text });
  }

  delete() {
    return fetch(`${this.base}/session/${this.id}`, { method: 'DELETE' }).catch(() => {});
  }
}

/** Starts a driver process listening on `port`; resolves once its /status answers. */
export async function startDriver(command, args, { port, env, name = command } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  const keep = (d) => {
    log = (log + d).slice(-20000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  // Should this process end without stop() (a crash), the driver does not outlive it.
  const orphan = () => child.kill('SIGTERM');
  process.once('exit', orphan);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const status = await fetch(`${base}/status`).then((r) => r.json(), () => null);
    if (status?.value) break;
    if (child.exitCode !== null || i > 200) {
      child.kill();
      throw new Error(`${name} did not start: ${log.trim().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    log: () => log,
    async newSession(alwaysMatch) {
      const res = await fetch(`${base}/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ capabilities: { alwaysMatch } }),
      });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) throw new WebDriverError('new session', res.status, json.value);
      return new Session(base, json.value.sessionId, json.value.capabilities);
    },
    async stop() {
      process.off('exit', orphan);
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
