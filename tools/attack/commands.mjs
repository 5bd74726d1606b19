// Attacks on the native commands (issue 16, findings 6 and 7): `verify` on hostile evidence
// ZIPs, `hash` on decompression bombs. The hostile files are made by the very Python scripts the
// command's tests use (cli/tests/verify.rs, cli/tests/cli.rs), read out of those files, so there
// is one definition of each hostile file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, seconds, validReport } from './lib.mjs';

/** The text of `const NAME: &str = r#"..."#;` in a Rust file. */
function rustString(file, name) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = text.indexOf(`const ${name}: &str = r#"`);
  if (start < 0) throw new Error(`${file} no longer has ${name}`);
  const from = text.indexOf('r#"', start) + 3;
  return text.slice(from, text.indexOf('"#;', from));
}

function python(script, args) {
  const run = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3: ${run.stderr}`);
  return run.stdout;
}

const digest = (kind, bytes) => createHash(kind).update(bytes).digest('hex');

export async function verifyHostileZips(results) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-attack-zip-'));
  try {
    const original = Buffer.from('the photo as taken');
    const e1 = Buffer.from('\x89PNG\r\n\x1a\n the screenshot, redacted', 'latin1');
    const e2 = Buffer.from('\x89PNG\r\n\x1a\n a second screenshot, redacted', 'latin1');
    const evidence = (file, bytes) => ({
      file, sha256: digest('sha256', bytes), width: 1170, height: 2532, rectangles: 3,
      original: { sha256: digest('sha256', original), md5: digest('md5', original) },
    });
    const receipt = (reference) => JSON.stringify({
      receipt: 'report-helper/receipt@1', endpoint: 'http://127.0.0.1:8080/api/reports', sent_at: '2026-11-28T04:30:00.000Z',
      reference, token: 'tok-not-a-secret',
      report: { ...validReport(), items: [{ kind: 'image', sha256: digest('sha256', original), md5: digest('md5', original) }] },
      evidence: [evidence('evidence-1.png', e1), evidence('evidence-2.png', e2)],
    });
    writeFileSync(join(dir, 'r1.json'), receipt('RH-7KQ2-9XWM'));
    writeFileSync(join(dir, 'r2.json'), receipt('RH-SECOND-ONE'));
    writeFileSync(join(dir, 'e1'), e1);
    writeFileSync(join(dir, 'e2'), e2);
    python(rustString('cli/tests/verify.rs', 'HOSTILE_ZIPS'), [dir, ...['r1.json', 'r2.json', 'e1', 'e2'].map((n) => join(dir, n))]);

    const wrong = [];
    let slowest = { zip: '', ms: 0 };
    for (const zip of ['bad-crc.zip', 'bad-crc-receipt.zip', 'past-end.zip', 'into-directory.zip', 'duplicate.zip', 'overlap.zip', 'one-blob.zip', '20k.zip']) {
      const started = performance.now();
      const run = spawnSync(BIN, ['verify', zip], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { zip, ms };
      // bad-crc.zip: the damaged screenshot gets an error and no digests, the run fails (1).
      // The others are refused whole (2) with nothing hashed: no line on stdout.
      const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const ok = zip === 'bad-crc.zip'
        ? run.status === 1 && lines.some((l) => l.file?.endsWith('evidence-2.png') && l.error && !l.sha256)
        : run.status === 2 && lines.length === 0;
      if (!ok) wrong.push(`${zip} (exit ${run.status ?? run.signal}, ${lines.length} lines)`);
    }
    const good = spawnSync(BIN, ['verify', 'good.zip'], { cwd: dir, encoding: 'utf8' });
    results.say(wrong.length === 0 && good.status === 0,
      'verify on hostile evidence ZIPs: bad CRC-32s, sizes past the end, duplicate receipt.json, overlapping entries, 60000 names for one 1 MiB blob, 20000 entries',
      'each refused with nothing hashed (a bad screenshot CRC: that one an error), in linear time; the good ZIP still verifies',
      `${wrong.length ? `wrong: ${wrong.join(', ')}` : 'all refused'}; good.zip exit ${good.status}; slowest ${slowest.zip} ${seconds(slowest.ms)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function hashBombs(results) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-attack-bomb-'));
  try {
    python(rustString('cli/tests/cli.rs', 'DECLARED_HUGE'), [dir]);
    const names = ['bomb.gif', 'over-100mp.png', 'at-100mp.png', 'rgba16-100mp.png'];
    // The peak resident memory of the command, from the kernel (getrusage of the child).
    const measured = python(
      'import resource, subprocess, sys\n'
      + 'run = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)\n'
      + 'print(run.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(run.stdout, end="")',
      [BIN, 'hash', ...names.map((n) => join(dir, n))],
    ).split('\n');
    const [status, maxrssKiB, ...out] = measured;
    const lines = out.filter(Boolean).map((l) => JSON.parse(l));
    const peakMiB = Number(maxrssKiB) / 1024;
    const allSaid = lines.length === names.length && lines.every((l) => typeof l.error === 'string' && l.sha256);
    results.say(status === '0' && allSaid && peakMiB <= 1024,
      `hash on decompression bombs: a 35-byte GIF of 16383 x 16383 pixels, PNGs of 100 megapixels and just over, a 16-bit one of 800 MB`,
      'digests of each, a reason instead of a PDQ hash, and memory under the 1 GiB the README promises',
      `exit ${status}; ${lines.filter((l) => l.error).length} of ${names.length} with a reason; peak ${peakMiB.toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
