import * as assert from 'assert';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { chatRequests } from './emulatorTruth';
import { LabPanel } from './labPanel';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

interface Attempt {
  host: string;
  port?: number;
  via: string;
  pid: number;
  proc?: string;
  stack: string;
}

const attempts = (): Attempt[] => {
  const file = process.env.E2E_NET_LOG;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Attempt & { event?: string })
    .filter((a) => !a.event);
};

/** The processes that ran under the guard (each writes one `loaded` line). */
const guarded = (): { pid: number; proc: string }[] => {
  const file = process.env.E2E_NET_LOG;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"loaded"'))
    .map((l) => JSON.parse(l) as { pid: number; proc: string });
};

/**
 * The offline guarantee in the editor: with E2E_NET_GUARD=1, run.ts starts code-server with test/privacy/netGuard.js
 * preloaded, so every non-loopback connection or DNS lookup by code-server and its extension host is refused and
 * recorded with its stack. The playground, Compare and Summarize are exercised against the emulator; no recorded
 * attempt may come from the extension (its install folder in a stack). code-server's own attempts (its marketplace,
 * update and telemetry endpoints, even with those features off) are not the extension's: they are counted, not failed.
 *
 *   E2E_NET_GUARD=1 node out/test/e2e/run.js --grep "Offline guarantee"
 */
describe('Offline guarantee in the editor (net guard in code-server)', function () {
  this.timeout(240000);
  before(function () {
    if (!process.env.E2E_NET_LOG) this.skip(); // needs E2E_NET_GUARD=1
  });
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));

  it('the playground, Compare and Summarize attempt no non-loopback connection', async () => {
    const before = (await chatRequests()).length;
    // Playground
    const panel = await LabPanel.open(wb());
    await panel.run('phi-4-mini', 'Say hello.');
    // Summarize (a workspace file)
    writeFileSync(join(e2eEnv('workspace'), 'offline.md'), '# Offline\n\nEverything stays on this machine: the runtime listens on loopback only.\n');
    await wb().openFile('offline.md');
    await wb().runCommand('Foundry Local Lab: Summarize Selection');
    const summary = await wb().webviewFrame('[data-testid=summary-draft]', 30000);
    await wb().waitFor(async () => ['done', 'failed', 'stopped'].includes((await summary.locator('[data-testid=summary-phase]').innerText().catch(() => '')).trim()), 60000, 'the summary');
    // Compare: one model, one run of the built-in probes
    await wb().runCommand('Foundry Local Lab: Compare Models');
    const compare = await wb().webviewFrame('[data-testid=compare-run]', 30000);
    await wb().waitFor(async () => (await compare.locator('[data-testid=model-option][value="phi-4-mini"]').count()) > 0, 30000, 'the models in the Compare form');
    await compare.locator('[data-testid=model-option][value="phi-4-mini"]').setChecked(true);
    await compare.locator('[data-testid=runs]').fill('1');
    await compare.locator('[data-testid=max-tokens]').fill('16');
    await compare.locator('[data-testid=compare-run]').click();
    await wb().waitFor(async () => (await compare.locator('[data-testid=model-result]').count()) > 0, 120000, 'the comparison');
    await wb().runCommand('Foundry Local Lab: Refresh Runtime Status');

    const chats = (await chatRequests()).slice(before);
    assert.ok(chats.length >= 3, `the features did reach the runtime (${chats.length} chat requests)`);
    await new Promise((r) => setTimeout(r, 1000));
    const during = attempts();

    // The extension host ran under the guard.
    const hosts = guarded().filter((g) => /type=extensionHost/.test(g.proc));
    assert.ok(hosts.length >= 1, `no extension host under the guard: ${JSON.stringify(guarded())}`);
    // The control: point the extension at a non-loopback endpoint. Its discovery probe must be refused and recorded —
    // proof that the guard runs in the extension host — and tells which process is the extension host.
    await wb().runCommand('Foundry Local Lab: Set Endpoint');
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill('http://203.0.113.9:5273');
    await input.press('Enter');
    await wb().waitFor(
      async () => attempts().some((a) => a.host === '203.0.113.9'),
      60000,
      'the extension host to try the non-loopback endpoint (the control)',
      async () => `status: ${await wb().foundryStatusTooltip().catch(() => '?')}; guarded: ${JSON.stringify(guarded().map((g) => `${g.pid} ${g.proc.slice(-60)}`))}; attempts: ${JSON.stringify(attempts().map((a) => `${a.pid} ${a.host}`))}`,
    );
    const control = attempts().filter((a) => a.host === '203.0.113.9');
    const hostPids = new Set(control.map((a) => a.pid));
    const extensionDir = process.env.E2E_EXTENSIONS_DIR ?? 'extensions';
    // Ours: made in the extension host process (stricter than a stack that names the extension: async connects lose it).
    const ours = during.filter((a) => hostPids.has(a.pid) || a.stack.includes(extensionDir));
    const figures = `${during.length} non-loopback attempts while the features ran (${[...new Set(during.map((a) => a.host))].join(', ') || 'none'}), ${ours.length} from the extension host; control: ${control.length} refused from pid ${[...hostPids].join(',')}`;
    trace(`net guard: ${figures}`);
    process.stderr.write(`[e2e] offline guarantee: ${figures}\n`);
    assert.deepStrictEqual(ours.map((a) => `${a.via} ${a.host}:${a.port} (pid ${a.pid})\n${a.stack}`), []);
  });
});
