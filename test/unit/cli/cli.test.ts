import * as assert from 'assert';
import { startEmulator, RunningEmulator } from '../../emulator/server';
import { runCli } from './helpers';

const noStack = (text: string) => assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(text), `a stack trace leaked:\n${text}`);

describe('cli: foundry-lab status, models, chat', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.05 });
  });
  after(() => emu.close());
  afterEach(() => emu.clearFaults());

  it('status: endpoint, how it was found, generation, and the EMULATOR label', async () => {
    const r = await runCli(['status', '--endpoint', `${emu.url}/v1`]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /running — Foundry Local 0\.11 \/ SDK 2\.x/);
    assert.match(r.stdout, /EMULATOR/);
    assert.ok(r.stdout.includes(`Endpoint:    ${emu.url} (found via --endpoint)`), r.stdout);
  });

  it('status --json from FOUNDRY_LOCAL_ENDPOINT', async () => {
    const r = await runCli(['status', '--json'], { FOUNDRY_LOCAL_ENDPOINT: emu.url });
    assert.strictEqual(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.strictEqual(d.state, 'found');
    assert.strictEqual(d.endpoint.source, 'env');
    assert.strictEqual(d.runtime, 'foundry-g3');
    assert.strictEqual(d.emulated, true);
  });

  it('status: a closed port is a runtime error with an action, exit 1, no stack trace', async () => {
    const closed = await startEmulator();
    const url = closed.url;
    await closed.close();
    const r = await runCli(['status', '--endpoint', url]);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /Nothing answers at/);
    noStack(r.stderr);
  });

  it('status: no endpoint and no foundry command → not installed, exit 1', async () => {
    const r = await runCli(['status']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /not found/i);
    assert.match(r.stderr, /--endpoint/);
  });

  it('models: aliases, devices and variant ids', async () => {
    const r = await runCli(['models', '--endpoint', emu.url]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /phi-4-mini\s+GPU\s+.*Phi-4-mini-instruct-generic-gpu:5/);
    assert.match(r.stdout, /gpt-oss-20b\s+GPU/);
  });

  it('chat: streams the answer, then the timeline metrics, loading the model first', async () => {
    const r = await runCli(['chat', '--endpoint', emu.url, '--model', 'phi-4-mini', 'Summarize retrieval augmented generation in 2 sentences.']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[emulated\]/);
    assert.match(r.stdout, /Model:\s+Phi-4-mini-instruct-generic-gpu:5 \(GPU\)/);
    assert.match(r.stdout, /Source:\s+EMULATOR/);
    assert.match(r.stdout, /Load:\s+\d+ ms/);
    assert.match(r.stdout, /Time to first token:\s+[\d.]+ ms/);
    assert.match(r.stdout, /Decode rate:\s+[\d.]+ tokens\/s/);
    assert.match(r.stderr, /\[loading Phi-4-mini-instruct-generic-gpu:5\]/);
  });

  it('chat --json: the result, metrics and raw timeline; reasoning kept apart for gpt-oss', async () => {
    const r = await runCli(['chat', '--endpoint', emu.url, '--json', '-m', 'gpt-oss-20b', '--max-tokens', '400', 'List 5 creative IoT edge AI ideas.']);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.emulated, true);
    assert.strictEqual(out.model.id, 'gpt-oss-20b-cuda-gpu:1');
    assert.ok(out.reasoning.length > 0);
    assert.ok(!out.text.includes('<|'));
    assert.ok(out.metrics.ttfatMs > out.metrics.ttftMs);
    assert.strictEqual(out.tokenSource, 'usage');
    assert.ok(out.timeline.tokenChunks.length > 0);
  });

  it('chat: a stream that breaks keeps what was printed and exits 1 with a message', async () => {
    await runCli(['chat', '--endpoint', emu.url, '-m', 'phi-4-mini', 'warm up']); // loads the model
    emu.injectFault({ kind: 'drop-after', afterTokens: 6 });
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'phi-4-mini', 'This answer will break']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stdout, /^\[emulated\]/);
    assert.match(r.stderr, /dropped in the middle of the answer/);
    noStack(r.stderr);
  });

  it('chat --idle-timeout ends a stalled stream', async () => {
    emu.injectFault({ kind: 'stall-after', afterTokens: 3 });
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'phi-4-mini', '--idle-timeout', '0.5', 'stall please']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /stalled/);
  });

  it('chat: an unknown model names the known ones', async () => {
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'llama-9000', 'hi']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /No model 'llama-9000'.*Known: phi-4-mini/);
  });

  it('Ctrl-C cancels the request: the server sees the abort and the process ends', async function () {
    if (process.platform === 'win32') this.skip();
    const before = emu.requests.length;
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'phi-4-mini', '--max-tokens', '2000', 'a long one'], {}, {
      onStdout: (text, child) => {
        if (text.length > 30 && !child.killed) child.kill('SIGINT');
      },
    });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /Cancelled/);
    const chat = emu.requests.slice(before).find((q) => q.path === '/v1/chat/completions');
    assert.ok(chat?.aborted, 'the abort reached the server');
  });

  it('usage errors exit 2', async () => {
    for (const args of [['chat', 'no model'], ['chat', '-m', 'x'], ['chat', '-m', 'x', '--max-tokens', 'lots', 'hi'], ['frobnicate'], ['status', '--bogus'], []]) {
      const r = await runCli(args);
      assert.strictEqual(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      noStack(r.stderr);
    }
    const help = await runCli(['--help']);
    assert.strictEqual(help.code, 0);
    assert.match(help.stdout, /Usage: foundry-lab/);
  });
});
