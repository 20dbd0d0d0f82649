import * as assert from 'assert';
import { DEFAULT_POLICY } from '../../../../src/core/summarize/escalationPolicy';
import { DEFAULT_SUMMARIZE, summarize, SummarizeConfig } from '../../../../src/core/summarize/pipeline';
import { splitIntoSections } from '../../../../src/core/summarize/sections';
import { addToStats, describeStats, EMPTY_STATS, parseStats } from '../../../../src/core/summarize/stats';
import { RuntimeConnection } from '../../../../src/core/runtime/connection';
import { startEmulator, RunningEmulator } from '../../../emulator/server';

const config = (extra: Partial<SummarizeConfig> = {}): SummarizeConfig => ({
  ...DEFAULT_SUMMARIZE,
  draftModel: 'phi-4-mini',
  refineModel: 'gpt-oss-20b',
  policy: { ...DEFAULT_POLICY },
  prices: { draft: { name: 's', inputPerMTok: 1, outputPerMTok: 2 }, refine: { name: 'l', inputPerMTok: 10, outputPerMTok: 20 } },
  ...extra,
});

const BRIEF = 'Quarterly update. Revenue grew eight percent while costs stayed flat. The team shipped the new onboarding flow.';

describe('core/summarize/sections', () => {
  it('splits at paragraphs, then lines, then hard cuts, never exceeding the limit and losing nothing but blank lines', () => {
    const text = ['p1 '.repeat(10), 'p2 '.repeat(10), 'x'.repeat(95)].join('\n\n');
    const parts = splitIntoSections(text, 40);
    assert.ok(parts.every((p) => p.length <= 40), parts.map((p) => p.length).join(','));
    assert.strictEqual(parts.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
    assert.deepStrictEqual(splitIntoSections('small', 40), ['small']);
  });
});

describe('core/summarize/pipeline against the emulator', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let conn: RuntimeConnection;
  beforeEach(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'flag' });
  });
  afterEach(() => emu.close());

  it('drafts with the small model and skips refinement when no rule fires', async () => {
    const r = await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 100000 } }));
    assert.strictEqual(r.error, undefined);
    assert.deepStrictEqual(r.stages.map((s) => [s.stage, s.variantId]), [['draft', 'Phi-4-mini-instruct-generic-gpu:5']]);
    assert.strictEqual(r.refined, false);
    assert.strictEqual(r.final, r.draft);
    assert.ok(r.stages[0].metrics.ttftMs! > 0);
    assert.ok(r.emulated);
    assert.strictEqual(r.blendedCost, (r.stages[0].usage!.promptTokens * 1 + r.stages[0].usage!.completionTokens * 2) / 1e6);
  });

  it('refines when a rule fires, records both stages\' timelines, and shows which rule', async () => {
    const r = await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 10 } }));
    assert.strictEqual(r.error, undefined);
    assert.deepStrictEqual(r.stages.map((s) => s.stage), ['draft', 'refine']);
    assert.strictEqual(r.refined, true);
    assert.notStrictEqual(r.final, r.draft);
    assert.ok(!r.final.includes('<|'), 'Harmony markup stripped from the refined text');
    assert.deepStrictEqual(r.decision!.hits.map((h) => h.rule), ['draft-length']);
    assert.ok(r.stages.every((s) => s.timeline.done! > s.timeline.sent!));
    assert.strictEqual(r.totalMs, r.stages[0].metrics.e2eMs! + r.stages[1].metrics.e2eMs!);
  });

  it('keeps the draft and shows the error when the refine model fails', async () => {
    emu.injectFault({ kind: 'http-500', model: 'gpt-oss-20b-cuda-gpu:1' });
    const r = await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, force: 'always' } }));
    assert.strictEqual(r.error, undefined);
    assert.strictEqual(r.refined, false);
    assert.strictEqual(r.refineError?.code, 'server-error');
    assert.ok(r.final.length > 0 && r.final === r.draft);
  });

  it('summarizes input longer than the context section by section, then combines', async () => {
    // G3's model list gives no context length, so the configured fallback applies: 1200 tokens here.
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ${'facts and figures '.repeat(40)}`).join('\n\n');
    const stages: string[] = [];
    const r = await summarize(conn, long, config({ fallbackContextTokens: 1200, policy: { ...DEFAULT_POLICY, force: 'never' } }), { onStage: (s) => stages.push(s) });
    assert.strictEqual(r.error, undefined);
    assert.ok(r.sections > 1, `sections: ${r.sections}`);
    assert.deepStrictEqual([...new Set(stages)], ['section', 'combine']);
    assert.strictEqual(r.stages.filter((s) => s.stage === 'section').length, r.sections);
    assert.strictEqual(r.draft, r.stages[r.stages.length - 1].text);
  });

  it('cancels during a stage and keeps what finished', async () => {
    const controller = new AbortController();
    const r = await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, force: 'always' } }), {
      signal: controller.signal,
      onStage: (s) => {
        if (s === 'refine') setTimeout(() => controller.abort(), 5);
      },
    });
    assert.strictEqual(r.cancelled, true);
    assert.ok(r.draft.length > 0);
    assert.strictEqual(r.refined, false);
  });

  it('leaves loading to the user when auto-load is off: a model that is not loaded is an actionable error', async () => {
    const r = await summarize(conn, BRIEF, config({ autoLoad: false }));
    assert.strictEqual(r.error?.code, 'model-not-loaded');
    assert.ok(!emu.requests.some((q) => q.path.startsWith('/models/load/')), 'no load was requested');
  });

  it('reports an empty input clearly, without calling a model', async () => {
    const r = await summarize(conn, '  \n ', config());
    assert.strictEqual(r.error?.code, 'empty-input');
    assert.strictEqual(emu.requests.length, 0);
  });

  it('runs the always-large baseline on demand and keeps stats across summaries', async () => {
    const r = await summarize(conn, BRIEF, config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 100000 } }), { baseline: true });
    assert.strictEqual(r.baseline?.stage, 'baseline');
    assert.strictEqual(r.baseline?.variantId, 'gpt-oss-20b-cuda-gpu:1');
    assert.ok(r.baseline!.cost! > 0);
    let stats = addToStats(EMPTY_STATS, r);
    stats = addToStats(stats, { ...r, refined: true });
    const d = describeStats(stats);
    assert.strictEqual(d.escalationRate, 0.5);
    assert.strictEqual(stats.baselineCount, 2);
    assert.ok(d.savingCostRatio! > 0, 'the small model alone is cheaper than the baseline at these prices');
    assert.deepStrictEqual(parseStats(JSON.parse(JSON.stringify(stats))), stats);
    assert.deepStrictEqual(parseStats('garbage'), EMPTY_STATS);
  });
});
