// `npm test`: everything a fresh clone needs, then unit tests (mocha, against the emulator over loopback) and the
// in-editor tests (the VSIX installed in a real VS Code — code-server — driven by headless Chromium).
// Flags: --unit-only, --e2e-only. Ends with the line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile, ensureDependencies, log, packageVsix, root } from './steps.mjs';

const unitOnly = process.argv.includes('--unit-only');
const e2eOnly = process.argv.includes('--e2e-only');
const totals = { passed: 0, failed: 0 };
let broken = false;

async function unit() {
  log('unit tests…');
  const { default: Mocha } = await import(join(root, 'node_modules', 'mocha', 'index.js'));
  const mocha = new Mocha({ timeout: 20000, reporter: 'spec' });
  for (const file of findTests(join(root, 'out', 'test', 'unit'))) mocha.addFile(file);
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  totals.passed += stats.passes;
  totals.failed += stats.failures;
}

function findTests(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function e2e(args = [], env = {}, what = 'in-editor tests (code-server + Chromium)') {
  log(`${what}…`);
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'e2e.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout ?? '');
  const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout ?? '');
  if (m) {
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
  }
  if (r.status !== 0 && !(m && Number(m[2]) > 0)) {
    log(`the in-editor test run failed before it could report (exit ${r.status ?? r.signal})`);
    broken = true;
  }
}

try {
  ensureDependencies();
  compile();
  if (!e2eOnly) await unit();
  if (!unitOnly) {
    packageVsix();
    e2e();
    // The offline guarantee needs code-server itself started under the network guard: a second, short run.
    e2e(['--grep', 'Offline guarantee'], { E2E_NET_GUARD: '1' }, 'offline guarantee in the editor (code-server under test/privacy/netGuard.js)');
  }
} catch (e) {
  log(`test run stopped: ${e.message}`);
  broken = true;
}
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed\n`);
process.exitCode = totals.failed > 0 || broken || totals.passed === 0 ? 1 : 0;
