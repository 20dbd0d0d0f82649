import * as assert from 'assert';
import type { DiscoveryResult, ModelVariant } from '../../../src/core/runtime/types';
import { groupByAlias, modelOptions, runtimeView, RuntimeSnapshot, statusBarText, statusBarTooltip, statusMessage } from '../../../src/vscode/runtimeText';

const found = (over: Partial<Extract<DiscoveryResult, { state: 'found' }>> = {}): DiscoveryResult => ({
  state: 'found',
  endpoint: { serviceUrl: 'http://127.0.0.1:5273', openaiBaseUrl: 'http://127.0.0.1:5273/v1', source: 'foundry-server-status', isLoopback: true },
  runtime: 'foundry-g3',
  emulated: false,
  loadedModels: ['Phi-4-mini-instruct-generic-gpu:5'],
  ...over,
});
const snap = (discovery?: DiscoveryResult, over: Partial<RuntimeSnapshot> = {}): RuntimeSnapshot => ({
  discovery,
  checking: false,
  models: [],
  loaded: discovery?.state === 'found' ? discovery.loadedModels : [],
  ...over,
});

const MODELS: ModelVariant[] = [
  { id: 'Phi-4-mini-instruct-generic-gpu:5', alias: 'phi-4-mini', device: 'GPU', executionProvider: 'WebGpuExecutionProvider', fileSizeMb: 3800 },
  { id: 'gpt-oss-20b-cuda-gpu:1', alias: 'gpt-oss-20b', device: 'GPU', fileSizeMb: 12500 },
  { id: 'Phi-4-mini-instruct-generic-cpu:5', alias: 'phi-4-mini', device: 'CPU', fileSizeMb: 4800 },
  { id: 'llama3.2:latest', device: 'unknown' },
];

describe('vscode/runtimeText', () => {
  it('puts the state and the chosen models in the status bar text, starting with an icon and "Foundry"', () => {
    assert.strictEqual(statusBarText(snap(found()), 'phi-4-mini', 'gpt-oss-20b'), '$(pulse) Foundry: phi-4-mini · gpt-oss-20b');
    assert.strictEqual(statusBarText(snap(found({ emulated: true })), 's', 'l'), '$(beaker) Foundry (emulator): s · l');
    assert.strictEqual(statusBarText(snap({ state: 'stopped', cli: 'server', detail: '' }), 's', 'l'), '$(debug-disconnect) Foundry: not running');
    assert.strictEqual(statusBarText(snap({ state: 'not-installed', detail: '' }), 's', 'l'), '$(circle-slash) Foundry: not installed');
    assert.strictEqual(statusBarText(snap({ state: 'unreachable', url: 'http://x:1', source: 'env', detail: '' }), 's', 'l'), '$(warning) Foundry: unreachable');
    assert.strictEqual(statusBarText(snap(undefined, { checking: true }), 's', 'l'), '$(sync~spin) Foundry: checking…');
    for (const t of [statusBarText(snap(found()), 's', 'l'), statusBarText(snap(), 's', 'l')]) assert.match(t, /^\$\([a-z~-]+\) Foundry/);
  });

  it('keeps showing a found runtime while it re-checks (no flicker)', () => {
    assert.strictEqual(statusBarText(snap(found(), { checking: true }), 's', 'l'), '$(pulse) Foundry: s · l');
  });

  it('tells in the tooltip where the endpoint is, how it was found, the generation and the models', () => {
    const t = statusBarTooltip(snap(found()), 'phi-4-mini', 'gpt-oss-20b');
    for (const part of ['http://127.0.0.1:5273', '(from foundry server status)', 'Foundry Local 0.11', 'Phi-4-mini-instruct-generic-gpu:5', 'small `phi-4-mini`', 'large `gpt-oss-20b`']) assert.ok(t.includes(part), part);
    assert.ok(statusBarTooltip(snap(found({ emulated: true })), 's', 'l').includes('EMULATOR'));
  });

  it('says when prompts leave the machine', () => {
    const remote = found({ endpoint: { serviceUrl: 'http://192.168.1.20:5273', openaiBaseUrl: 'http://192.168.1.20:5273/v1', source: 'setting', isLoopback: false } });
    assert.strictEqual(runtimeView(snap(remote)).remoteHost, '192.168.1.20:5273');
    assert.strictEqual(runtimeView(snap(found())).remoteHost, undefined);
    assert.ok(statusMessage(snap(remote)).includes('prompts are sent to 192.168.1.20:5273'));
  });

  it('writes the status message for each state', () => {
    assert.match(statusMessage(snap(found({ emulated: true }))), /^EMULATOR — Connected to http:\/\/127\.0\.0\.1:5273 \(found via foundry server status\)/);
    assert.match(statusMessage(snap({ state: 'stopped', cli: 'service', detail: 'Model management service is not running!' })), /not running\. Model management/);
    assert.match(statusMessage(snap({ state: 'unreachable', url: 'http://x:1', source: 'env', detail: 'ECONNREFUSED' })), /Cannot reach http:\/\/x:1 \(from FOUNDRY_LOCAL_ENDPOINT\)\. ECONNREFUSED/);
  });

  it('groups variants by alias, in the runtime order, and lists the chosen models first in the panel', () => {
    assert.deepStrictEqual(
      groupByAlias(MODELS).map((g) => [g.alias, g.variants.map((v) => v.device)]),
      [['phi-4-mini', ['GPU', 'CPU']], ['gpt-oss-20b', ['GPU']], [undefined, ['unknown']]],
    );
    const options = modelOptions(MODELS, 'phi-4-mini', 'gpt-oss-20b');
    assert.deepStrictEqual(options.slice(0, 2).map((o) => o.value), ['phi-4-mini', 'gpt-oss-20b']);
    assert.ok(options.some((o) => o.value === 'Phi-4-mini-instruct-generic-cpu:5' && o.label.includes('CPU') && o.label.includes('4.7 GB')));
    assert.ok(options.some((o) => o.value === 'llama3.2:latest' && o.group === 'Other models'));
  });
});
