import * as assert from 'assert';
import { RuntimeConnection } from '../../../../src/core/runtime/connection';
import { DEFAULT_POLICY } from '../../../../src/core/summarize/escalationPolicy';
import { DEFAULT_SUMMARIZE, summarize, summarizeBaseline, SummarizeConfig, withBaseline } from '../../../../src/core/summarize/pipeline';
import { addToStats, EMPTY_STATS } from '../../../../src/core/summarize/stats';
import { baselineComparison, finishedSummary, formatCost, SOURCE_PREVIEW_CHARS, sourceView, startedSummary, statsView, withBaselineView } from '../../../../src/vscode/summarize/summaryView';
import { startEmulator, RunningEmulator } from '../../../emulator/server';

const PRICES = { draft: { name: 'small', inputPerMTok: 0.15, outputPerMTok: 0.6 }, refine: { name: 'large', inputPerMTok: 2.5, outputPerMTok: 10 } };
const config = (extra: Partial<SummarizeConfig> = {}): SummarizeConfig => ({
  ...DEFAULT_SUMMARIZE,
  draftModel: 'phi-4-mini',
  refineModel: 'gpt-oss-20b',
  policy: { ...DEFAULT_POLICY },
  prices: PRICES,
  ...extra,
});
const BRIEF = 'Quarterly update: revenue grew eight percent; costs stayed flat. Security review pending.';

describe('vscode/summarize/summaryView', () => {
  it('never puts more than the preview of a huge source into the view', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const v = sourceView('big.log', 'selection', big);
    assert.strictEqual(v.chars, big.length);
    assert.strictEqual(v.preview.length, SOURCE_PREVIEW_CHARS);
    assert.strictEqual(v.truncated, true);
    assert.ok(JSON.stringify(startedSummary(1, v, 'a', 'b', false)).length < 10_000);
    assert.deepStrictEqual(sourceView('a.txt', 'file', 'short'), { name: 'a.txt', scope: 'file', chars: 5, preview: 'short', truncated: false });
  });

  it('formats small simulated costs readably', () => {
    assert.deepStrictEqual([formatCost(0), formatCost(0.0000342), formatCost(0.0123)], ['$0', '$0.000034', '$0.0123']);
  });

  it('says how often the cascade escalated, and what it saved only once a baseline was measured', () => {
    assert.deepStrictEqual(statsView(EMPTY_STATS, 'gpt-oss-20b'), { count: 0, rows: [] });
    const s = { ...EMPTY_STATS, count: 4, escalated: 1, totalMs: 4000, totalCost: 0.004 };
    const rows = Object.fromEntries(statsView(s, 'gpt-oss-20b').rows.map((r) => [r.key, r.value]));
    assert.deepStrictEqual(rows, { count: '4', escalationRate: '25% (1 of 4)', avgMs: '1.00 s', avgCost: '$0.0010' });
    const withBaseline = { ...s, baselineCount: 2, baselineMs: 8000, baselineCost: 0.01, cascadeMsWithBaseline: 2000, cascadeCostWithBaseline: 0.012 };
    const b = Object.fromEntries(statsView(withBaseline, 'gpt-oss-20b').rows.map((r) => [r.key, r.value]));
    assert.strictEqual(b.baselineCount, '2 of 4');
    assert.strictEqual(b.baselineAvgMs, '4.00 s');
    assert.strictEqual(b.cascadeAvgMsVsBaseline, '1.00 s');
    assert.strictEqual(b.savingMsRatio, '75%');
    assert.match(b.savingCostRatio, /^−20% \(the cascade cost more\)$/);
  });

  describe('from real summaries against the emulator', function () {
    this.timeout(60000);
    let emu: RunningEmulator;
    let conn: RuntimeConnection;
    beforeEach(async () => {
      emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
      conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'flag' });
    });
    afterEach(() => emu.close());
    const started = (text = BRIEF) => startedSummary(1, sourceView('brief.txt', 'selection', text), 'phi-4-mini', 'gpt-oss-20b', true);

    it('a refined summary: both texts, the diff, the rule that fired, each stage\'s timeline and cost, the totals', async () => {
      const c = config({ policy: { ...DEFAULT_POLICY, flaggedTopics: ['security'] } });
      const r = await summarize(conn, BRIEF, c);
      const v = finishedSummary(started(), r, c.prices);
      assert.strictEqual(v.phase, 'done');
      assert.strictEqual(v.isRefined, true);
      assert.strictEqual(v.final, r.final);
      assert.strictEqual(v.refined, r.final);
      assert.strictEqual(v.draft, r.draft);
      assert.deepStrictEqual(v.decision, { escalate: true, forced: undefined, hits: [{ rule: 'flagged-topic', detail: 'flagged topic: security' }] });
      assert.deepStrictEqual(v.stages.map((s) => [s.stage, s.label, s.variantId]), [
        ['draft', 'Draft', 'Phi-4-mini-instruct-generic-gpu:5'],
        ['refine', 'Refine', 'gpt-oss-20b-cuda-gpu:1'],
      ]);
      const refine = v.stages[1];
      assert.ok(refine.reasoningChars > 0, 'gpt-oss reasoning is counted, not shown');
      assert.ok(refine.metricRows.some((m) => m.key === 'ttfatMs'), 'a reasoning model shows its time to first answer token');
      assert.ok(refine.loadMs! > 0, 'the load is kept apart');
      assert.deepStrictEqual(refine.metricRows.map((m) => m.key).slice(0, 4), ['ttftMs', 'ttfatMs', 'decodeTps', 'e2eMs']);
      assert.match(refine.cost!, /^\$/);
      assert.ok(v.diff!.some((p) => p.kind === 'added') && v.diff!.some((p) => p.kind === 'removed'));
      assert.strictEqual(v.diff!.filter((p) => p.kind !== 'removed').map((p) => p.text).join(''), r.final);
      assert.match(v.totals!.latency, /\d/);
      assert.match(v.totals!.costNote!, /hypothetical.*not a quote/);
      assert.strictEqual(v.baseline.state, 'none');
      assert.strictEqual(v.emulated, true);
    });

    it('an unrefined summary: the draft is final, no diff, and the decision says no rule fired', async () => {
      const c = config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 100000 } });
      const v = finishedSummary(started(), await summarize(conn, BRIEF, c), c.prices);
      assert.strictEqual(v.isRefined, false);
      assert.strictEqual(v.final, v.draft);
      assert.strictEqual(v.diff, undefined);
      assert.deepStrictEqual(v.decision, { escalate: false, forced: undefined, hits: [] });
      assert.deepStrictEqual(v.stages.map((s) => s.stage), ['draft']);
    });

    it('a refine failure: the draft is kept as final and the error comes with actions', async () => {
      emu.injectFault({ kind: 'http-500', model: 'gpt-oss-20b-cuda-gpu:1' });
      const c = config({ policy: { ...DEFAULT_POLICY, force: 'always' } });
      const v = finishedSummary(started(), await summarize(conn, BRIEF, c), c.prices);
      assert.strictEqual(v.phase, 'done');
      assert.strictEqual(v.isRefined, false);
      assert.strictEqual(v.final, v.draft);
      assert.strictEqual(v.refineError?.code, 'server-error');
      assert.deepStrictEqual(v.refineError?.actions.map((a) => a.action), ['foundryLab.showLogs']);
      assert.ok(v.stages[1].error, 'the failed stage shows its error too');
    });

    it('nothing answering: failed, no final, and the error comes with what to do', async () => {
      const url = emu.url;
      await emu.stop();
      const dead = new RuntimeConnection({ endpoint: url, endpointSource: 'flag' });
      const v = finishedSummary(started(), await summarize(dead, BRIEF, config()), PRICES);
      assert.strictEqual(v.phase, 'failed');
      assert.strictEqual(v.final, undefined);
      assert.ok(['not-running', 'unreachable'].includes(v.error!.code), v.error!.code);
      assert.ok(v.error!.actions.some((a) => a.action === 'foundryLab.setEndpoint'), JSON.stringify(v.error!.actions));
      assert.strictEqual(v.totals, undefined);
    });

    it('a long source: one card for all its sections; stopped among them: no draft, and how far it got', async () => {
      const long = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}: ${'facts and figures '.repeat(40)}`).join('\n\n');
      const c = config({ fallbackContextTokens: 1200, policy: { ...DEFAULT_POLICY, force: 'never' } });
      const r = await summarize(conn, long, c);
      const v = finishedSummary(started(long), r, PRICES);
      assert.ok(v.sections > 1);
      // Hundreds of sections would bury the view: one card for all of them, then the combine.
      assert.deepStrictEqual(v.stages.map((s) => s.label), [`${v.sections} sections`, `Combine ${v.sections} sections`]);
      const sections = r.stages.filter((s) => s.stage === 'section');
      const card = v.stages[0];
      assert.strictEqual(card.metrics.e2eMs, sections.reduce((n, s) => n + s.metrics.e2eMs!, 0));
      assert.strictEqual(card.metrics.completionTokens, sections.reduce((n, s) => n + s.metrics.completionTokens!, 0));
      assert.deepStrictEqual(card.metricRows.map((m) => m.label), ['Time to first token (median)', 'Decode rate (median)', `End-to-end latency (sum of ${v.sections})`, 'Prompt tokens (sum)', 'Completion tokens (sum)', 'Token counts from']);
      // Stopped among the sections: no draft (a section's partial text is not one), and how far it got.
      const controller = new AbortController();
      let seen = 0;
      const stopped = await summarize(conn, long, c, { signal: controller.signal, onStage: (s) => s === 'section' && ++seen === 2 && setTimeout(() => controller.abort(), 5) });
      const sv = finishedSummary(started(long), stopped, PRICES);
      assert.strictEqual(sv.phase, 'stopped');
      assert.strictEqual(sv.draft, '');
      assert.strictEqual(sv.final, undefined);
      assert.strictEqual(sv.phaseDetail, `after 1 of ${sv.sections} sections`);
      assert.strictEqual(sv.stages[0].label, `2 of ${sv.sections} sections`, 'the one it stopped in counts as started');
    });

    it('the baseline measured on demand: its own stage and the measured comparison', async () => {
      const c = config({ policy: { ...DEFAULT_POLICY, draftLongerThan: 100000 } });
      const r = await summarize(conn, BRIEF, c);
      const v = finishedSummary(started(), r, c.prices);
      const after = withBaseline(r, await summarizeBaseline(conn, BRIEF, c));
      const b = withBaselineView(v, after, c.prices);
      assert.strictEqual(b.baseline.state, 'done');
      assert.strictEqual(b.baseline.stage?.label, 'Large model alone');
      assert.strictEqual(b.baseline.text, after.baseline!.text);
      assert.deepStrictEqual(b.baseline.comparison, baselineComparison(after));
      assert.match(b.baseline.comparison![0], /^Large model alone: .+, \$.+\. This cascade: .+, \$.+\.$/);
      assert.match(b.baseline.comparison![1], /^The cascade took \d+% (less|more) time and was \d+% (cheaper|more expensive) than the large model alone \(it did not need to refine\)\.$/);
      // The figures count the summary once, with its baseline.
      assert.strictEqual(statsView(addToStats(EMPTY_STATS, after), 'gpt-oss-20b').rows.find((row) => row.key === 'baselineCount')?.value, '1 of 1');
    });
  });
});
