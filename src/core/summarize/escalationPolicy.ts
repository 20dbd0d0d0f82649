/**
 * When the small model's draft is passed to the large model for refinement. Each rule is configurable and, when it
 * fires, says why — the result shows exactly which rule escalated.
 */
export interface EscalationPolicyConfig {
  /** Escalate when the draft is longer than this many characters (the workshop's rule: 600). 0 disables. */
  draftLongerThan: number;
  /** Escalate when the source text is longer than this many characters (a long brief). 0 disables. */
  sourceLongerThan: number;
  /** Escalate when the source or the draft mentions one of these words (case-insensitive, whole words). */
  flaggedTopics: string[];
  /** Escalate on a low-confidence draft: cut by max tokens, empty or shorter than this many characters, or hedging. */
  lowConfidence: { enabled: boolean; minDraftChars: number; hedges: string[] };
  /** The user's override: always or never refine. */
  force?: 'always' | 'never';
}

export const DEFAULT_HEDGES = ["i'm not sure", 'i am not sure', 'i cannot', "i can't", 'unclear', 'not enough information', 'insufficient information', 'as an ai'];

export const DEFAULT_POLICY: EscalationPolicyConfig = {
  draftLongerThan: 600,
  sourceLongerThan: 6000,
  flaggedTopics: [],
  lowConfidence: { enabled: true, minDraftChars: 40, hedges: DEFAULT_HEDGES },
};

export type EscalationRule = 'forced' | 'draft-length' | 'source-length' | 'flagged-topic' | 'truncated' | 'empty-or-short' | 'hedging';

export interface RuleHit {
  rule: EscalationRule;
  detail: string;
}

export interface EscalationDecision {
  escalate: boolean;
  hits: RuleHit[];
  /** The override that decided, if any. */
  forced?: 'always' | 'never';
}

export interface DraftFacts {
  source: string;
  draft: string;
  finishReason?: string;
}

export function decideEscalation(policy: EscalationPolicyConfig, facts: DraftFacts): EscalationDecision {
  const hits = evaluateRules(policy, facts);
  if (policy.force === 'never') return { escalate: false, hits, forced: 'never' };
  if (policy.force === 'always') return { escalate: true, hits: [{ rule: 'forced', detail: 'refinement forced by the user' }, ...hits], forced: 'always' };
  return { escalate: hits.length > 0, hits };
}

function evaluateRules(policy: EscalationPolicyConfig, { source, draft, finishReason }: DraftFacts): RuleHit[] {
  const hits: RuleHit[] = [];
  const d = draft.trim();
  if (policy.draftLongerThan > 0 && d.length > policy.draftLongerThan) {
    hits.push({ rule: 'draft-length', detail: `the draft has ${d.length} characters (> ${policy.draftLongerThan})` });
  }
  if (policy.sourceLongerThan > 0 && source.length > policy.sourceLongerThan) {
    hits.push({ rule: 'source-length', detail: `the source has ${source.length} characters (> ${policy.sourceLongerThan})` });
  }
  const topics = policy.flaggedTopics.map((t) => t.trim()).filter(Boolean);
  const found = topics.filter((t) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(t)}($|[^\\p{L}\\p{N}])`, 'iu').test(`${source}\n${draft}`));
  if (found.length) hits.push({ rule: 'flagged-topic', detail: `flagged topic${found.length > 1 ? 's' : ''}: ${found.join(', ')}` });
  if (policy.lowConfidence.enabled) {
    if (finishReason === 'length') hits.push({ rule: 'truncated', detail: 'the draft was cut off by the token limit (finish_reason: length)' });
    if (d.length < policy.lowConfidence.minDraftChars) {
      hits.push({ rule: 'empty-or-short', detail: d.length ? `the draft has only ${d.length} characters (< ${policy.lowConfidence.minDraftChars})` : 'the draft is empty' });
    }
    const lower = d.toLowerCase();
    const hedge = policy.lowConfidence.hedges.find((h) => h && lower.includes(h.toLowerCase()));
    if (hedge) hits.push({ rule: 'hedging', detail: `the draft hedges ("${hedge}")` });
  }
  return hits;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
