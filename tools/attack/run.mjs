// `make attack`: a bounded attack on `report-helper serve` (release build) and the native
// commands, on the loopback only. Each attack starts a server of its own (a fresh database in a
// temporary folder), is limited in connections, requests and time, and prints one line:
// HOLDS or BROKEN, what it tried, what should hold, and what it measured. Exit status 1 if
// anything is BROKEN. docs/security.md says what each one is about.
//
//   node tools/attack/run.mjs [NAME...]     (all by default; REPORT_HELPER_BIN to choose the binary)
import { existsSync } from 'node:fs';
import * as api from './api.mjs';
import * as commands from './commands.mjs';
import * as connections from './connections.mjs';
import { BIN, Results, seconds } from './lib.mjs';

const ATTACKS = {
  'slow-readers': connections.slowReaders,
  'slow-heads': connections.slowHeads,
  idle: connections.idleConnections,
  'huge-heads': connections.hugeHeads,
  'one-address': connections.oneAddress,
  replay: api.replay,
  'deleted-database': api.deletedDatabase,
  'rate-limits': api.rateLimits,
  'hostile-values': api.hostileValues,
  'host-headers': api.hostHeaders,
  dotfiles: api.dotfiles,
  'verify-zips': commands.verifyHostileZips,
  'hash-bombs': commands.hashBombs,
};
/** A hang guard per attack, not a measurement: an attack that takes this long is BROKEN. */
const ATTACK_LIMIT_MS = 60_000;

const chosen = process.argv.slice(2);
for (const name of chosen) if (!ATTACKS[name]) throw new Error(`no attack ${name}: ${Object.keys(ATTACKS).join(', ')}`);
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: cargo build --release -p report-helper-cli`);

const results = new Results();
const started = performance.now();
for (const [name, attack] of Object.entries(ATTACKS)) {
  if (chosen.length && !chosen.includes(name)) continue;
  let timer;
  try {
    await Promise.race([
      attack(results),
      new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`not done in ${ATTACK_LIMIT_MS / 1000} s`)), ATTACK_LIMIT_MS); }),
    ]);
  } catch (error) {
    results.say(false, name, 'the attack runs to its end', `${error.message}`);
  } finally {
    clearTimeout(timer);
  }
}
console.log(`\n${results.lines.length - results.broken} hold, ${results.broken} broken, in ${seconds(performance.now() - started)}`);
// Sockets an attack left to the server to close must not keep Node waiting.
process.exit(results.broken ? 1 : 0);
