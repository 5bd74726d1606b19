// The engine tests' server: the built site of dist/ under the CSP of tools/serve.mjs, with CSP
// violations reported back to it (report-uri and report-to), a probe script injected into the page
// and the hashing worker that reports their errors here, /api/ passed through to the real intake
// when one is given, and every request recorded (method, path, headers, body, status).
// Also the recording proxy every other request of the browser goes to (the privacy canary).
import { createServer, request as httpRequest } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { CSP, TYPES } from '../../tools/serve.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

/** Paths of this server's own that are not the site's: the probe and the reports. */
export const PROBE_PATH = '/__probe';
export const CSP_REPORT_PATH = '/__csp';
/** Where the worker's probe tells the pixel format of each video frame it copies (not a finding). */
export const FRAMES_PATH = '/__frames';
export const PROBE_SCRIPT = '/__probe.js';

/**
 * What the probe reports, as the page or the worker saw it: uncaught errors (and resources that
 * failed to load, which fire `error` on their element), unhandled rejections, console.error and
 * console.warn calls, and CSP violations. Each finding is POSTed here at once (same origin, so the
 * CSP allows it): the tests read them from the server, workers' findings included.
 */
function probeSource(where) {
  return `(() => {
  const where = ${JSON.stringify(where)};
  const send = (kind, text) => {
    try {
      const body = JSON.stringify({ where, kind, text: String(text).slice(0, 2000) });
      fetch(${JSON.stringify(PROBE_PATH)}, { method: 'POST', body, keepalive: true }).catch(() => {});
    } catch {}
  };
  const target = typeof document === 'undefined' ? self : document;
  self.addEventListener('error', (e) => {
    const el = e.target;
    if (el && el !== self && el.nodeType === 1) send('resource', el.outerHTML.slice(0, 300));
    else send('error', e.message + ' at ' + e.filename + ':' + e.lineno + ':' + e.colno);
  }, true);
  self.addEventListener('unhandledrejection', (e) => send('unhandledrejection', e.reason && e.reason.stack || e.reason));
  target.addEventListener('securitypolicyviolation', (e) =>
    send('csp', e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
  // Which pixel format each decoded video frame the worker copies has: an engine that hands over
  // RGB frames converted by itself cannot give the reference's YUV-to-RGB bit for bit.
  if (typeof document === 'undefined' && typeof VideoFrame !== 'undefined') {
    const copyTo = VideoFrame.prototype.copyTo;
    VideoFrame.prototype.copyTo = function (...args) {
      const format = this.format;
      try {
        fetch(${JSON.stringify(FRAMES_PATH)}, { method: 'POST', body: String(format), keepalive: true }).catch(() => {});
      } catch {}
      return copyTo.apply(this, args);
    };
  }
  // The test hook of the watchers' own test: a worker told {__probe: url} fetches it and logs.
  if (typeof document === 'undefined') {
    self.addEventListener('message', (e) => {
      if (!e.data || !e.data.__probe) return;
      e.stopImmediatePropagation();
      fetch(e.data.__probe).catch(() => {});
      console.error('planted worker error');
    });
  }
  for (const level of ['error', 'warn']) {
    const original = console[level];
    console[level] = function (...args) {
      send('console.' + level, args.map((a) => a && a.stack || String(a)).join(' '));
      return original.apply(this, args);
    };
  }
})();
`;
}

/** Reads a request's body to a Buffer. */
function body(req) {
  return new Promise((ok, fail) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => ok(Buffer.concat(parts)));
    req.on('error', fail);
  });
}

/**
 * Starts the test server on 127.0.0.1 (`port`, 0 for a free one). `intake` (a URL) receives
 * /api/ requests as they came. Returns {url, origin, requests, findings(), reset(), close()}.
 * `requests` holds every request in order: {method, path, headers, body, status}.
 */
export async function startTestServer({ port = 0, site = join(ROOT, 'dist'), intake = null } = {}) {
  const root = resolve(site);
  const requests = [];
  const csp = `${CSP}; report-uri ${CSP_REPORT_PATH}; report-to csp`;
  const server = createServer(async (req, res) => {
    const record = { method: req.method, path: req.url, headers: req.headers, body: await body(req), status: 0 };
    requests.push(record);
    const send = (status, content, type = 'text/plain; charset=utf-8', extra = {}) => {
      record.status = status;
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Security-Policy': csp,
        'Reporting-Endpoints': `csp="${CSP_REPORT_PATH}"`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : content);
    };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    if (req.method === 'POST' && [PROBE_PATH, CSP_REPORT_PATH, FRAMES_PATH].includes(path)) return send(204, '');
    if (path === PROBE_SCRIPT) return send(200, probeSource('page'), TYPES['.js']);
    if (intake && path.startsWith('/api/')) return pass(record, req, res, intake);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(404, 'not found\n');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      let content = await readFile(file);
      if (file === join(root, 'index.html')) {
        // The probe first, before any of the page's own scripts.
        content = Buffer.from(content.toString('utf8').replace('<head>', `<head>\n<script src="${PROBE_SCRIPT}"></script>`));
      } else if (file === join(root, 'worker.js')) {
        content = Buffer.concat([Buffer.from(probeSource('worker')), content]);
      }
      send(200, content, TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      send(404, 'not found\n');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${origin}/`,
    origin,
    requests,
    /** What the probe and the CSP reports told, as lines. */
    findings() {
      return requests
        .filter((r) => r.method === 'POST' && (r.path === PROBE_PATH || r.path === CSP_REPORT_PATH))
        .map((r) => {
          const text = r.body.toString('utf8');
          if (r.path === CSP_REPORT_PATH) return `CSP report: ${text}`;
          try {
            const { where, kind, text: said } = JSON.parse(text);
            return `${where} ${kind}: ${said}`;
          } catch {
            return `probe: ${text}`;
          }
        });
    },
    /** The pixel formats of the video frames the worker copied, in the order told. */
    frameFormats() {
      return requests.filter((r) => r.method === 'POST' && r.path === FRAMES_PATH).map((r) => r.body.toString('utf8'));
    },
    /** Forgets the requests recorded so far. */
    reset() {
      requests.length = 0;
    },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Passes a request to the intake at `base` and its answer back, recording the status. */
function pass(record, req, res, base) {
  const target = new URL(req.url, base);
  const headers = { ...req.headers, host: target.host };
  const out = httpRequest(target, { method: req.method, headers }, (answer) => {
    record.status = answer.statusCode;
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (e) => {
    record.status = 502;
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`intake: ${e.message}\n`);
  });
  out.end(record.body);
}

/**
 * A recording HTTP proxy on 127.0.0.1 for the browser (the W3C `proxy` capability, manual, for
 * http and https): requests for `allowed` (host:port) are passed on; every other request and
 * every CONNECT (https) is recorded and refused, never passed on. Returns {port, requests,
 * elsewhere(), close()}; `requests`: {method, url, headers, body, passed}.
 */
export async function startProxy(allowed) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const record = { method: req.method, url: req.url, headers: req.headers, body: await body(req), passed: false };
    requests.push(record);
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.protocol !== 'http:' || target.host !== allowed) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('refused by the test proxy\n');
      return;
    }
    record.passed = true;
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const out = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    out.end(record.body);
  });
  server.on('connect', (req, socket) => {
    requests.push({ method: 'CONNECT', url: req.url, headers: req.headers, body: Buffer.alloc(0), passed: false });
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: server.address().port,
    requests,
    /** The requests for anything but the test server. */
    elsewhere: () => requests.filter((r) => !r.passed),
    reset() {
      requests.length = 0;
    },
    close: () => {
      server.closeAllConnections?.();
      return new Promise((ok) => server.close(ok));
    },
  };
}
