// How each engine is started for WebDriver: Firefox ESR through geckodriver (headless), WebKitGTK's
// MiniBrowser through WebKitWebDriver (under an Xvfb of its own), and, for the benchmark's
// baseline, Debian's Chromium through chromedriver. ENGINES[name].start({proxyPort}) returns
// {session, stop}; with proxyPort, every request of the browser goes through that proxy.
// FIREFOX, GECKODRIVER, WEBKITDRIVER, MINIBROWSER, CHROMIUM and CHROMEDRIVER override the paths.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDriver } from './webdriver.mjs';

/** Which program is at the first of `paths` that exists, or on PATH. */
function which(...paths) {
  for (const p of paths.filter(Boolean)) {
    if (p.includes('/') ? existsSync(p) : false) return p;
    for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, p))) return join(dir, p);
  }
  return null;
}

/** Starts Xvfb on the first free display from :99 up; returns {display, stop}. */
async function startXvfb() {
  const xvfb = which('Xvfb');
  if (!xvfb) throw new Error('Xvfb is not installed (make setup installs xvfb)');
  for (let n = 99; n < 199; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const child = spawn(xvfb, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    const exited = new Promise((done) => child.once('exit', done));
    for (let i = 0; i < 100 && child.exitCode === null && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode !== null || !existsSync(`/tmp/.X11-unix/X${n}`)) {
      child.kill();
      continue; // taken in the meantime
    }
    // Should this process end without stop(), the display (and the browser on it) goes too.
    const orphan = () => child.kill('SIGTERM');
    process.once('exit', orphan);
    return {
      display: `:${n}`,
      stop: async () => {
        process.off('exit', orphan);
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  throw new Error('no free X display between :99 and :198');
}

export const ENGINES = {
  firefox: {
    async start({ proxyPort } = {}) {
      const driver = which(process.env.GECKODRIVER, join(homedir(), '.cargo/bin/geckodriver'), 'geckodriver');
      const binary = which(process.env.FIREFOX, '/usr/bin/firefox-esr', 'firefox-esr', 'firefox');
      if (!driver) throw new Error('geckodriver is not installed (make setup: cargo install geckodriver)');
      if (!binary) throw new Error('firefox-esr is not installed (make setup)');
      const port = await freePort();
      // Release builds ignore the services.settings.server pref below without this variable.
      const env = { MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' };
      const server = await startDriver(driver, ['--port', String(port)], { port, name: 'geckodriver', env });
      const session = await server.newSession({
        browserName: 'firefox',
        ...(proxyPort ? { proxy: proxy(proxyPort) } : {}),
        'moz:firefoxOptions': {
          binary,
          args: ['-headless'],
          prefs: {
            // Firefox sends loopback past a proxy unless told; the page's own requests go through
            // it too, so that the proxy sees every request, the test server's included.
            'network.proxy.allow_hijacking_localhost': true,
            // Remote settings (firefox.settings.services.mozilla.com) are fetched otherwise: the
            // dummy server of Firefox's own tests turns that off.
            'services.settings.server': 'data:,#remote-settings-dummy/v1',
          },
        },
      });
      return { driver: server, session, stop: async () => (await session.delete(), await server.stop()) };
    },
  },
  chromium: {
    // For the benchmark's baseline: Debian's Chromium through its chromedriver.
    async start({ proxyPort } = {}) {
      const driver = which(process.env.CHROMEDRIVER, '/usr/bin/chromedriver', 'chromedriver');
      const binary = which(process.env.CHROMIUM, '/usr/bin/chromium', 'chromium');
      if (!driver || !binary) throw new Error('chromium and chromium-driver are not installed (make setup)');
      const port = await freePort();
      const server = await startDriver(driver, [`--port=${port}`], { port, name: 'chromedriver' });
      const session = await server.newSession({
        browserName: 'chrome',
        ...(proxyPort ? { proxy: proxy(proxyPort) } : {}),
        'goog:chromeOptions': {
          binary,
          // As playwright.config.mjs: without the background-networking flags Chromium keeps
          // dialling Google on a closed network.
          args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--no-first-run', '--disable-sync', '--disable-quic'],
        },
      });
      return { driver: server, session, stop: async () => (await session.delete(), await server.stop()) };
    },
  },
  webkit: {
    async start({ proxyPort } = {}) {
      const driver = which(process.env.WEBKITDRIVER, '/usr/bin/WebKitWebDriver', 'WebKitWebDriver');
      const binary = which(process.env.MINIBROWSER, '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser');
      if (!driver) throw new Error('WebKitWebDriver is not installed (make setup installs webkit2gtk-driver)');
      if (!binary) throw new Error('MiniBrowser is not installed (make setup installs webkit2gtk-driver)');
      const x = await startXvfb();
      try {
        const port = await freePort();
        const server = await startDriver(driver, [`--port=${port}`], { port, name: 'WebKitWebDriver', env: { DISPLAY: x.display } });
        const session = await server.newSession({
          ...(proxyPort ? { proxy: proxy(proxyPort) } : {}),
          // MiniBrowser must be told it is automated; it proxies loopback too.
          'webkitgtk:browserOptions': { binary, args: ['--automation'] },
        });
        return { driver: server, session, stop: async () => (await session.delete(), await server.stop(), await x.stop()) };
      } catch (e) {
        await x.stop();
        throw e;
      }
    },
  },
};

const proxy = (port) => ({ proxyType: 'manual', httpProxy: `127.0.0.1:${port}`, sslProxy: `127.0.0.1:${port}` });

