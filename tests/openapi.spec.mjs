// schema/intake-openapi.json, the specification of the intake API, held to the real
// `report-helper serve` (tests/intake-server.mjs), with no page:
//
// - the document: OpenAPI 3.1 in the JSON Schema 2020-12 dialect, well formed, every $ref
//   resolves (into itself or into report-v1.schema.json beside it), and every schema in it
//   compiles with Ajv 2020 in strict mode;
// - every operation is called until it has given every answer the document lists: each answer's
//   status must be documented for that operation, its body must match the documented schema for
//   its Content-Type (or be empty where no content is documented), and its documented headers
//   must be there (the required ones) and match their schemas;
// - POST is also fed every case of schema/tests/report-v1-cases.json: the status each must get
//   follows from the document (over 526336 bytes: 413; not JSON: 400; over 65536 bytes besides
//   the vpdq.hashes strings: 413; a valid report: 201; else 422), the field and problem from the
//   cases file;
// - at the end, the (method, path, status) answers seen must be exactly those documented: an
//   undocumented answer, or a documented one never provoked, fails.
//
// A 408 needs a body that stalls past the client timeout (10 s, waited for alongside the other
// POSTs); a 500 needs a failing database: the tokens and fingerprints tables of a separate
// server's database are dropped with the sqlite3 command-line shell. The platforms' list
// (`application/x-ndjson`) is checked line by line against its schema.
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { test, expect } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import { startIntake } from './intake-server.mjs';
import { KEY, bytesBesidesHashes, distinctHashes, videoItem } from '../schema/tests/make-report-v1-cases.mjs';

const fromRoot = (path) => new URL(`../${path}`, import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(fromRoot(path), 'utf8'));

const doc = readJson('schema/intake-openapi.json');
const reportSchema = readJson('schema/report-v1.schema.json');
const cases = readJson('schema/tests/report-v1-cases.json');

// The document sits beside the report schema, so its relative references resolve against the
// report schema's $id.
const BASE = new URL('intake-openapi.json', reportSchema.$id).href;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/**
 * The body limits, which the POST's requestBody description states: in all, and besides the text
 * of the vpdq.hashes strings (64 KiB, and the base64 of 10800 hashes: 460800 bytes).
 */
const MAX_BYTES = 526336;
const MAX_BESIDES_HASHES = 65536;
const ORIGIN = 'https://helpline.example';
const OTHER_ORIGIN = 'https://elsewhere.example';

const ajv = new Ajv2020({ strict: true, allErrors: true });
// The OpenAPI document's own top-level fields are annotations to Ajv; everything Ajv compiles
// is reached through a JSON pointer into the document, in strict mode.
ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components',
  'security', 'tags', 'externalDocs']);
ajv.addSchema(reportSchema);
ajv.addSchema({ ...doc, $id: BASE });

const escape = (part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1');
const pointer = (...parts) => parts.map((p) => `/${escape(p)}`).join('');

/** The value at a JSON pointer (`/a/b`) of `root`, or undefined. */
function at(root, ptr) {
  let value = root;
  for (const part of ptr.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** Follows local $refs: the object an OpenAPI field stands for, and its pointer. */
function deref(value, ptr) {
  for (let hops = 0; value && typeof value.$ref === 'string'; hops++) {
    expect(hops, `a $ref loop at ${ptr}`).toBeLessThan(10);
    expect(value.$ref.startsWith('#/'), `${ptr}: ${value.$ref} is not local`).toBe(true);
    ptr = value.$ref.slice(1);
    value = at(doc, ptr);
    expect(value, `${ptr} resolves`).toBeDefined();
  }
  return [value, ptr];
}

/** Validates `value` against the schema at `ptr` of the document; fails with Ajv's errors. */
function expectValid(ptr, value, what) {
  const validate = ajv.getSchema(`${BASE}#${ptr}`);
  expect(validate, `a schema at ${ptr}`).toBeTruthy();
  const ok = validate(value);
  expect(ok, `${what}: ${JSON.stringify(value)} against ${ptr}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

/** Every (method, path, status) the document lists, as `METHOD /path status`. */
function documentedAnswers() {
  const out = new Set();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      for (const status of Object.keys(item[method]?.responses ?? {})) out.add(`${method.toUpperCase()} ${path} ${status}`);
    }
  }
  return out;
}

// ---- The document ----

/** Every place a schema sits in the document: components.schemas and every `schema` field. */
function schemaPointers() {
  const out = [];
  for (const name of Object.keys(doc.components?.schemas ?? {})) out.push(pointer('components', 'schemas', name));
  const walk = (value, ptr) => {
    if (value === null || typeof value !== 'object' || ptr === '/components/schemas') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'schema' && child && typeof child === 'object' && !Array.isArray(child)) out.push(`${ptr}/schema`);
      else walk(child, `${ptr}/${escape(key)}`);
    }
  };
  walk(doc, '');
  return out;
}

/** Every $ref in `value`, with where it is. */
function refs(value, ptr = '') {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [[ptr, child]] : refs(child, `${ptr}/${escape(key)}`));
}

test.describe.configure({ mode: 'serial' });

test('the document is OpenAPI 3.1 whose references resolve and whose schemas compile with Ajv 2020', () => {
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  // Plain JSON Schema 2020-12, which is what Ajv 2020 implements.
  expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  expect(typeof doc.info?.title).toBe('string');
  expect(typeof doc.info?.version).toBe('string');
  expect(doc.info.description.length).toBeGreaterThan(0);
  for (const [kind, entries] of Object.entries(doc.components)) {
    for (const name of Object.keys(entries)) expect(name, `components.${kind} name`).toMatch(/^[a-zA-Z0-9.\-_]+$/);
  }

  // Every $ref resolves: into this document, or into the report schema beside it.
  const all = refs(doc);
  expect(all.length).toBeGreaterThan(20);
  for (const [where, ref] of all) {
    const url = new URL(ref, BASE);
    const target = url.href.split('#')[0];
    const fragment = decodeURIComponent(url.hash.slice(1));
    const root = target === BASE ? doc : target === reportSchema.$id ? reportSchema : undefined;
    expect(root, `${where}: ${ref} names a known document`).toBeDefined();
    expect(at(root, fragment), `${where}: ${ref} resolves`).toBeDefined();
  }
  expect(all.some(([, ref]) => new URL(ref, BASE).href === reportSchema.$id), 'the report schema is referenced').toBe(true);

  // Every schema compiles (strict: an unknown keyword or format is an error).
  const schemas = schemaPointers();
  expect(schemas.length).toBeGreaterThan(20);
  for (const ptr of schemas) expect(ajv.getSchema(`${BASE}#${ptr}`), ptr).toBeTruthy();

  // Paths, operations, parameters and answers are well formed.
  const operationIds = new Set();
  const schemes = Object.keys(doc.components.securitySchemes ?? {});
  const checkParameter = (p0, ptr) => {
    const [p] = deref(p0, ptr);
    expect(['query', 'header', 'path', 'cookie'], `${ptr}.in`).toContain(p.in);
    expect(typeof p.name).toBe('string');
    expect(p.schema, `${ptr} has a schema`).toBeDefined();
    // OpenAPI ignores header parameters by these names: they are said by requestBody and security.
    if (p.in === 'header') expect(['accept', 'content-type', 'authorization']).not.toContain(p.name.toLowerCase());
    if (p.in === 'path') expect(p.required, `${ptr} path parameters are required`).toBe(true);
    return p;
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    expect(path.startsWith('/')).toBe(true);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    const shared = (item.parameters ?? []).map((p, i) => checkParameter(p, pointer('paths', path, 'parameters', i)));
    const operations = METHODS.filter((m) => item[m]);
    expect(operations.length, `${path} has operations`).toBeGreaterThan(0);
    for (const method of operations) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${path}`;
      expect(typeof op.operationId, `${where} operationId`).toBe('string');
      expect(operationIds.has(op.operationId), `${op.operationId} is unique`).toBe(false);
      operationIds.add(op.operationId);
      expect(typeof op.summary).toBe('string');
      const own = (op.parameters ?? []).map((p, i) => checkParameter(p, pointer('paths', path, method, 'parameters', i)));
      const params = [...shared, ...own];
      expect(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), `${where} path parameters`).toEqual(templated);
      for (const requirement of op.security ?? doc.security ?? []) {
        for (const name of Object.keys(requirement)) expect(schemes, `${where} security`).toContain(name);
      }
      if (op.requestBody) {
        const [body] = deref(op.requestBody, pointer('paths', path, method, 'requestBody'));
        expect(Object.keys(body.content ?? {}).length, `${where} request content`).toBeGreaterThan(0);
      }
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses.length, `${where} answers`).toBeGreaterThan(0);
      for (const status of statuses) {
        expect(status, where).toMatch(/^[1-5][0-9][0-9]$/);
        const [response, rptr] = deref(op.responses[status], pointer('paths', path, method, 'responses', status));
        expect(typeof response.description, `${rptr} description`).toBe('string');
        for (const [name, h0] of Object.entries(response.headers ?? {})) {
          const [header] = deref(h0, `${rptr}/headers/${escape(name)}`);
          expect(header.schema, `${rptr} header ${name} has a schema`).toBeDefined();
          expect(header.name ?? header.in, 'a header object has neither name nor in').toBeUndefined();
        }
        // No body for 204 (RFC 9110), nor for the answers to a preflight.
        if (status === '204') expect(response.content).toBeUndefined();
      }
    }
  }
  // The body limits the tests below use are the ones the document states.
  const { description } = doc.paths['/api/reports'].post.requestBody;
  expect(description).toContain(`at most ${MAX_BYTES} bytes as sent`);
  expect(description).toContain(`at most ${MAX_BESIDES_HASHES} bytes (64 KiB) besides the text of its \`vpdq.hashes\` strings`);
  expect(MAX_BYTES - MAX_BESIDES_HASHES).toBe(4 * Math.ceil((10800 * 32) / 3));
});

// ---- The API ----

let intake;
let limited;
let requests = 0;
const observed = new Set();
const problemsSeen = new Set();

test.beforeAll(async () => {
  intake = await startIntake({ allowOrigins: [ORIGIN] });
  // Every POST counts toward the limit, refused ones included (the POST's description).
  limited = await startIntake({ rateLimit: 3, statusRateLimit: 2, platformRateLimit: 1 });
});

test.afterAll(async () => {
  await intake?.stop();
  await limited?.stop();
});

/**
 * Sends a request to `server` and checks the answer against the document: the operation of
 * `template` and `method` must list the status, the body must match its schema, the headers
 * theirs. Returns the status, the headers and the parsed body (or null).
 */
async function call(server, method, path, template, { headers = {}, body } = {}) {
  requests++;
  const url = new URL(path.slice(1), server.url);
  const res = await fetch(url, {
    method,
    headers,
    body,
    ...(body instanceof ReadableStream && { duplex: 'half' }),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  return check(method, path, template, res.status, res.headers, raw);
}

/** Checks an answer (see call()). */
function check(method, path, template, statusCode, resHeaders, raw) {
  const status = String(statusCode);
  const where = `${method} ${path}`;
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is documented`).toBeTruthy();
  expect(Object.keys(op.responses), `${where} answered ${status}, undocumented: ${raw.toString().slice(0, 300)}`)
    .toContain(status);
  observed.add(`${method} ${template} ${status}`);
  const [response, rptr] = deref(op.responses[status], pointer('paths', template, method.toLowerCase(), 'responses', status));

  for (const [name, h0] of Object.entries(response.headers ?? {})) {
    const [header, hptr] = deref(h0, `${rptr}/headers/${escape(name)}`);
    const value = resHeaders.get(name);
    if (header.required) expect(value, `${where} ${status}: header ${name}`).not.toBeNull();
    if (value === null) continue;
    let typed = value;
    if (header.schema.type === 'integer') {
      expect(value, `${where} ${status}: header ${name} is an integer`).toMatch(/^[0-9]+$/);
      typed = Number(value);
    }
    expectValid(`${hptr}/schema`, typed, `${where} ${status}: header ${name}`);
  }

  let parsed = null;
  if (response.content) {
    const type = resHeaders.get('content-type');
    const media = type?.split(';')[0].trim().toLowerCase();
    expect(Object.keys(response.content), `${where} ${status}: Content-Type ${type}`).toContain(media);
    if (media === 'application/json' || media?.endsWith('+json')) {
      parsed = JSON.parse(raw.toString('utf8'));
      expectValid(`${rptr}/content/${escape(media)}/schema`, parsed, `${where} ${status}: body`);
      if (typeof parsed?.problem === 'string') problemsSeen.add(parsed.problem);
    } else if (media === 'application/x-ndjson') {
      // JSON lines: each line, ended by a line break, matches the schema.
      const text = raw.toString('utf8');
      expect(text === '' || text.endsWith('\n'), `${where} ${status}: the last line ends`).toBe(true);
      parsed = text.split('\n').slice(0, -1).map((line) => JSON.parse(line));
      for (const line of parsed) expectValid(`${rptr}/content/${escape(media)}/schema`, line, `${where} ${status}: a line`);
    }
  } else {
    expect(raw.length, `${where} ${status} has no body`).toBe(0);
  }
  return { status: statusCode, headers: resHeaders, body: parsed };
}

/**
 * Writes `bytes` to `server` over a bare TCP connection and waits (up to 30 s) for it to close;
 * the answer, parsed, or null when the server closed without one.
 */
function rawExchange(server, bytes) {
  requests++;
  const { hostname, port } = new URL(server.url);
  return new Promise((done, fail) => {
    const socket = connect(Number(port), hostname);
    const chunks = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', fail);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      if (all.length === 0) return done(null);
      const end = all.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Headers();
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      let body = all.subarray(end + 4);
      if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
      done({ status: Number(statusLine.split(' ')[1]), headers, raw: body });
    });
    socket.write(bytes);
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const post = (server, text, headers = {}) =>
  call(server, 'POST', '/api/reports', '/api/reports', { headers: { ...JSON_TYPE, ...headers }, body: text });
const one = (method, reference, token, headers = {}) =>
  call(intake, method, `/api/reports/${reference}`, '/api/reports/{reference}', {
    headers: { ...(token !== undefined && { Authorization: `Bearer ${token}` }), ...headers },
  });

/** A fresh idempotency key as long as the cases' KEY (so no report changes size). */
let keys = 0;
const freshKey = () => `oa-${String(++keys).padStart(KEY.length - 3, '0')}`;
/** The cases' valid report, under a fresh key. */
const validReport = () => ({ ...cases.find((c) => c.name === 'the valid report').report, idempotency_key: freshKey() });
const requestSchema = pointer('paths', '/api/reports', 'post', 'requestBody', 'content', 'application/json', 'schema');

let flow; // {reference, tokens, report, text} of the report the GET and DELETE tests use

test('POST /api/reports: created, replayed and every refusal', async () => {
  // Two slow clients, answered after the client timeout (10 s) while the rest goes on: a body
  // that stops halfway gets 408; a request head that stops halfway, no answer at all.
  const half = JSON.stringify(validReport());
  const slowBody = rawExchange(intake, `POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(half)}\r\nConnection: close\r\n\r\n${half.slice(0, 100)}`);
  const slowHead = rawExchange(intake, 'POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Ty');
  const report = validReport();
  const text = JSON.stringify(report);
  expectValid(requestSchema, report, 'the report sent');

  const created = await post(intake, text, { 'Idempotency-Key': report.idempotency_key });
  expect(created.status).toBe(201);

  // The same report again, pretty-printed, keys in another order, a charset given: a replay.
  const { good_faith, contact, ...rest } = report;
  const again = await post(intake, JSON.stringify({ contact, good_faith, ...rest }, null, 2), {
    'Content-Type': 'application/json; charset=utf-8',
  });
  expect(again.status).toBe(200);
  const { reference, token } = created.body;
  // A replay hands out no token; with the report's own token it gets that one back, with
  // another token none (and it is not added: see the GET test).
  expect(again.body).toEqual({ reference, status: 'received', replayed: true });
  const echoed = await post(intake, text, { Authorization: `Bearer ${token}` });
  expect(echoed.body).toEqual({ reference, status: 'received', replayed: true, token });
  const stranger = await post(intake, text, { Authorization: `Bearer ${'Z'.repeat(26)}` });
  expect(stranger.body).toEqual({ reference, status: 'received', replayed: true });
  flow = { reference, token, report, text };

  // A client's own token: stored with the report and answered; anything else is not a token.
  const own = '7K2M9QXDHPWS4R8TVB3N6CFGJZ';
  const mine = await post(intake, JSON.stringify(validReport()), { Authorization: `Bearer ${own}` });
  expect(mine.status).toBe(201);
  expect(mine.body.token).toBe(own);
  expect((await one('GET', mine.body.reference, own)).status).toBe(200);
  for (const bad of [`Bearer ${own.slice(1)}`, `Basic ${own}`, `Bearer ${own.slice(1)}U`]) {
    const refused = await post(intake, JSON.stringify(validReport()), { Authorization: bad });
    expect(refused.status, bad).toBe(422);
    expect(refused.body.problem).toBe('not-a-token');
    expect(refused.body.field).toBe('');
  }

  // The same key, another report.
  const other = await post(intake, JSON.stringify({ ...report, urls: ['https://a.example/other'] }));
  expect(other.status).toBe(409);

  // The header's key differs from the report's.
  const mismatch = await post(intake, JSON.stringify(validReport()), { 'Idempotency-Key': freshKey() });
  expect(mismatch.status).toBe(422);
  expect(mismatch.body.problem).toBe('idempotency-key-mismatch');
  expect(mismatch.body.field).toBe('idempotency_key');

  // Not application/json, or no Content-Type at all (a byte body gets none from fetch).
  expect((await post(intake, JSON.stringify(validReport()), { 'Content-Type': 'text/plain' })).status).toBe(415);
  const untyped = await call(intake, 'POST', '/api/reports', '/api/reports', { body: Buffer.from(JSON.stringify(validReport())) });
  expect(untyped.status).toBe(415);

  // Exactly the limits are accepted; a byte more is refused, declared or streamed in chunks:
  // 64 KiB for a report without vPDQ hashes (spaces are not hashes), and 526336 bytes for one
  // with three hours of them, of which 64 KiB are not hashes.
  const padded = (n, report = validReport()) => {
    const t = JSON.stringify(report);
    return `${' '.repeat(n - Buffer.byteLength(t))}${t}`;
  };
  const streamed = (text) => {
    const big = Buffer.from(text);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < big.length; i += 4096) controller.enqueue(big.subarray(i, i + 4096));
        controller.close();
      },
    });
    return call(intake, 'POST', '/api/reports', '/api/reports', { headers: JSON_TYPE, body: stream });
  };
  expect((await post(intake, padded(MAX_BESIDES_HASHES))).status).toBe(201);
  expect((await post(intake, padded(MAX_BESIDES_HASHES + 1))).status).toBe(413);
  expect((await streamed(padded(MAX_BESIDES_HASHES + 1))).status).toBe(413);
  const threeHours = () => ({ ...validReport(), items: [videoItem(distinctHashes(10800))] });
  const largest = padded(MAX_BYTES, threeHours());
  expect(bytesBesidesHashes(largest)).toBe(MAX_BESIDES_HASHES);
  expectValid(requestSchema, JSON.parse(largest), 'the largest report');
  expect((await post(intake, largest)).status).toBe(201);
  const over = padded(MAX_BYTES + 1, threeHours());
  expect((await post(intake, over)).status).toBe(413);
  expect((await streamed(over)).status).toBe(413);

  // Not UTF-8; not JSON.
  expect((await post(intake, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).status).toBe(400);
  expect((await post(intake, '{not json')).status).toBe(400);

  const timedOut = await slowBody;
  expect(timedOut, 'an answer to the slow body').not.toBeNull();
  const answer = check('POST', '/api/reports', '/api/reports', timedOut.status, timedOut.headers, timedOut.raw);
  expect(answer.status).toBe(408);
  expect(await slowHead, 'no answer to a slow head').toBeNull();
});

test('POST /api/reports: every case of the report schema\'s tests gets the documented answer', async () => {
  // One stored report is one fsync (synchronous=FULL): about 0.2 s each here.
  test.setTimeout(300_000);
  const isJson = (text) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };
  const validateRequest = ajv.getSchema(`${BASE}#${requestSchema}`);
  const tally = {};
  for (const c of cases) {
    let text = typeof c.report === 'string' ? c.report : JSON.stringify(c.report);
    // Each accepted report under its own key (the cases share one).
    if (c.valid) text = text.replaceAll(`"${KEY}"`, `"${freshKey()}"`);
    let expected;
    if (Buffer.byteLength(text) > MAX_BYTES) expected = 413;
    else if (!isJson(text)) expected = 400;
    else if (bytesBesidesHashes(text) > MAX_BESIDES_HASHES) expected = 413;
    else expected = c.valid ? 201 : 422;
    if (expected !== 400 && !c.schema_cannot_tell) {
      expect(validateRequest(JSON.parse(text)), `${c.name}: the request schema's verdict`).toBe(c.valid);
    }
    const answer = await post(intake, text);
    expect(answer.status, c.name).toBe(expected);
    if (!c.valid) {
      if (c.field !== undefined) expect(answer.body.field, c.name).toBe(c.field);
      if (c.problem !== undefined) expect(answer.body.problem, c.name).toBe(c.problem);
    }
    tally[expected] = (tally[expected] ?? 0) + 1;
  }
  expect(Object.keys(tally).sort()).toEqual(['201', '400', '413', '422']);
  console.log(`report cases posted: ${cases.length} (${JSON.stringify(tally)})`);
});

test('the rate limits: every POST counts, refused ones too; GET and DELETE apart', async () => {
  expect((await post(limited, JSON.stringify(validReport()))).status).toBe(201);
  expect((await post(limited, JSON.stringify(validReport()), { 'Content-Type': 'text/plain' })).status).toBe(415);
  expect((await post(limited, '{not json')).status).toBe(400);
  const refused = await post(limited, JSON.stringify(validReport()));
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  // GET and DELETE of a report have a limit of their own (2 here): two answered, then 429.
  const options = { headers: { Authorization: `Bearer ${'0'.repeat(26)}` } };
  const path = '/api/reports/RH-00000000';
  expect((await call(limited, 'GET', path, '/api/reports/{reference}', options)).status).toBe(404);
  expect((await call(limited, 'DELETE', path, '/api/reports/{reference}', options)).status).toBe(404);
  for (const method of ['GET', 'DELETE']) {
    const refused = await call(limited, method, path, '/api/reports/{reference}', options);
    expect(refused.status, method).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.problem).toBe('rate-limited');
  }
  // The platforms' list has its own (1 here), counted before the key is looked at.
  const [{ key }] = limited.platforms('add', 'Acme');
  const list = (headers) => call(limited, 'GET', '/api/platform/fingerprints', '/api/platform/fingerprints', { headers });
  expect((await list({ Authorization: `Bearer ${key}` })).status).toBe(200);
  const tooMany = await list({ Authorization: `Bearer ${key}` });
  expect(tooMany.status).toBe(429);
  expect(tooMany.body.problem).toBe('rate-limited');
});

test('GET and DELETE /api/reports/{reference}: only with a token of the report', async () => {
  const { reference, token } = flow;
  const ok = await one('GET', reference, token);
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ reference, status: 'received' });
  // The scheme name is case-insensitive; the reference and the token are read as typed: in any
  // case, with spaces, O for 0 and I or L for 1.
  expect((await one('GET', reference, undefined, { Authorization: `bearer ${token}` })).status).toBe(200);
  const typed = (code, oneAs) => code.toLowerCase().replaceAll('0', 'o').replaceAll('1', oneAs).replace(/(.{4})/g, '$1 ').trim();
  for (const oneAs of ['i', 'L']) {
    const read = await one('GET', encodeURIComponent(typed(reference, oneAs)), typed(token, oneAs));
    expect(read.status, `${typed(reference, oneAs)} with ${typed(token, oneAs)}`).toBe(200);
    expect(read.body).toEqual({ reference, status: 'received' });
  }

  // Another report's token, a wrong token, none, another scheme, an unknown reference: one 404.
  const otherReport = await post(intake, JSON.stringify(validReport()));
  const refusals = [
    await one('GET', reference, undefined),
    await one('GET', reference, otherReport.body.token),
    await one('GET', reference, 'Z'.repeat(26)), // a replay brought it: not added
    await one('GET', reference, 'not a token'),
    await one('GET', reference, undefined, { Authorization: `Basic ${token}` }),
    await one('GET', 'RH-00000000', token),
    await one('GET', 'nothing-like-a-reference', token),
    await one('DELETE', reference, undefined),
    await one('DELETE', reference, otherReport.body.token),
    await one('DELETE', 'RH-00000000', token),
  ];
  for (const r of refusals) {
    expect(r.status).toBe(404);
    expect(r.body).toEqual(refusals[0].body);
  }
  expect((await one('GET', reference, token)).body.status, 'nothing was withdrawn').toBe('received');

  // Withdrawn; withdrawing again (typed by hand) is answered the same; the token still reads it.
  for (const [ref, t] of [[reference, token], [encodeURIComponent(typed(reference, 'L')), typed(token, 'i')]]) {
    const gone = await one('DELETE', ref, t);
    expect(gone.status).toBe(200);
    expect(gone.body).toEqual({ reference, status: 'withdrawn' });
  }
  expect((await one('GET', reference, token)).body).toEqual({ reference, status: 'withdrawn' });
  // A replay of the POST answers the current status.
  const replay = await post(intake, flow.text);
  expect(replay.status).toBe(200);
  expect(replay.body.status).toBe('withdrawn');
  expect(replay.body.reference).toBe(reference);
});

test('GET /api/platform/fingerprints: a shared report\'s fingerprints, paged, only with a platform\'s key', async () => {
  const LIST = '/api/platform/fingerprints';
  const list = (query, key, headers = {}) => call(intake, 'GET', `${LIST}${query}`, LIST, {
    headers: { ...(key !== undefined && { Authorization: `Bearer ${key}` }), ...headers },
  });
  const [{ key }] = intake.platforms('add', 'Acme');
  const [{ key: revoked }] = intake.platforms('add', 'Gone');
  intake.platforms('revoke', 'Gone');
  const before = (await list('', key)).body;
  const last = before.at(-1)?.seq ?? 0;
  const report = { ...validReport(), share_with_platforms: true };
  expect((await post(intake, JSON.stringify(report))).status).toBe(201);
  // One add per signal of each item, from what was sent; no CORS even for an allowed origin.
  const page = await list(`?after=${last}`, key, { Origin: ORIGIN });
  expect(page.status).toBe(200);
  expect(page.headers.get('access-control-allow-origin')).toBeNull();
  const expected = report.items.flatMap((item) => [
    ...(item.pdq ? [{ op: 'add', signal: 'pdq', value: item.pdq.hash, quality: item.pdq.quality,
      ...(item.pdq_stored && { stored: item.pdq_stored.hash }) }] : []),
    { op: 'add', signal: 'md5', value: item.md5 },
    { op: 'add', signal: 'sha256', value: item.sha256 },
    ...(item.vpdq ? [{ op: 'add', signal: 'vpdq', value: item.vpdq.hashes }] : []),
  ]);
  expect(expected.length).toBeGreaterThan(1);
  expect(page.body.map(({ seq, added, ...rest }) => rest)).toEqual(expected);
  const one = await list(`?after=${last}&limit=1`, key);
  expect(one.body).toEqual(page.body.slice(0, 1));
  for (const [query, field] of [['?after=-1', 'after'], ['?after=x', 'after'], ['?limit=0', 'limit'],
    ['?limit=10001', 'limit'], ['?limit=1&limit=2', 'limit'], ['?since=3', '']]) {
    const refused = await list(query, key);
    expect(refused.status, query).toBe(400);
    expect(refused.body.field, query).toBe(field);
  }
  const refusals = [await list('', undefined), await list('', 'Z'.repeat(52)), await list('', revoked),
    await list('', undefined, { Authorization: `Basic ${key}` })];
  for (const r of refusals) {
    expect(r.status).toBe(401);
    expect(r.body).toEqual(refusals[0].body);
  }
});

test('CORS: configured origins only, preflights on both paths', async () => {
  const preflight = (path, template, headers) => call(intake, 'OPTIONS', path, template, { headers });
  const paths = [
    ['/api/reports', '/api/reports', ['POST']],
    [`/api/reports/${flow.reference}`, '/api/reports/{reference}', ['GET', 'DELETE']],
  ];
  for (const [path, template, methods] of paths) {
    for (const method of methods) {
      const ok = await preflight(path, template, {
        Origin: ORIGIN,
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': 'content-type, authorization, idempotency-key',
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    }
    for (const headers of [
      { Origin: OTHER_ORIGIN, 'Access-Control-Request-Method': methods[0] },
      { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT' },
      { Origin: ORIGIN },
      { 'Access-Control-Request-Method': methods[0] },
    ]) {
      const refused = await preflight(path, template, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      const cors = [...refused.headers.keys()].filter((h) => h.startsWith('access-control-'));
      expect(cors, 'a refused preflight has no CORS headers').toEqual([]);
    }
  }
  // Answers to a configured origin name it; answers to another origin name none.
  const mine = await post(intake, JSON.stringify(validReport()), { Origin: ORIGIN });
  expect(mine.status).toBe(201);
  expect(mine.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(mine.headers.get('access-control-expose-headers')).toBe('Retry-After');
  const theirs = await one('GET', mine.body.reference, mine.body.token, { Origin: OTHER_ORIGIN });
  expect(theirs.status).toBe(200);
  expect(theirs.headers.get('access-control-allow-origin')).toBeNull();
});

test('a failing database: 500 for POST, GET and DELETE, and for the platforms\' list', async () => {
  const broken = await startIntake();
  try {
    const created = await post(broken, JSON.stringify(validReport()));
    expect(created.status).toBe(201);
    const { reference, token } = created.body;
    const [{ key }] = broken.platforms('add', 'Acme');
    // The server keeps its connection; the next statement that needs the table fails.
    execFileSync('sqlite3', [broken.db, 'DROP TABLE tokens; DROP TABLE fingerprints;']);
    const list = await call(broken, 'GET', '/api/platform/fingerprints', '/api/platform/fingerprints', {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(list.status).toBe(500);
    expect((await post(broken, JSON.stringify(validReport()))).status).toBe(500);
    for (const method of ['GET', 'DELETE']) {
      const r = await call(broken, method, `/api/reports/${reference}`, '/api/reports/{reference}', {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(r.status, method).toBe(500);
    }
  } finally {
    await broken.stop();
  }
});

test('a database removed under the server: 503 for POST and DELETE, and GET /healthz says so', async () => {
  const healthy = await call(intake, 'GET', '/healthz', '/healthz');
  expect(healthy.status).toBe(200);
  const gone = await startIntake();
  try {
    const created = await post(gone, JSON.stringify(validReport()));
    expect(created.status).toBe(201);
    const { reference, token } = created.body;
    // As `rm reports.sqlite*` would.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${gone.db}${suffix}`, { force: true });
    const refused = await post(gone, JSON.stringify(validReport()));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    const withdrawn = await call(gone, 'DELETE', `/api/reports/${reference}`, '/api/reports/{reference}', {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(withdrawn.status).toBe(503);
    expect((await call(gone, 'GET', '/healthz', '/healthz')).status).toBe(503);
  } finally {
    await gone.stop();
  }
});

test('every documented answer was seen, and no other', () => {
  const documented = documentedAnswers();
  const missing = [...documented].filter((a) => !observed.has(a));
  const extra = [...observed].filter((a) => !documented.has(a));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  expect(observed.size).toBe(documented.size);
  // Every problem code the document lists was answered (each answer's schema kept out others).
  const codes = (schema) => [
    ...(schema.enum ?? []),
    ...(schema.anyOf ?? []).flatMap((s) => codes(s.$ref ? deref(s, '')[0] : s)),
  ];
  const listed = codes(doc.components.schemas.Problem);
  expect(listed.length).toBeGreaterThan(10);
  expect([...problemsSeen].sort()).toEqual([...new Set(listed)].sort());
  console.log(`requests: ${requests}; answers: ${observed.size} (method, path, status); problems seen: ${[...problemsSeen].sort().join(' ')}`);
});
