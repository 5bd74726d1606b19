// Starts the real `report-helper serve` (the intake of issue 5) for a test: the built site of
// dist/, a fresh SQLite database in a temporary folder, a free port of 127.0.0.1.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The native command; `make test-e2e` builds it (debug) before Playwright runs. */
export const BIN = resolve(process.env.REPORT_HELPER_BIN ?? 'target/debug/report-helper');

/**
 * @param {{bin?: string, site?: string, rateLimit?: number, statusRateLimit?: number, platformRateLimit?: number,
 *   allowOrigins?: string[]}} [options]
 * @returns {Promise<{url: string, origin: string, db: string, reports: (...args: string[]) => any[],
 *   platforms: (...args: string[]) => any[], stop: () => Promise<void>}>}
 */
export async function startIntake({
  bin = BIN, site = 'dist', rateLimit = 100_000, statusRateLimit = 0, platformRateLimit = 0, allowOrigins = [],
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-intake-'));
  const db = join(dir, 'data', 'reports.sqlite');
  const args = ['serve', '--init', '--addr', '127.0.0.1:0', '--db', db, '--site', site, '--rate-limit', String(rateLimit)];
  // 0: no limit (the default of these tests and the benchmark); a number: that limit.
  args.push('--status-rate-limit', String(statusRateLimit), '--platform-rate-limit', String(platformRateLimit));
  for (const o of allowOrigins) args.push('--allow-origin', o);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((done) => child.once('exit', done));
  const firstLine = await new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => done(line));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`report-helper serve exited (${code}) before it listened`)));
  });
  const url = firstLine.match(/http:\/\/\S+\//)?.[0];
  if (!url) throw new Error(`no address in ${JSON.stringify(firstLine)}`);
  return {
    url,
    origin: new URL(url).origin,
    db,
    /** `report-helper reports ARGS... --db DB`, its JSON lines parsed. */
    reports: (...more) =>
      execFileSync(bin, ['reports', ...more, '--db', db], { encoding: 'utf8', maxBuffer: 1 << 30 })
        .split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    /** `report-helper platforms ARGS... --db DB` (add prints the key), its JSON lines parsed. */
    platforms: (...more) =>
      execFileSync(bin, ['platforms', ...more, '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
