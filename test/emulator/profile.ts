import defaultProfile from './profiles/default.json';

/** The emulator's profile: per model variant, the timing and size truths that tests compare measurements against. */
export type ReasoningFormat = 'harmony' | 'think' | 'field' | 'none';

export interface EmulatedModel {
  /** The variant id, e.g. `Phi-4-mini-instruct-generic-cpu:5`. */
  id: string;
  alias: string;
  device: 'CPU' | 'GPU' | 'NPU';
  executionProvider?: string;
  /** Request → first token, ms (warm). */
  ttftMs: number;
  /** Decode rate: one token every 1000 / tokensPerSecond ms after the first. */
  tokensPerSecond: number;
  /** Duration of a load, ms. */
  loadMs: number;
  /** Added to the TTFT of the first request after a load. */
  coldExtraTtftMs?: number;
  memoryMb: number;
  fileSizeMb: number;
  contextLength: number;
  maxOutputTokens?: number;
  /** Downloaded already (G1/G2 refuse to load a model that is not). Default true. */
  cached?: boolean;
  reasoning?: ReasoningFormat;
}

export interface EmulatorProfile {
  description?: string;
  models: EmulatedModel[];
}

export const DEFAULT_PROFILE: EmulatorProfile = defaultProfile as EmulatorProfile;

export function validateProfile(p: unknown): EmulatorProfile {
  const prof = p as EmulatorProfile;
  if (!prof || !Array.isArray(prof.models) || !prof.models.length) throw new Error('profile: "models" must be a non-empty array');
  for (const m of prof.models) {
    if (typeof m.id !== 'string' || typeof m.alias !== 'string') throw new Error('profile: every model needs "id" and "alias"');
    for (const k of ['ttftMs', 'tokensPerSecond', 'loadMs'] as const) {
      if (typeof m[k] !== 'number' || m[k] < 0) throw new Error(`profile: ${m.id}.${k} must be a number ≥ 0`);
    }
    if (m.tokensPerSecond <= 0) throw new Error(`profile: ${m.id}.tokensPerSecond must be > 0`);
  }
  return prof;
}
