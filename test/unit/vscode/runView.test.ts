import * as assert from 'assert';
import { runChat } from '../../../src/core/runtime/chat';
import { RuntimeConnection } from '../../../src/core/runtime/connection';
import { buildPlaygroundMessages } from '../../../src/core/runtime/messages';
import { historyEntry, finishedRun, appendHistory, HISTORY_LENGTH } from '../../../src/vscode/panel/runView';
import { RunningEmulator, startEmulator } from '../../emulator/server';

/** The panel's view of a run, from runChat's real outcome against the emulator over loopback. */
describe('vscode/panel/runView against the emulator', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let conn: RuntimeConnection;
  const ask = (model: string, signal?: AbortSignal, onDelta?: () => void) =>
    runChat(conn, { model, messages: () => buildPlaygroundMessages('Summarize retrieval augmented generation in 2 sentences.', { context: 'RAG adds documents.' }), maxTokens: 60, signal, onDelta });

  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'setting', env: {} });
  });
  after(() => emu.close());

  it('shows a finished run: the resolved variant and device, the text, every metric row, EMULATED', async () => {
    const view = finishedRun(1, 'phi-4-mini', await ask('phi-4-mini'), false);
    assert.strictEqual(view.phase, 'done');
    assert.strictEqual(view.requested, 'phi-4-mini');
    assert.ok(view.model && /^Phi-4-mini-instruct-generic-(gpu|cpu):5$/.test(view.model.id), view.model?.id);
    assert.ok(['GPU', 'CPU'].includes(view.model!.device));
    assert.ok(view.text.length > 0);
    assert.strictEqual(view.emulated, true, 'the emulator labels its answers');
    assert.strictEqual(view.error, undefined);
    const keys = view.metricRows!.map((r) => r.key);
    for (const k of ['prepMs', 'ttftMs', 'e2eMs', 'decodeTps', 'completionTokens', 'tokenSource'] as const) assert.ok(keys.includes(k), k);
    assert.ok(!keys.includes('reasoningTokens'), 'no reasoning row for a model without reasoning');
    assert.match(view.metricRows!.find((r) => r.key === 'ttftMs')!.value, /^\d+(\.\d)? ms$/);
    const entry = historyEntry(view);
    assert.strictEqual(entry.outcome, 'done');
    assert.strictEqual(entry.model, view.model!.id);
    assert.strictEqual(entry.ttftMs, view.metrics!.ttftMs);
  });

  it('keeps reasoning apart and shows its token row for gpt-oss', async () => {
    const view = finishedRun(2, 'gpt-oss-20b', await ask('gpt-oss-20b'), false);
    assert.strictEqual(view.phase, 'done');
    assert.ok(view.reasoning.length > 0);
    assert.ok(!view.text.includes('<|channel|>'), 'no Harmony markup in the answer');
    assert.ok(view.metricRows!.some((r) => r.key === 'reasoningTokens'));
  });

  it('shows Stop as stopped, without an error box', async () => {
    const controller = new AbortController();
    const view = finishedRun(3, 'phi-4-mini', await ask('phi-4-mini', controller.signal, () => controller.abort()), false);
    assert.strictEqual(view.phase, 'stopped');
    assert.strictEqual(view.error, undefined);
    assert.strictEqual(historyEntry(view).outcome, 'stopped');
  });

  it('shows a server failure with its message and an Open Logs action', async () => {
    emu.injectFault({ kind: 'http-500' });
    const view = finishedRun(4, 'phi-4-mini', await ask('phi-4-mini'), false);
    assert.strictEqual(view.phase, 'failed');
    assert.strictEqual(view.error?.code, 'server-error');
    assert.ok(view.error!.actions.some((a) => a.action === 'foundryLab.showLogs'));
  });

  it('offers Start Foundry Local when nothing listens any more', async () => {
    const gone = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    const c = new RuntimeConnection({ endpoint: gone.url, endpointSource: 'setting', env: {} });
    await gone.close();
    const outcome = await runChat(c, { model: 'phi-4-mini', messages: [{ role: 'user', content: 'hi' }] });
    const view = finishedRun(5, 'phi-4-mini', outcome, false);
    assert.strictEqual(view.phase, 'failed');
    assert.ok(['not-running', 'unreachable'].includes(view.error!.code), view.error!.code);
    assert.ok(view.error!.actions.some((a) => a.title === 'Set Endpoint'));
  });

  it('keeps the last HISTORY_LENGTH runs', () => {
    let h = [] as ReturnType<typeof appendHistory>;
    for (let i = 1; i <= HISTORY_LENGTH + 3; i++) h = appendHistory(h, { runId: i, model: 'm', outcome: 'done' });
    assert.strictEqual(h.length, HISTORY_LENGTH);
    assert.strictEqual(h[0].runId, 4);
  });
});
