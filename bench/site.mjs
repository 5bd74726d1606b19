// What both benchmarks start from: the built site plus bench/page, served on loopback with the
// CSP, and Debian's Chromium, headless and quiet on the closed network.
import { cp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { serve } from '../tools/serve.mjs';

const root = resolve(import.meta.dirname, '..');

/**
 * Copies dist/ and bench/page (as bench/) into target/NAME, plus `extra` files ([from, to] under
 * the repository and the site), serves it, and opens a page on `path` that logs its console.
 * Returns {page, browser, close}.
 */
export async function openBenchPage(name, path, extra = []) {
  const site = join(root, 'target', name);
  await rm(site, { recursive: true, force: true });
  await cp(join(root, 'dist'), site, { recursive: true });
  await cp(join(root, 'bench/page'), join(site, 'bench'), { recursive: true });
  for (const [from, to] of extra) await cp(join(root, from), join(site, to), { recursive: true });
  const { server, url } = await serve(site, { port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`page ${m.type()}: ${m.text()}`));
  await page.goto(`${url}${path}`);
  return {
    page,
    browser,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/** The median of `xs` (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Calls each of `impls` ({name: async () => ({times, ...})}) once to warm up, then `rounds`
 * times, the order reversed every other round so that drift on a shared machine falls on both
 * sides. `check(name, out, first)` may throw on a result that changed. Returns the warm-up
 * results and the median of each one's times: {first, medians}.
 */
export async function interleavedRounds(impls, rounds, check = () => {}) {
  const first = {};
  for (const [name, fn] of Object.entries(impls)) first[name] = await fn();
  const times = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    const order = Object.keys(impls);
    if (i % 2) order.reverse();
    for (const name of order) {
      const out = await impls[name]();
      check(name, out, first[name]);
      times[name].push(...out.times);
    }
    process.stderr.write(`round ${i + 1}/${rounds} done\n`);
  }
  return { first, medians: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) };
}
