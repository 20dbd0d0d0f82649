import * as assert from 'assert';
import { RuntimeConnection } from '../../../../src/core/runtime/connection';
import { DEFAULT_POLICY, EscalationDecision } from '../../../../src/core/summarize/escalationPolicy';
import { DEFAULT_SUMMARIZE, summarize, summarizeBaseline, SummarizeConfig, withBaseline } from '../../../../src/core/summarize/pipeline';
import { addToStats, EMPTY_STATS, restateInStats } from '../../../../src/core/summarize/stats';
import { startEmulator, RunningEmulator } from '../../../emulator/server';

const config = (extra: Partial<SummarizeConfig> = {}): SummarizeConfig => ({
  ...DEFAULT_SUMMARIZE,
  draftModel: 'phi-4-mini',
  refineModel: 'gpt-oss-20b',
  policy: { ...DEFAULT_POLICY, draftLongerThan: 100000 },
  prices: { draft: { name: 's', inputPerMTok: 1, outputPerMTok: 2 }, refine: { name: 'l', inputPerMTok: 10, outputPerMTok: 20 } },
  ...extra,
});
const BRIEF = 'Quarterly update. Revenue grew eight percent while costs stayed flat.';

describe('core/summarize: the baseline on demand, the decision as it is made', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let conn: RuntimeConnection;
  beforeEach(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'flag' });
  });
  afterEach(() => emu.close());

  it('tells the decision before the refinement streams', async () => {
    const events: string[] = [];
    let decision: EscalationDecision | undefined;
    await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 100000, flaggedTopics: ['revenue'] } }), {
      onStage: (s) => events.push(s),
      onDecision: (d) => {
        decision = d;
        events.push('decision');
      },
    });
    assert.deepStrictEqual(events, ['draft', 'decision', 'refine']);
    assert.deepStrictEqual(decision?.hits.map((h) => h.rule), ['flagged-topic']);
  });

  it('measures the large model alone after a summary, priced like the refinement, the same as summarize({ baseline })', async () => {
    const c = config();
    const r = await summarize(conn, BRIEF, c);
    const outcome = await summarizeBaseline(conn, BRIEF, c);
    const b = outcome.baseline!;
    assert.strictEqual(b.stage, 'baseline');
    assert.strictEqual(b.variantId, 'gpt-oss-20b-cuda-gpu:1');
    assert.strictEqual(b.cost, (b.usage!.promptTokens * 10 + b.usage!.completionTokens * 20) / 1e6);
    const inOne = await summarize(conn, BRIEF, c, { baseline: true });
    assert.strictEqual(inOne.baseline!.text, b.text, 'same request, same (deterministic) answer');
    const after = withBaseline(r, outcome);
    assert.strictEqual(after.baseline, b);
    assert.strictEqual(after.final, r.final);
    assert.strictEqual(after.totalMs, r.totalMs, 'the baseline is not part of the cascade\'s latency');
    // The last request to reach the runtime was the baseline's, with the draft prompt and the source.
    const last = emu.requests.filter((q) => q.path === '/v1/chat/completions').pop()!;
    assert.strictEqual(last.model, 'gpt-oss-20b-cuda-gpu:1');
  });

  it('a summary counted before its baseline still counts once, now with the baseline', async () => {
    const c = config();
    const r = await summarize(conn, BRIEF, c);
    const counted = addToStats(addToStats(EMPTY_STATS, r), r);
    const after = withBaseline(r, await summarizeBaseline(conn, BRIEF, c));
    const restated = restateInStats(counted, r, after);
    assert.strictEqual(restated.count, 2);
    assert.strictEqual(restated.baselineCount, 1);
    assert.strictEqual(restated.baselineMs, after.baseline!.metrics.e2eMs);
    assert.strictEqual(restated.cascadeMsWithBaseline, r.totalMs);
    assert.deepStrictEqual(restated, addToStats(addToStats(EMPTY_STATS, r), after));
  });

  it('reports a baseline that cannot run (unknown model) without touching the summary', async () => {
    const c = config();
    const r = await summarize(conn, BRIEF, c);
    const outcome = await summarizeBaseline(conn, BRIEF, { ...c, refineModel: 'no-such-model' });
    assert.strictEqual(outcome.baseline, undefined);
    assert.strictEqual(outcome.baselineError?.code, 'model-not-found');
    const after = withBaseline(r, outcome);
    assert.deepStrictEqual(restateInStats(addToStats(EMPTY_STATS, r), r, after), addToStats(EMPTY_STATS, r));
  });
});
