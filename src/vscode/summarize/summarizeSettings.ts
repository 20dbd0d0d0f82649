/**
 * The Summarize settings (`foundryLab.summarize.*`), their defaults and their checks, without the VS Code API (so they
 * can be unit-tested). Must match `contributes.configuration` in package.json (a test compares them). The draft and
 * refine models are the shared `foundryLab.smallModel` / `largeModel` settings.
 */
import { DEFAULT_PRICES, PriceEntry } from '../../core/compare/cost';
import { DEFAULT_HEDGES, DEFAULT_POLICY, EscalationPolicyConfig } from '../../core/summarize/escalationPolicy';
import { DEFAULT_SUMMARIZE, SummarizeConfig } from '../../core/summarize/pipeline';

export type RefineForce = 'auto' | 'always' | 'never';

export interface SummarizeSettings {
  draftPrompt: string;
  refinePrompt: string;
  draftMaxTokens: number;
  draftTemperature: number;
  refineMaxTokens: number;
  refineTemperature: number;
  fallbackContextTokens: number;
  draftLongerThan: number;
  sourceLongerThan: number;
  flaggedTopics: string[];
  lowConfidenceEnabled: boolean;
  lowConfidenceMinDraftChars: number;
  hedges: string[];
  force: RefineForce;
  draftPrice: PriceEntry;
  refinePrice: PriceEntry;
}

export const DEFAULT_SUMMARIZE_SETTINGS: SummarizeSettings = {
  draftPrompt: DEFAULT_SUMMARIZE.draftPrompt,
  refinePrompt: DEFAULT_SUMMARIZE.refinePrompt,
  draftMaxTokens: DEFAULT_SUMMARIZE.draft.maxTokens,
  draftTemperature: DEFAULT_SUMMARIZE.draft.temperature,
  refineMaxTokens: DEFAULT_SUMMARIZE.refine.maxTokens,
  refineTemperature: DEFAULT_SUMMARIZE.refine.temperature,
  fallbackContextTokens: DEFAULT_SUMMARIZE.fallbackContextTokens,
  draftLongerThan: DEFAULT_POLICY.draftLongerThan,
  sourceLongerThan: DEFAULT_POLICY.sourceLongerThan,
  flaggedTopics: DEFAULT_POLICY.flaggedTopics,
  lowConfidenceEnabled: DEFAULT_POLICY.lowConfidence.enabled,
  lowConfidenceMinDraftChars: DEFAULT_POLICY.lowConfidence.minDraftChars,
  hedges: DEFAULT_HEDGES,
  force: 'auto',
  draftPrice: DEFAULT_PRICES[0],
  refinePrice: DEFAULT_PRICES[1],
};

type Check = (value: unknown) => string | undefined;

const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim() ? undefined : 'is not a non-empty string');
const integer = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `is not an integer from ${min} to ${max}`;
const number = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? undefined : `is not a number from ${min} to ${max}`;
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'is not true or false');
const words: Check = (v) => (Array.isArray(v) && v.every((w) => typeof w === 'string') ? undefined : 'is not a list of strings');
const force: Check = (v) => (v === 'auto' || v === 'always' || v === 'never' ? undefined : 'is not "auto", "always" or "never"');
const price: Check = (v) => {
  const p = v as Partial<PriceEntry> | null;
  const ok = !!p && typeof p === 'object' && typeof p.name === 'string' && isPrice(p.inputPerMTok) && isPrice(p.outputPerMTok);
  return ok ? undefined : 'is not {"name": string, "inputPerMTok": number ≥ 0, "outputPerMTok": number ≥ 0}';
};
const isPrice = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** Setting name (after `foundryLab.`, quoted: the names as package.json spells them) → field and check. */
export const SUMMARIZE_SETTINGS: Record<string, { field: keyof SummarizeSettings; check: Check }> = {
  'summarize.draftPrompt': { field: 'draftPrompt', check: nonEmptyString },
  'summarize.refinePrompt': { field: 'refinePrompt', check: nonEmptyString },
  'summarize.draftMaxTokens': { field: 'draftMaxTokens', check: integer(1, 32768) },
  'summarize.draftTemperature': { field: 'draftTemperature', check: number(0, 2) },
  'summarize.refineMaxTokens': { field: 'refineMaxTokens', check: integer(1, 32768) },
  'summarize.refineTemperature': { field: 'refineTemperature', check: number(0, 2) },
  'summarize.fallbackContextTokens': { field: 'fallbackContextTokens', check: integer(512, 10_000_000) },
  'summarize.policy.draftLongerThan': { field: 'draftLongerThan', check: integer(0, 10_000_000) },
  'summarize.policy.sourceLongerThan': { field: 'sourceLongerThan', check: integer(0, 1_000_000_000) },
  'summarize.policy.flaggedTopics': { field: 'flaggedTopics', check: words },
  'summarize.policy.lowConfidence.enabled': { field: 'lowConfidenceEnabled', check: boolean },
  'summarize.policy.lowConfidence.minDraftChars': { field: 'lowConfidenceMinDraftChars', check: integer(0, 100_000) },
  'summarize.policy.lowConfidence.hedges': { field: 'hedges', check: words },
  'summarize.policy.force': { field: 'force', check: force },
  'summarize.prices.draft': { field: 'draftPrice', check: price },
  'summarize.prices.refine': { field: 'refinePrice', check: price },
};

export const SUMMARIZE_SETTING_KEYS = Object.keys(SUMMARIZE_SETTINGS);

/**
 * Reads every Summarize setting through `get` (undefined = not set); a wrong type or range falls back to the default
 * with a warning naming the setting, as settingsSchema.ts does for the others.
 */
export function validateSummarizeSettings(get: (key: string) => unknown): { settings: SummarizeSettings; warnings: string[] } {
  const settings: Record<string, unknown> = { ...DEFAULT_SUMMARIZE_SETTINGS };
  const warnings: string[] = [];
  for (const [key, { field, check }] of Object.entries(SUMMARIZE_SETTINGS)) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    const problem = check(value);
    if (problem) {
      warnings.push(`Setting foundryLab.${key} = ${JSON.stringify(value)} ${problem}; using the default ${JSON.stringify(DEFAULT_SUMMARIZE_SETTINGS[field])}.`);
      continue;
    }
    settings[field] = typeof value === 'string' ? value.trim() : Array.isArray(value) ? value.map((w: string) => w.trim()).filter(Boolean) : value;
  }
  return { settings: settings as unknown as SummarizeSettings, warnings };
}

/** The pipeline's configuration from the settings; `force` from a one-off choice (CLI flag, menu) wins over the setting. */
export function summarizeConfig(s: SummarizeSettings, models: { draft: string; refine: string }, opts: { idleTimeoutMs?: number; force?: RefineForce; autoLoad?: boolean } = {}): SummarizeConfig {
  const force = opts.force ?? s.force;
  const policy: EscalationPolicyConfig = {
    draftLongerThan: s.draftLongerThan,
    sourceLongerThan: s.sourceLongerThan,
    flaggedTopics: s.flaggedTopics,
    lowConfidence: { enabled: s.lowConfidenceEnabled, minDraftChars: s.lowConfidenceMinDraftChars, hedges: s.hedges },
    ...(force === 'auto' ? {} : { force }),
  };
  return {
    draftModel: models.draft,
    refineModel: models.refine,
    draftPrompt: s.draftPrompt,
    refinePrompt: s.refinePrompt,
    draft: { maxTokens: s.draftMaxTokens, temperature: s.draftTemperature },
    refine: { maxTokens: s.refineMaxTokens, temperature: s.refineTemperature },
    policy,
    fallbackContextTokens: s.fallbackContextTokens,
    prices: { draft: s.draftPrice, refine: s.refinePrice },
    idleTimeoutMs: opts.idleTimeoutMs,
    autoLoad: opts.autoLoad,
  };
}
