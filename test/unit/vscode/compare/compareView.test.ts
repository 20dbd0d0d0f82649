import * as assert from 'assert';
import { runComparison } from '../../../../src/core/compare/runner';
import type { ComparisonRun, RequestRecord } from '../../../../src/core/compare/types';
import { DEFAULT_PRICES } from '../../../../src/core/compare/cost';
import { RuntimeConnection } from '../../../../src/core/runtime/connection';
import { buildResultView, diffView, liveRow, MAX_TIMELINE_POINTS, money, savedRunView, tokenTimeline } from '../../../../src/vscode/compare/compareView';
import type { EmulatorProfile } from '../../../emulator/profile';
import { RunningEmulator, startEmulator } from '../../../emulator/server';

const PROFILE: EmulatorProfile = {
  models: [
    { id: 'small-instruct-generic-cpu:1', alias: 'small', device: 'CPU', executionProvider: 'CPUExecutionProvider', ttftMs: 60, tokensPerSecond: 100, loadMs: 150, coldExtraTtftMs: 100, memoryMb: 200, fileSizeMb: 2000, contextLength: 8192 },
    { id: 'large-cuda-gpu:1', alias: 'large', device: 'GPU', executionProvider: 'CUDAExecutionProvider', ttftMs: 200, tokensPerSecond: 40, loadMs: 400, coldExtraTtftMs: 200, memoryMb: 800, fileSizeMb: 9000, contextLength: 8192 },
  ],
};

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('vscode/compare/compareView: the view model of a real comparison', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let run: ComparisonRun;

  before(async () => {
    emu = await startEmulator({ generation: 'g1', profile: PROFILE, timeScale: 0.1 });
    const conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'flag' });
    run = await runComparison(conn, {
      models: ['small', 'large'],
      prompts: [
        { id: 'a', prompt: 'Summarize retrieval augmented generation in 2 sentences.' },
        { id: 'b', prompt: 'List 5 creative IoT edge AI ideas.', reference: 'alpha bravo' },
      ],
      promptSetName: 'Test set',
      runs: 2,
      temperature: 0,
      maxTokens: 20,
      cold: true,
    }, { version: '9.9.9' });
    assert.strictEqual(run.error, undefined);
  });
  after(() => emu?.close());

  it('per model: warm distributions, cold figures, variant, tokens with their source, catalog size', () => {
    const view = buildResultView(run, { prices: DEFAULT_PRICES, origin: 'this session' });
    assert.strictEqual(view.title, 'small vs large');
    assert.strictEqual(view.emulated, true);
    assert.match(view.runtimeLine, /EMULATOR/);
    assert.match(view.settingsLine, /Test set \(2 prompts\) · 2 warm runs per prompt · temperature 0 · max tokens 20 · cold start measured · no judge/);
    assert.match(view.hostLine, /Foundry Local Lab 9\.9\.9/);
    const [small, large] = view.models;
    assert.strictEqual(small.variantId, 'small-instruct-generic-cpu:1');
    assert.strictEqual(large.device, 'GPU');
    assert.strictEqual(small.ok, 5);
    assert.strictEqual(small.failed, 0);
    assert.deepStrictEqual(small.warm.map((r) => r.key), ['ttftMs', 'ttfatMs', 'decodeTps', 'e2eTps', 'tpotMs', 'e2eMs']);
    const ttft = small.warm.find((r) => r.key === 'ttftMs')!;
    assert.strictEqual(ttft.cells?.n, 4, 'two prompts × two warm runs');
    for (const cell of [ttft.cells!.p50, ttft.cells!.p99, ttft.cells!.min, ttft.cells!.max, ttft.cells!.stddev]) assert.match(cell, /^\d+(\.\d)?$/);
    assert.ok(Number(large.warm[0].cells!.p50) > Number(ttft.cells!.p50), 'the large model is slower to its first token');
    const cold = Object.fromEntries(small.cold.map((c) => [c.key, c.value]));
    assert.match(cold.loadMs, /^[\d.]+ ms$/);
    assert.match(cold.ttftMs, /^[\d.]+ ms$/);
    const facts = Object.fromEntries(small.facts.map((f) => [f.key, f.value]));
    assert.match(facts.variant, /^small-instruct-generic-cpu:1 · CPU · CPUExecutionProvider$/);
    // G1 streams carry no usage: the counts are estimated, and said so.
    assert.match(facts.completionTokens, /^\d+ \(estimated\)$/);
    assert.strictEqual(facts.catalogSize, '2.0 GB');
    assert.match(facts.rss, /MB|n\/a/);
    assert.strictEqual(small.tokensEstimated, true);
  });

  it('charts: warm samples per model, token timelines from the raw chunks, cold vs warm bars', () => {
    const { charts } = buildResultView(run, { prices: DEFAULT_PRICES, origin: 'this session' });
    assert.deepStrictEqual(charts.models, ['small', 'large']);
    assert.deepStrictEqual(charts.ttft.map((s) => s.values.length), [4, 4]);
    assert.ok(charts.decode.every((s) => s.p50! > 0 && s.values.every((v) => v > 0)));
    assert.strictEqual(charts.timelines.length, run.requests.length);
    for (const line of charts.timelines) {
      assert.deepStrictEqual(line.points[0], [0, 0]);
      assert.strictEqual(line.points[1][1], 0, 'flat until the first token');
      for (let i = 2; i < line.points.length; i++) assert.ok(line.points[i][0] >= line.points[i - 1][0] && line.points[i][1] > line.points[i - 1][1], line.label);
    }
    const last = charts.timelines[0].points.at(-1)!;
    assert.strictEqual(last[1], run.requests[0].usage!.completionTokens, 'the line ends at the completion tokens');
    const cw = charts.coldWarm;
    for (const series of [cw.load, cw.coldTtft, cw.warmTtft, cw.coldE2e, cw.warmE2e]) assert.ok(series.every((v) => typeof v === 'number' && v > 0));
  });

  it('responses side by side: per prompt, per model, the first measured answer and the other runs', () => {
    const { responses } = buildResultView(run, { prices: DEFAULT_PRICES, origin: 'this session' });
    assert.deepStrictEqual(responses.map((g) => g.promptId), ['a', 'b']);
    assert.strictEqual(responses[1].reference, 'alpha bravo');
    const a = responses[0].columns;
    assert.deepStrictEqual(a.map((c) => c.model), ['small', 'large']);
    assert.strictEqual(a[0].first!.run, 'cold');
    assert.strictEqual(a[0].first!.finishReason, run.requests[0].finishReason);
    assert.deepStrictEqual(a[0].more.map((c) => c.run), ['warm 1/2', 'warm 2/2']);
    assert.match(a[0].first!.text, /emulated/);
    assert.match(a[0].first!.figures, /TTFT [\d.]+ ms · [\d.]+ tokens\/s · E2E [\d.]+ ms · \d+ tokens \(estimated\)/);
    assert.strictEqual(responses[1].columns[1].first!.run, 'warm 1/2');
  });

  it('cost is a labelled simulation; energy only with a device power; one verdict per model', () => {
    const plain = buildResultView(run, { prices: DEFAULT_PRICES, origin: 'saved' });
    assert.match(plain.cost.note, /^Simulation, not a quote/);
    assert.deepStrictEqual(plain.cost.priceNames, DEFAULT_PRICES.map((p) => p.name));
    assert.strictEqual(plain.cost.rows[0].local, 'n/a (no device power set)');
    assert.match(plain.cost.rows[0].tokens, /^\d+ in \/ \d+ out \(estimated\)$/);
    assert.match(plain.cost.rows[0].cloud[0], /per 1k requests/);
    const energy = buildResultView(run, { prices: DEFAULT_PRICES, energy: { devicePowerWatts: 30, pricePerKWh: 0.2 }, origin: 'saved' });
    assert.match(energy.cost.rows[0].local, /kWh ≈ .* per 1k requests/);
    assert.match(energy.cost.note, /30 W/);
    assert.deepStrictEqual(plain.verdicts.map((v) => v.model), ['small', 'large']);
    assert.match(plain.verdicts[0].coldLatency, /load .* first token/);
    assert.strictEqual(plain.quality, undefined, 'no judge, no quality section');
  });

  it('quality from the judgements; a run stopped by the runtime shows the error with actions', () => {
    const judged = clone(run);
    judged.config.judge = 'small';
    judged.judgements = [
      { model: 'small', promptId: 'a', judge: 'small', score: { coherence: 4, factuality: 5, conciseness: 3, reason: 'Clear.' }, judgeMs: 120 },
      { model: 'large', promptId: 'b', judge: 'small', referenceMatch: 0.5, error: { code: 'judge-unparsable', message: 'no JSON' } },
    ];
    judged.error = { code: 'not-running', message: 'Foundry Local is not running.' };
    const view = buildResultView(judged, { prices: DEFAULT_PRICES, origin: 'imported' });
    assert.strictEqual(view.quality!.judge, 'small');
    assert.deepStrictEqual(view.quality!.rows[0], { model: 'small', coherence: '4.0 / 5', factuality: '5.0 / 5', conciseness: '3.0 / 5', overall: '4.0 / 5', referenceMatch: 'n/a', judged: 1, judgeErrors: 0 });
    assert.strictEqual(view.quality!.rows[1].referenceMatch, '50%');
    assert.deepStrictEqual(view.quality!.rows.map((r) => r.judgeErrors), [0, 1]);
    assert.strictEqual(view.quality!.judgements[0].reason, 'Clear.');
    assert.strictEqual(view.quality!.judgements[1].error, 'no JSON');
    assert.match(view.error!.message, /The comparison stopped: Foundry Local is not running\..*Results so far are kept/);
    assert.ok(view.error!.actions.some((a) => a.action === 'foundryLab.startService'));
  });

  it('a model that failed keeps its partial results and says why; failed requests are grouped', () => {
    const partial = clone(run);
    partial.models[1].error = { code: 'model-not-found', message: 'large is gone' };
    for (const r of partial.requests.filter((x: RequestRecord) => x.model === 'large' && x.kind === 'warm')) {
      r.error = { code: 'stream-broken', message: 'The stream broke.' };
    }
    const view = buildResultView(partial, { prices: DEFAULT_PRICES, origin: 'saved' });
    const large = view.models[1];
    assert.strictEqual(large.error, 'large is gone');
    assert.deepStrictEqual(large.errors, [{ message: 'The stream broke.', count: 4 }]);
    assert.strictEqual(large.ok, 1);
    assert.strictEqual(large.warm[0].cells, undefined, 'no warm run measured');
    assert.deepStrictEqual(view.charts.ttft[1].values, []);
  });

  it('live rows and the saved-run line', () => {
    const row = liveRow(run.requests[0]);
    assert.strictEqual(row.kind, 'cold');
    assert.strictEqual(row.model, 'small');
    assert.match(row.ttft, /^[\d.]+ ms$/);
    assert.match(row.tokens, /^\d+ \(estimated\)$/);
    assert.strictEqual(row.error, undefined);
    const line = savedRunView('k1', run);
    assert.strictEqual(line.title, 'small vs large');
    assert.match(line.detail, /Test set · 2 runs · 10\/10 requests OK · EMULATOR/);
  });

  it('diffs two runs on the warm medians and says which way each moved', () => {
    const slower = clone(run);
    slower.startedAt = new Date(Date.parse(run.startedAt) + 1000).toISOString();
    for (const r of slower.requests as RequestRecord[]) {
      r.metrics.ttftMs = r.metrics.ttftMs! * 2;
      r.metrics.decodeTps = r.metrics.decodeTps! * 2;
    }
    const diff = diffView({ key: 'a', run }, { key: 'b', run: slower });
    const row = (model: string, metric: RegExp) => diff.rows.find((r) => r.model === model && metric.test(r.metric))!;
    assert.strictEqual(row('small', /^Time to first token/).change, 'worse');
    assert.strictEqual(row('small', /^Time to first token/).ratio, '2.00×');
    assert.strictEqual(row('large', /^Decode rate/).change, 'better');
    assert.strictEqual(row('large', /^End-to-end latency/).change, 'same');
    assert.match(diff.before.label, /small vs large/);
  });
});

describe('vscode/compare/compareView: pure helpers', () => {
  it('token timeline: chunks scaled to the completion tokens, thinned, from the moment the request was sent', () => {
    const timeline = { start: 0, sent: 10, tokenChunks: [110, 120, 130, 140] };
    assert.deepStrictEqual(tokenTimeline({ timeline, usage: { promptTokens: 5, completionTokens: 8, totalTokens: 13 } }), [[0, 0], [100, 0], [100, 2], [110, 4], [120, 6], [130, 8]]);
    assert.deepStrictEqual(tokenTimeline({ timeline }), [[0, 0], [100, 0], [100, 1], [110, 2], [120, 3], [130, 4]]);
    assert.deepStrictEqual(tokenTimeline({ timeline: { start: 0, tokenChunks: [1, 2] } }), [], 'never sent');
    const many = { start: 0, sent: 0, tokenChunks: Array.from({ length: 1000 }, (_, i) => i + 1) };
    const thinned = tokenTimeline({ timeline: many });
    assert.ok(thinned.length <= MAX_TIMELINE_POINTS + 3, String(thinned.length));
    assert.deepStrictEqual(thinned.at(-1), [1000, 1000], 'the last chunk is kept');
  });

  it('money: readable small sums without a currency', () => {
    assert.strictEqual(money(0), '0');
    assert.strictEqual(money(0.000123456), '0.00012');
    assert.strictEqual(money(12.345), '12.35');
  });
});
