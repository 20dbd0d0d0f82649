/**
 * The settings of Ask the workspace (`foundryLab.ask.*`, the answer's side; the index's own are in indexSettings.ts),
 * their defaults and their checks. No VS Code API (unit-tested).
 */
import { ASK_DEFAULTS, DEFAULT_FALLBACK_POLICY, FallbackPolicy } from '../../core/rag/ask';

export interface AskSettings {
  topK: number;
  maxContextChars: number;
  maxTokens: number;
  temperature: number;
  policy: FallbackPolicy;
  /** Optional re-ranking through `/v1/embeddings`: a model name turns it on; endpoint '' = the runtime's. */
  embeddings: { model: string; endpoint: string };
}

export const DEFAULT_ASK_SETTINGS: AskSettings = {
  topK: ASK_DEFAULTS.topK,
  maxContextChars: ASK_DEFAULTS.maxContextChars,
  maxTokens: ASK_DEFAULTS.maxTokens,
  temperature: ASK_DEFAULTS.temperature,
  policy: { ...DEFAULT_FALLBACK_POLICY },
  embeddings: { model: '', endpoint: '' },
};

type Check = (v: unknown) => string | undefined;
const integer = (min: number, max: number): Check => (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `is not an integer from ${min} to ${max}`);
const number = (min: number, max: number): Check => (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? undefined : `is not a number from ${min} to ${max}`);
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'is not true or false');
const mode: Check = (v) => (v === 'auto' || v === 'always' || v === 'never' ? undefined : 'is not one of auto, always, never');
const text: Check = (v) => (typeof v === 'string' ? undefined : 'is not text');
const url: Check = (v) => (typeof v === 'string' && (v.trim() === '' || /^https?:\/\/[^\s/]+/i.test(v.trim())) ? undefined : 'is not an http(s) URL');
const phrases: Check = (v) => (Array.isArray(v) && v.every((p) => typeof p === 'string') ? undefined : 'is not a list of strings');

/** Setting name after `foundryLab.` → its check and where it goes. */
const ASK_SETTINGS: Record<string, { check: Check; set: (s: AskSettings, v: unknown) => void; get: (s: AskSettings) => unknown }> = {
  'ask.topK': { check: integer(1, 50), set: (s, v) => (s.topK = v as number), get: (s) => s.topK },
  'ask.maxContextChars': { check: integer(500, 1_000_000), set: (s, v) => (s.maxContextChars = v as number), get: (s) => s.maxContextChars },
  'ask.maxTokens': { check: integer(1, 32768), set: (s, v) => (s.maxTokens = v as number), get: (s) => s.maxTokens },
  'ask.temperature': { check: number(0, 2), set: (s, v) => (s.temperature = v as number), get: (s) => s.temperature },
  'ask.fallback.mode': { check: mode, set: (s, v) => (s.policy.mode = v as FallbackPolicy['mode']), get: (s) => s.policy.mode },
  'ask.fallback.minAnswerChars': { check: integer(0, 100_000), set: (s, v) => (s.policy.minAnswerChars = v as number), get: (s) => s.policy.minAnswerChars },
  'ask.fallback.requireCitations': { check: boolean, set: (s, v) => (s.policy.requireCitations = v as boolean), get: (s) => s.policy.requireCitations },
  'ask.embeddings.model': { check: text, set: (s, v) => (s.embeddings.model = (v as string).trim()), get: (s) => s.embeddings.model },
  'ask.embeddings.endpoint': { check: url, set: (s, v) => (s.embeddings.endpoint = (v as string).trim()), get: (s) => s.embeddings.endpoint },
  'ask.fallback.insufficientPhrases': {
    check: phrases,
    set: (s, v) => (s.policy.insufficientPhrases = (v as string[]).map((p) => p.trim()).filter(Boolean)),
    get: (s) => s.policy.insufficientPhrases,
  },
};

export const ASK_SETTING_KEYS = Object.keys(ASK_SETTINGS);

/** Reads every Ask setting through `get` (undefined = not set); a wrong type or range → the default and a warning. */
export function validateAskSettings(get: (key: string) => unknown): { settings: AskSettings; warnings: string[] } {
  const settings: AskSettings = {
    ...DEFAULT_ASK_SETTINGS,
    policy: { ...DEFAULT_ASK_SETTINGS.policy, insufficientPhrases: [...DEFAULT_ASK_SETTINGS.policy.insufficientPhrases] },
    embeddings: { ...DEFAULT_ASK_SETTINGS.embeddings },
  };
  const warnings: string[] = [];
  for (const [key, { check, set, get: current }] of Object.entries(ASK_SETTINGS)) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    const problem = check(value);
    if (problem) {
      warnings.push(`Setting foundryLab.${key} = ${JSON.stringify(value)} ${problem}; using the default ${JSON.stringify(current(DEFAULT_ASK_SETTINGS))}.`);
      continue;
    }
    set(settings, value);
  }
  return { settings, warnings };
}
