import * as assert from 'assert';
import { decideEscalation, DEFAULT_POLICY, EscalationPolicyConfig } from '../../../../src/core/summarize/escalationPolicy';

const policy = (p: Partial<EscalationPolicyConfig> = {}): EscalationPolicyConfig => ({ ...DEFAULT_POLICY, ...p });
const fine = 'A clear, complete draft of the brief that says what matters in a few sentences.';

describe('core/summarize/escalationPolicy', () => {
  it('does not escalate a good, short draft of a short source', () => {
    assert.deepStrictEqual(decideEscalation(policy(), { source: 'short source', draft: fine, finishReason: 'stop' }), { escalate: false, hits: [] });
  });

  it('escalates a draft longer than the limit (the workshop rule, 600 characters)', () => {
    const d = decideEscalation(policy(), { source: 'x', draft: 'word '.repeat(130), finishReason: 'stop' });
    assert.strictEqual(d.escalate, true);
    assert.deepStrictEqual(d.hits.map((h) => h.rule), ['draft-length']);
    assert.match(d.hits[0].detail, /> 600/);
  });

  it('escalates a long source', () => {
    const d = decideEscalation(policy({ sourceLongerThan: 100 }), { source: 'y'.repeat(101), draft: fine });
    assert.deepStrictEqual(d.hits.map((h) => h.rule), ['source-length']);
  });

  it('escalates a flagged topic, whole words only, case-insensitive', () => {
    const p = policy({ flaggedTopics: ['Security', 'M&A'] });
    assert.deepStrictEqual(decideEscalation(p, { source: 'The security review found…', draft: fine }).hits.map((h) => h.detail), ['flagged topic: Security']);
    assert.strictEqual(decideEscalation(p, { source: 'insecurity is not the word', draft: fine }).escalate, false);
    assert.strictEqual(decideEscalation(p, { source: 'the m&a plan', draft: fine }).escalate, true);
  });

  it('escalates a low-confidence draft: truncated, empty or short, hedging', () => {
    assert.deepStrictEqual(decideEscalation(policy(), { source: 'x', draft: fine, finishReason: 'length' }).hits.map((h) => h.rule), ['truncated']);
    assert.deepStrictEqual(decideEscalation(policy(), { source: 'x', draft: '  ' }).hits.map((h) => [h.rule, h.detail]), [['empty-or-short', 'the draft is empty']]);
    assert.deepStrictEqual(decideEscalation(policy(), { source: 'x', draft: 'Too short.' }).hits.map((h) => h.rule), ['empty-or-short']);
    assert.deepStrictEqual(decideEscalation(policy(), { source: 'x', draft: `${fine} I'm not sure about the dates.` }).hits.map((h) => h.rule), ['hedging']);
    assert.strictEqual(decideEscalation(policy({ lowConfidence: { ...DEFAULT_POLICY.lowConfidence, enabled: false } }), { source: 'x', draft: '' }).escalate, false);
  });

  it('lets the user force or forbid refinement, still saying which rules fired', () => {
    const always = decideEscalation(policy({ force: 'always' }), { source: 'x', draft: fine });
    assert.strictEqual(always.escalate, true);
    assert.deepStrictEqual(always.hits.map((h) => h.rule), ['forced']);
    const never = decideEscalation(policy({ force: 'never' }), { source: 'x', draft: '' });
    assert.strictEqual(never.escalate, false);
    assert.deepStrictEqual(never.hits.map((h) => h.rule), ['empty-or-short']);
  });
});
