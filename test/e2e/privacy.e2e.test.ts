import * as assert from 'assert';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { lanAddress } from '../unit/privacy/keyedServer';
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

  it('the playground, Summarize, Compare and Ask the Workspace attempt no non-loopback connection', async () => {
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
    // Ask the Workspace: the index builds in its worker thread, then a grounded answer
    await wb().runCommand('Foundry Local Lab: Ask the Workspace');
    const ask = await wb().webviewFrame('[data-testid=ask-question]', 30000);
    await ask.locator('[data-testid=ask-question]').fill('What stays on this machine?');
    await ask.locator('[data-testid=ask-question]').press('Enter');
    const turn = ask.locator('[data-testid=ask-turn]').last();
    const seen = async () =>
      `frame ${ask.isDetached() ? 'detached' : 'attached'}; ${await ask.locator('[data-testid=ask-turn]').count()} turns; last: ${(await turn.innerText({ timeout: 1000 }).catch(() => '')).slice(0, 300)}; ` +
      `box: ${JSON.stringify(await ask.locator('[data-testid=ask-question]').inputValue({ timeout: 1000 }).catch(() => '?'))}; notice: ${await ask.locator('[data-testid=ask-notice]').innerText({ timeout: 1000 }).catch(() => '')}`;
    await wb().waitFor(async () => (await ask.locator('[data-testid=ask-turn]').count()) > 0, 15000, 'the question to become a turn', seen);
    await wb().waitFor(async () => ['done', 'failed', 'stopped'].includes((await turn.getAttribute('data-phase', { timeout: 1000 })) ?? ''), 60000, 'the answer', seen);
    await wb().runCommand('Foundry Local Lab: Refresh Runtime Status');

    const chats = (await chatRequests()).slice(before);
    assert.ok(chats.length >= 4, `the features did reach the runtime (${chats.length} chat requests)`);
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

/**
 * Remote endpoint consent, as a person meets it: the endpoint is this machine's LAN address (not loopback), served by
 * a small forwarding proxy to the emulator. The first Run asks; Cancel sends nothing; Allow is remembered; "Forget
 * Remote Endpoint Permissions" makes it ask again.
 */
describe('Remote endpoint consent in the editor', function () {
  this.timeout(180000);
  const lan = lanAddress();
  let proxy: { url: string; host: string; paths: string[]; close: () => Promise<void> } | undefined;
  before(async function () {
    if (!lan) this.skip();
    const { createServer, request } = require('http') as typeof import('http');
    const target = new URL(e2eEnv('emulatorUrl'));
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => server.listen(0, lan, () => r()));
    const port = (server.address() as import('net').AddressInfo).port;
    proxy = { url: `http://${lan}:${port}`, host: `${lan}:${port}`, paths, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
  });
  after(async () => proxy?.close());
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': proxy?.url ?? e2eEnv('emulatorUrl') }));

  const chatsThroughProxy = () => proxy!.paths.filter((p) => p.includes('/chat/completions')).length;
  const dialog = () => wb().page.locator('.monaco-dialog-box');

  async function clickRunAndAnswer(panel: LabPanel, answer: 'Allow' | 'Cancel' | 'none'): Promise<string> {
    await panel.testid('run').click();
    if (answer === 'none') return '';
    await dialog().waitFor({ state: 'visible', timeout: 15000 });
    const text = await dialog().innerText();
    const button = answer === 'Allow' ? dialog().locator('.monaco-button', { hasText: `Allow for ${proxy!.host}` }) : dialog().locator('.monaco-button', { hasText: 'Cancel' });
    await button.first().click();
    await dialog().waitFor({ state: 'hidden', timeout: 10000 });
    return text;
  }

  it('asks once per remote endpoint before a prompt is sent; Cancel sends nothing, Allow is remembered, Forget asks again', async () => {
    const panel = await LabPanel.open(wb());
    await panel.chooseModel('phi-4-mini');
    await panel.testid('prompt').fill('A prompt that must not leave without consent.');
    const before = chatsThroughProxy();

    const asked = await clickRunAndAnswer(panel, 'Cancel');
    assert.match(asked, new RegExp(`Prompts and workspace text will be sent to ${proxy!.host.replace(/\./g, '\\.')}, not this machine\\.`));
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(chatsThroughProxy(), before, 'Cancel: no chat request was sent');

    await clickRunAndAnswer(panel, 'Allow');
    await wb().waitFor(async () => chatsThroughProxy() === before + 1 && (await panel.phase()) === 'done', 60000, 'the allowed run', async () => `phase ${await panel.phase()}, ${chatsThroughProxy() - before} chats`);

    // Remembered: no question the second time.
    await clickRunAndAnswer(panel, 'none');
    await wb().waitFor(async () => chatsThroughProxy() === before + 2 && (await panel.phase()) === 'done', 60000, 'the second run, without a question');
    assert.strictEqual(await dialog().isVisible(), false);

    await wb().runCommand('Foundry Local Lab: Forget Remote Endpoint Permissions');
    await wb().waitForNotification(/Forgot the permission for 1 remote endpoint/);
    await clickRunAndAnswer(panel, 'Cancel');
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(chatsThroughProxy(), before + 2, 'asked again after Forget, and Cancel sent nothing');
    await wb().screenshot('privacy-remote-consent');
  });
});
