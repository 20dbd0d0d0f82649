import * as assert from 'assert';
import { summarizeRun } from '../../../../src/core/compare/aggregate';
import { DEFAULT_PRICES, simulateCost, validPrices } from '../../../../src/core/compare/cost';
import { CSV_COLUMNS, diffRuns, fromJson, toCsv, toJson, toMarkdown } from '../../../../src/core/compare/exporters';
import { COMPARISON_FORMAT, ComparisonRun, RequestRecord } from '../../../../src/core/compare/types';
import { verdicts } from '../../../../src/core/compare/verdict';

function record(seq: number, model: string, kind: RequestRecord['kind'], ttft: number, tokens: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    seq,
    model,
    variantId: `${model}-cpu:1`,
    promptId: 'p1',
    kind,
    repeat: 0,
    text: 'answer',
    reasoning: '',
    usage: { promptTokens: 10, completionTokens: tokens, totalTokens: 10 + tokens },
    tokenSource: 'usage',
    timeline: { start: 0, sent: 1, firstToken: 1 + ttft, done: 1 + ttft + tokens * 10, tokenChunks: [] },
    metrics: { ttftMs: ttft, e2eMs: ttft + tokens * 10, decodeTps: 100, completionTokens: tokens, promptTokens: 10 },
    emulated: true,
    ...extra,
  };
}

function sampleRun(ttftScale = 1): ComparisonRun {
  return {
    format: COMPARISON_FORMAT,
    id: 'run-1',
    startedAt: '2026-11-29T00:00:00Z',
    config: { models: ['small', 'large'], prompts: [{ id: 'p1', prompt: 'Q' }], promptSetName: 'test', runs: 3, temperature: 0, maxTokens: 50, cold: true },
    runtime: { kind: 'foundry-g3', endpoint: 'http://127.0.0.1:1', emulated: true },
    host: { platform: 'linux', arch: 'x64', cpus: 'cpu', cpuCount: 2, memoryGb: 24, node: 'v20' },
    versions: { foundryLocalLab: 'test' },
    models: [
      { requested: 'small', resolved: { requested: 'small', id: 'small-cpu:1', device: 'CPU', fileSizeMb: 2048 }, load: { ms: 1000 } },
      { requested: 'large', resolved: { requested: 'large', id: 'large-gpu:1', device: 'GPU', fileSizeMb: 10240 }, load: { ms: 9000 } },
    ],
    requests: [
      record(0, 'small', 'cold', 300 * ttftScale, 20),
      record(1, 'large', 'cold', 900 * ttftScale, 20),
      record(2, 'small', 'warm', 100 * ttftScale, 20),
      record(3, 'large', 'warm', 400 * ttftScale, 20),
      record(4, 'small', 'warm', 120 * ttftScale, 20),
      record(5, 'large', 'warm', 420 * ttftScale, 20, { error: { code: 'stream-broken', message: 'dropped, "quoted", =cmd' }, usage: undefined, tokenSource: undefined }),
    ],
    judgements: [{ model: 'small', promptId: 'p1', judge: 'large', score: { coherence: 4, factuality: 3, conciseness: 5, reason: 'ok' }, referenceMatch: 0.5 }],
    cancelled: false,
  };
}

describe('core/compare/exporters', () => {
  it('summarizes cold apart from warm and counts failures', () => {
    const [small, large] = summarizeRun(sampleRun());
    assert.strictEqual(small.cold!.ttftMs, 300);
    assert.strictEqual(small.warm.ttftMs!.n, 2);
    assert.strictEqual(small.warm.ttftMs!.p50, 110);
    assert.strictEqual(large.warm.ttftMs!.n, 1, 'the failed warm request is not in the distribution');
    assert.strictEqual(large.failed, 1);
    assert.strictEqual(small.quality!.overall, 4);
    assert.strictEqual(small.quality!.referenceMatch, 0.5);
    assert.strictEqual(small.totalCompletionTokens, 60);
  });

  it('round-trips through JSON with every raw timestamp', () => {
    const run = sampleRun();
    const back = fromJson(toJson(run));
    assert.deepStrictEqual(back, JSON.parse(JSON.stringify(run))); // undefined fields are dropped by JSON, nothing else
    assert.deepStrictEqual(back.requests.map((r) => r.timeline), run.requests.map((r) => r.timeline));
    assert.throws(() => fromJson('{"format": "other"}'), /Not a comparison export/);
    assert.throws(() => fromJson('nope'), /not JSON/);
  });

  it('writes one CSV row per request, quoting commas, quotes and formula-like cells', () => {
    const csv = toCsv(sampleRun()).trimEnd().split('\n');
    assert.strictEqual(csv[0], CSV_COLUMNS.join(','));
    assert.strictEqual(csv.length, 1 + 6);
    assert.ok(csv[6].endsWith('stream-broken,"dropped, ""quoted"", =cmd"'), csv[6]);
    assert.strictEqual(csv[1].split(',').length, CSV_COLUMNS.length);
  });

  it('renders a Markdown report labelled as emulated, with the simulation said to be one', () => {
    const mdText = toMarkdown(sampleRun(), { prices: DEFAULT_PRICES, energy: { devicePowerWatts: 30, pricePerKWh: 0.3 } });
    assert.match(mdText, /EMULATOR/);
    assert.match(mdText, /Simulated/);
    assert.match(mdText, /\| Time to first token \(ms\) \| 110 · /);
    assert.match(mdText, /## Verdict/);
  });

  it('simulates cost from tokens and energy from busy time', () => {
    const [small] = summarizeRun(sampleRun());
    const sim = simulateCost(small, [{ name: 'x', inputPerMTok: 1, outputPerMTok: 2 }], { devicePowerWatts: 3600, pricePerKWh: 1 });
    assert.strictEqual(sim.cloud[0].cost, (30 * 1 + 60 * 2) / 1e6);
    assert.ok(Math.abs(sim.local!.kWh - small.busySeconds / 1000) < 1e-12);
    assert.deepStrictEqual(validPrices([{ name: 'bad' }]), DEFAULT_PRICES);
  });

  it('fills verdicts from measurements', () => {
    const summaries = summarizeRun(sampleRun());
    const [small, large] = verdicts(summaries, summaries.map((s) => simulateCost(s, DEFAULT_PRICES)));
    assert.match(small.coldLatency, /fastest/);
    assert.match(large.coldLatency, /× the fastest/);
    assert.match(small.bestUse, /quickest first token/);
    assert.match(small.memory, /2\.0 GB/);
  });

  it('diffs two runs on warm p50s', () => {
    const d = diffRuns(sampleRun(), sampleRun(2)).find((x) => x.model === 'small' && x.metric === 'ttftMs')!;
    assert.strictEqual(d.before, 110);
    assert.strictEqual(d.after, 220);
    assert.strictEqual(d.ratio, 2);
  });
});
