import type { RequestMetrics, Stats } from '../metrics';
import type { Timeline, TokenSource, Usage } from '../runtime/timeline';
import type { ResolvedModel, RuntimeKind } from '../runtime/types';
import type { PromptItem } from './promptSets';

export const COMPARISON_FORMAT = 'foundry-local-lab/comparison@1';

export interface CompareConfig {
  /** Aliases or variant ids, e.g. ['phi-4-mini', 'gpt-oss-20b'] or the CPU and GPU ids of one model. */
  models: string[];
  prompts: PromptItem[];
  promptSetName: string;
  /** Warm runs per prompt per model. */
  runs: number;
  temperature: number;
  maxTokens: number;
  /** Unload each model, time its load, then a first (cold) request. */
  cold: boolean;
  /** A judge model scores each (model, prompt) answer on a rubric; its calls are timed apart. */
  judge?: string;
  idleTimeoutMs?: number;
}

/** Kinds of request: the first after a timed load, an untimed warm-up, or a measured warm run. */
export type RequestKind = 'cold' | 'warmup' | 'warm';

export interface RequestRecord {
  seq: number;
  model: string; // as requested
  variantId?: string;
  promptId: string;
  kind: RequestKind;
  repeat: number;
  text: string;
  reasoning: string;
  finishReason?: string;
  usage?: Usage;
  tokenSource?: TokenSource;
  /** Raw monotonic timestamps (ms) — exported so anyone can recompute every metric. */
  timeline: Timeline;
  metrics: RequestMetrics;
  error?: { code: string; message: string };
  emulated: boolean;
}

export interface ModelLoad {
  ms?: number;
  rssBeforeMb?: number;
  rssAfterMb?: number;
  error?: { code: string; message: string };
}

export interface ModelRun {
  requested: string;
  resolved?: ResolvedModel;
  load?: ModelLoad;
  /** Set when the model could not be used at all (not found, not downloaded, …). */
  error?: { code: string; message: string };
}

export interface RubricScore {
  coherence: number;
  factuality: number;
  conciseness: number;
  reason: string;
}

export interface Judgement {
  model: string;
  promptId: string;
  judge: string;
  score?: RubricScore;
  /** Token-level F1 (0–1) between the answer and the prompt's reference, when it has one. */
  referenceMatch?: number;
  /** The judge call's own time, never counted in the compared models' figures. */
  judgeMs?: number;
  error?: { code: string; message: string };
}

export interface ComparisonRun {
  format: typeof COMPARISON_FORMAT;
  id: string;
  startedAt: string;
  finishedAt?: string;
  config: CompareConfig;
  runtime: { kind?: RuntimeKind; endpoint?: string; emulated: boolean; pid?: number };
  host: { platform: string; arch: string; cpus: string; cpuCount: number; memoryGb: number; node: string };
  versions: { foundryLocalLab: string };
  models: ModelRun[];
  requests: RequestRecord[];
  judgements: Judgement[];
  cancelled: boolean;
  /** A failure that stopped the whole run (the runtime went away); results so far are kept. */
  error?: { code: string; message: string };
}

export type MetricKey = 'ttftMs' | 'ttfatMs' | 'decodeTps' | 'e2eTps' | 'tpotMs' | 'e2eMs';
export const COMPARED_METRICS: MetricKey[] = ['ttftMs', 'ttfatMs', 'decodeTps', 'e2eTps', 'tpotMs', 'e2eMs'];

export interface ModelSummary {
  requested: string;
  variantId?: string;
  device?: string;
  executionProvider?: string;
  fileSizeMb?: number;
  load?: ModelLoad;
  cold?: RequestMetrics;
  warm: Partial<Record<MetricKey, Stats>>;
  ok: number;
  failed: number;
  meanPromptTokens?: number;
  meanCompletionTokens?: number;
  totalPromptTokens: number;
  totalCompletionTokens: number;
  tokenSource?: TokenSource;
  /** Seconds the model spent answering (sum of E2E over every request). */
  busySeconds: number;
  quality?: { coherence: number; factuality: number; conciseness: number; overall: number; judged: number; referenceMatch?: number };
  error?: { code: string; message: string };
}
