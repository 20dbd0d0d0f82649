import * as assert from 'assert';
import { summarizeRun } from '../../../../src/core/compare/aggregate';
import { DEFAULT_PRICES } from '../../../../src/core/compare/cost';
import { fromJson, toCsv, toJson, toMarkdown } from '../../../../src/core/compare/exporters';
import { runComparison } from '../../../../src/core/compare/runner';
import type { CompareConfig } from '../../../../src/core/compare/types';
import { RuntimeConnection } from '../../../../src/core/runtime/connection';
import type { EmulatorProfile } from '../../../emulator/profile';
import { startEmulator, RunningEmulator } from '../../../emulator/server';

/** Two models whose truth is known: a fast small one and a slow large one. */
const PROFILE: EmulatorProfile = {
  models: [
    { id: 'small-instruct-generic-cpu:1', alias: 'small', device: 'CPU', ttftMs: 60, tokensPerSecond: 100, loadMs: 150, coldExtraTtftMs: 100, memoryMb: 200, fileSizeMb: 2000, contextLength: 8192 },
    { id: 'large-cuda-gpu:1', alias: 'large', device: 'GPU', ttftMs: 200, tokensPerSecond: 40, loadMs: 400, coldExtraTtftMs: 200, memoryMb: 800, fileSizeMb: 9000, contextLength: 8192 },
    { id: 'judge-generic-cpu:1', alias: 'judge', device: 'CPU', ttftMs: 50, tokensPerSecond: 200, loadMs: 100, coldExtraTtftMs: 50, memoryMb: 300, fileSizeMb: 3000, contextLength: 8192 },
  ],
};

const config = (extra: Partial<CompareConfig> = {}): CompareConfig => ({
  models: ['small', 'large'],
  prompts: [
    { id: 'a', prompt: 'Summarize retrieval augmented generation in 2 sentences.' },
    { id: 'b', prompt: 'List 5 creative IoT edge AI ideas.', reference: 'alpha bravo charlie' },
  ],
  promptSetName: 'test',
  runs: 2,
  temperature: 0,
  maxTokens: 30,
  cold: true,
  ...extra,
});

describe('core/compare/runner against the emulator', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let conn: RuntimeConnection;
  // Real time for the truth check; a tenth of it where timing is not the point.
  const start = async (timeScale: number) => {
    emu = await startEmulator({ generation: 'g3', profile: PROFILE, memoryScale: 0.25, timeScale });
    conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'flag' });
  };
  beforeEach(async function () {
    await start(/truth/.test(this.currentTest?.title ?? '') ? 1 : 0.1);
  });
  afterEach(() => emu.close());

  it('measures cold apart from warm, matches the profile truth, records variants, memory and order', async () => {
    const progress: number[] = [];
    const run = await runComparison(conn, config(), { onProgress: (p) => progress.push(p.done) });
    assert.strictEqual(run.error, undefined);
    assert.strictEqual(run.cancelled, false);
    assert.strictEqual(run.runtime.emulated, true);
    assert.strictEqual(run.requests.length, 2 * (1 + 2 * 2));
    assert.deepStrictEqual(run.models.map((m) => m.resolved?.id), ['small-instruct-generic-cpu:1', 'large-cuda-gpu:1']);
    const [small, large] = summarizeRun(run);
    // Load time, cold TTFT and warm TTFT/decode against the profile (generous: shared machines).
    const near = (measured: number, truth: number, what: string) => assert.ok(Math.abs(measured - truth) <= 40 + 0.15 * truth, `${what}: measured ${measured.toFixed(1)} vs truth ${truth}`);
    near(small.load!.ms!, 150, 'small load');
    near(large.load!.ms!, 400, 'large load');
    near(small.cold!.ttftMs!, 160, 'small cold TTFT');
    near(large.cold!.ttftMs!, 400, 'large cold TTFT');
    near(small.warm.ttftMs!.p50, 60, 'small warm TTFT');
    near(large.warm.ttftMs!.p50, 200, 'large warm TTFT');
    near(small.warm.decodeTps!.p50, 100, 'small decode');
    near(large.warm.decodeTps!.p50, 40, 'large decode');
    assert.strictEqual(small.warm.ttftMs!.n, 4);
    // Real resident memory of the emulator process grew by about the model's scaled size on load.
    assert.ok(run.runtime.pid, 'the runtime pid is known from G3 /status');
    const grew = large.load!.rssAfterMb! - large.load!.rssBeforeMb!;
    assert.ok(grew > 150, `RSS grew ${grew} MB on loading a 200 MB (scaled) model`);
    // Interleaved: within a repeat, the first model differs between prompts/repeats.
    const warm = run.requests.filter((r) => r.kind === 'warm');
    assert.notStrictEqual(warm[0].model, warm[2].model);
    assert.ok(progress[progress.length - 1] === 10);
  });

  it('cancel stops the server stream within 200 ms and keeps the finished results', async () => {
    const controller = new AbortController();
    let records = 0;
    const started = Date.now();
    const slow = config({ runs: 50, maxTokens: 2000, cold: false });
    const promise = runComparison(conn, slow, {
      signal: controller.signal,
      onRecord: () => {
        if (++records === 3) setTimeout(() => controller.abort(), 100);
      },
    });
    const run = await promise;
    const abortedAt = Date.now();
    assert.strictEqual(run.cancelled, true);
    assert.strictEqual(run.requests.length, 3);
    const chats = emu.requests.filter((r) => r.path === '/v1/chat/completions');
    const last = chats[chats.length - 1];
    const deadline = Date.now() + 200;
    while (!last.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(last.aborted, `the server still streams ${Date.now() - abortedAt} ms after cancel`);
    assert.ok(abortedAt - started < 30000);
  });

  it('a model that fails mid-run yields a partial result with the error; the other model goes on', async () => {
    emu.injectFault({ kind: 'drop-after', afterTokens: 4, model: 'large-cuda-gpu:1', times: 2 });
    const run = await runComparison(conn, config({ cold: false, runs: 1 }));
    assert.strictEqual(run.error, undefined);
    const failed = run.requests.filter((r) => r.error);
    assert.strictEqual(failed.length, 2);
    assert.ok(failed.every((r) => r.model === 'large' && r.error!.code === 'stream-broken' && r.text.length > 0));
    const [small, large] = summarizeRun(run);
    assert.strictEqual(small.failed, 0);
    assert.strictEqual(large.failed, 2);
    assert.strictEqual(large.ok, 1);
  });

  it('an unknown model is reported and skipped; a runtime that dies stops the run with results kept', async () => {
    const run = await runComparison(conn, config({ models: ['small', 'nope'], cold: false, runs: 1 }));
    assert.strictEqual(run.models[1].error?.code, 'model-not-found');
    assert.strictEqual(run.requests.filter((r) => r.model === 'small').length, 3);

    let n = 0;
    const dying = await runComparison(conn, config({ cold: false, runs: 5 }), {
      onRecord: () => {
        if (++n === 3) void emu.stop();
      },
    });
    assert.ok(dying.error, 'the run says why it stopped');
    assert.match(dying.error!.code, /not-running|unreachable|not-installed/);
    assert.ok(dying.requests.filter((r) => !r.error).length >= 3);
  });

  it('exports re-import: JSON round trip and one CSV row per request', async () => {
    const run = await runComparison(conn, config({ runs: 1, cold: false }));
    const back = fromJson(toJson(run));
    assert.strictEqual(back.requests.length, run.requests.length);
    assert.deepStrictEqual(summarizeRun(back), summarizeRun(run));
    assert.strictEqual(toCsv(run).trimEnd().split('\n').length, run.requests.length + 1);
  });

  it('judges answers with a judge model, timed apart from the compared models', async () => {
    const run = await runComparison(conn, config({ runs: 1, cold: false, judge: 'judge' }));
    assert.strictEqual(run.judgements.length, 4);
    for (const j of run.judgements) {
      assert.ok(j.judgeMs! > 0);
      assert.strictEqual(j.error, undefined);
      // The emulator scores by its fixed rule, and says so in the reason.
      for (const v of [j.score!.coherence, j.score!.factuality, j.score!.conciseness]) assert.ok(Number.isInteger(v) && v >= 1 && v <= 5, JSON.stringify(j.score));
      assert.match(j.score!.reason, /\[emulated\]/);
    }
    const b = run.judgements.find((j) => j.promptId === 'b')!;
    assert.ok(b.referenceMatch! >= 0 && b.referenceMatch! <= 1);
    assert.strictEqual(run.requests.length, 2 * 3, 'judge calls are not compared requests');
    for (const s of summarizeRun(run)) {
      assert.strictEqual(s.quality!.judged, 2);
      assert.ok(Number.isFinite(s.quality!.overall) && s.quality!.overall >= 1 && s.quality!.overall <= 5);
    }
    assert.match(toMarkdown(run, { prices: DEFAULT_PRICES }), /\| small \| \d\.\d \| \d\.\d \| \d\.\d \| \d+% \| 2 of 2 \|/);
  });

  it('a judge that does not answer with the rubric: the failure is reported per answer, never a made-up score', async () => {
    // Every judge call answers in prose; the compared models answer as usual.
    emu.injectFault({ kind: 'reply', model: 'judge-generic-cpu:1', text: 'This answer looks good to me.', times: 4 });
    const run = await runComparison(conn, config({ runs: 1, cold: false, judge: 'judge' }));
    assert.strictEqual(run.judgements.length, 4);
    assert.ok(run.judgements.every((j) => j.error?.code === 'judge-unparsable' && !j.score));
    const md = toMarkdown(run, { prices: DEFAULT_PRICES });
    // No NaN in the report: n/a, and the Judged column says why.
    assert.doesNotMatch(md, /NaN/);
    assert.match(md, /\| small \| n\/a \| n\/a \| n\/a \| \d+% \| 0 of 2 \(2 failed: The judge did not answer with the rubric/);
  });
});
