/**
 * The messages between the extension host and the panel's webview, both directions, in one place. Both sides import
 * these types; the host also checks every incoming message at run time with parseWebviewMessage, because a webview
 * is an attack surface (its content renders model output).
 *
 * Handshake: the webview posts `ready` once its script runs; the host buffers everything until then and answers with
 * a `snapshot` (the host owns the state, so a webview re-created after being hidden is rebuilt from it).
 */
import type { RequestMetrics } from './core/metrics/requestMetrics';

// ---------------------------------------------------------------------------------------------------------------
// Host → webview

/** The runtime as the panel shows it. Texts are composed by the host so the webview stays dumb. */
export interface RuntimeView {
  status: 'checking' | 'found' | 'not-installed' | 'stopped' | 'unreachable';
  /** "Connected", "Not running", … */
  label: string;
  /** The service URL (found) or the URL that failed (unreachable). */
  endpoint?: string;
  /** How the endpoint was found, in words ("FOUNDRY_LOCAL_ENDPOINT", "`foundry server status`"). */
  source?: string;
  /** The runtime generation, in words. */
  runtime?: string;
  emulated: boolean;
  /** Set when the endpoint is not on this machine: prompts leave it. */
  remoteHost?: string;
  loaded: string[];
  /** Why it is not found, when it is not. */
  detail?: string;
}

export interface ModelOption {
  /** What is sent back in `run`: an alias or a variant id. */
  value: string;
  label: string;
  /** The <optgroup> it belongs to. */
  group: string;
}

/** A command the user may run from the panel (an error's action button). Checked against an allow-list by the host. */
export type PanelAction =
  | 'foundryLab.startService'
  | 'foundryLab.setEndpoint'
  | 'foundryLab.showLogs'
  | 'foundryLab.chooseModels'
  | 'foundryLab.refreshStatus'
  | 'foundryLab.rebuildIndex'
  | 'foundryLab.setApiKey'
  | 'foundryLab.openTokenSettings';

export const PANEL_ACTIONS: readonly PanelAction[] = [
  'foundryLab.startService',
  'foundryLab.setEndpoint',
  'foundryLab.showLogs',
  'foundryLab.chooseModels',
  'foundryLab.refreshStatus',
  'foundryLab.rebuildIndex',
  'foundryLab.setApiKey',
  'foundryLab.openTokenSettings',
];

export type RunPhase = 'resolving' | 'loading' | 'waiting' | 'streaming' | 'done' | 'stopped' | 'failed';

export interface MetricRow {
  key: keyof RequestMetrics;
  label: string;
  /** Formatted for display (core's formatMetric). */
  value: string;
}

export interface RunView {
  runId: number;
  /** What the user picked (alias or id). */
  requested: string;
  phase: RunPhase;
  /** e.g. the variant id being loaded. */
  phaseDetail?: string;
  /** The variant the alias resolved to, with its device: what makes a measurement reproducible. */
  model?: { id: string; device: string; executionProvider?: string };
  text: string;
  reasoning: string;
  /** Raw numbers (the latency bar) and formatted rows (the table), both from core's deriveMetrics. */
  metrics?: RequestMetrics;
  metricRows?: MetricRow[];
  /** Time spent loading the model before the request (not part of TTFT). */
  loadMs?: number;
  finishReason?: string;
  emulated: boolean;
  error?: { code: string; message: string; actions: { title: string; action: PanelAction }[] };
}

/** One finished run in the panel's latency chart. */
export interface HistoryEntry {
  runId: number;
  model: string;
  device?: string;
  prepMs?: number;
  ttftMs?: number;
  e2eMs?: number;
  outcome: 'done' | 'stopped' | 'failed';
}

export interface PanelSnapshot {
  runtime: RuntimeView;
  models: ModelOption[];
  /** The configured small and large models (settings). */
  smallModel: string;
  largeModel: string;
  /** The current or last run; undefined before the first. */
  run?: RunView;
  history: HistoryEntry[];
}

export type HostToWebview =
  | { type: 'snapshot'; snapshot: PanelSnapshot }
  | { type: 'runtime'; runtime: RuntimeView; models: ModelOption[]; smallModel: string; largeModel: string }
  | { type: 'runStarted'; run: RunView }
  | { type: 'phase'; runId: number; phase: RunPhase; detail?: string; model?: RunView['model'] }
  /** Coalesced stream text to append (a few tens of ms worth). */
  | { type: 'delta'; runId: number; answer: string; reasoning: string }
  | { type: 'runFinished'; run: RunView; history: HistoryEntry[] };

// ---------------------------------------------------------------------------------------------------------------
// Webview → host

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'run'; model: string; prompt: string; context: string }
  | { type: 'stop' }
  | { type: 'refresh' }
  /** A link in the rendered answer was clicked; the host opens only http(s). */
  | { type: 'openLink'; href: string }
  | { type: 'action'; action: PanelAction };

/** Limits on what the webview may send: generous for real use, bounded against a runaway or hostile page. */
export const MAX_PROMPT_CHARS = 200_000;
export const MAX_CONTEXT_CHARS = 2_000_000;
const MAX_MODEL_CHARS = 512;
const MAX_HREF_CHARS = 8_192;

/**
 * Validates a message from the webview. Returns a clean copy (only the known fields) or undefined when the message
 * is unknown or malformed; the host drops (and logs) those.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
    case 'stop':
    case 'refresh':
      return { type: raw.type };
    case 'run': {
      const { model, prompt, context } = raw;
      if (!isText(model, MAX_MODEL_CHARS) || !model.trim()) return undefined;
      if (!isText(prompt, MAX_PROMPT_CHARS) || !prompt.trim()) return undefined;
      if (context !== undefined && !isText(context, MAX_CONTEXT_CHARS)) return undefined;
      return { type: 'run', model: model.trim(), prompt, context: (context as string | undefined) ?? '' };
    }
    case 'openLink':
      return isText(raw.href, MAX_HREF_CHARS) && raw.href ? { type: 'openLink', href: raw.href } : undefined;
    case 'action':
      return PANEL_ACTIONS.includes(raw.action as PanelAction) ? { type: 'action', action: raw.action as PanelAction } : undefined;
    default:
      return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

// ===============================================================================================================
// --- Compare --- The Compare view (src/vscode/compare, webview-ui/compare): its own panel, its own messages.
// Same handshake as the playground: `ready` → `snapshot`; the host owns the state and makes every model call.

/** Where the prompts of a comparison come from. `file` is the JSONL file the host loaded last (pickPromptFile). */
export type ComparePromptSource = { kind: 'builtin'; id: string } | { kind: 'file' } | { kind: 'text'; text: string };

/** The Compare form as the user filled it in. */
export interface CompareForm {
  /** Aliases or variant ids, in the order picked. */
  models: string[];
  prompts: ComparePromptSource;
  runs: number;
  temperature: number;
  maxTokens: number;
  cold: boolean;
  /** An alias or variant id; absent = no quality scoring. */
  judge?: string;
}

export const COMPARE_LIMITS = { maxModels: 8, maxRuns: 50, maxTokens: 32768, maxTemperature: 2 } as const;

export interface PromptSetOption {
  id: string;
  name: string;
  description: string;
  count: number;
  /** The set's own temperature (the QA set runs at 0). */
  temperature?: number;
}

/** A JSONL prompt file the user picked: good lines kept, bad ones listed with their line numbers. */
export interface PromptFileView {
  /** Workspace-relative where possible. */
  path: string;
  count: number;
  issues: { line: number; message: string }[];
}

/** One finished request, as a row of the live table. Figures formatted by the host. */
export interface LiveRow {
  seq: number;
  model: string;
  variantId?: string;
  promptId: string;
  kind: 'cold' | 'warmup' | 'warm';
  repeat: number;
  ttft: string;
  decode: string;
  e2e: string;
  tokens: string;
  error?: string;
}

export interface CompareProgressView {
  done: number;
  total: number;
  step: string;
}

export interface StatCells {
  n: number;
  p50: string;
  p90: string;
  p95: string;
  p99: string;
  min: string;
  max: string;
  stddev: string;
}

/** A warm-run metric of one model: its distribution, or n/a when no warm run measured it. */
export interface MetricStatRow {
  key: string;
  label: string;
  unit: string;
  cells?: StatCells;
}

export interface LabelledValue {
  key: string;
  label: string;
  value: string;
}

export interface ModelResultView {
  requested: string;
  variantId?: string;
  device?: string;
  executionProvider?: string;
  ok: number;
  failed: number;
  /** Why the model could not be used at all. */
  error?: string;
  /** Failed requests, grouped by message. */
  errors: { message: string; count: number }[];
  warm: MetricStatRow[];
  /** Load time and the first request after it (cold mode), or the untimed warm-up's figures. */
  cold: LabelledValue[];
  /** Tokens, load and memory, with their sources ("estimated" said so). */
  facts: LabelledValue[];
  tokensEstimated: boolean;
}

/** Raw numbers for the charts (the webview draws them); models referenced by index into `models`. */
export interface ChartDataView {
  models: string[];
  ttft: { model: number; values: number[]; p50?: number }[];
  decode: { model: number; values: number[]; p50?: number }[];
  /** Cumulative tokens over time since the request was sent, one line per request. */
  timelines: { model: number; label: string; points: [number, number][] }[];
  coldWarm: { load: (number | null)[]; coldTtft: (number | null)[]; warmTtft: (number | null)[]; coldE2e: (number | null)[]; warmE2e: (number | null)[] };
}

export interface ResponseCell {
  model: string;
  variantId?: string;
  /** "cold", "warm 1/3", … */
  run: string;
  text: string;
  reasoning: string;
  figures: string;
  /** Why the stream ended ("length" = the max tokens ran out). */
  finishReason?: string;
  error?: string;
}

/** One prompt's responses side by side: per model, its first measured response and the others behind it. */
export interface ResponseGroup {
  promptId: string;
  prompt: string;
  reference?: string;
  columns: { model: string; first?: ResponseCell; more: ResponseCell[] }[];
}

export interface QualityView {
  judge: string;
  rows: { model: string; coherence: string; factuality: string; conciseness: string; overall: string; referenceMatch: string; judged: number; judgeErrors: number }[];
  judgements: { model: string; promptId: string; scores: string; reason: string; referenceMatch: string; judgeTime: string; error?: string }[];
}

export interface CostView {
  /** Says plainly that these are simulations and where the figures come from. */
  note: string;
  priceNames: string[];
  rows: { model: string; tokens: string; cloud: string[]; local: string }[];
}

export interface VerdictView {
  model: string;
  variantId?: string;
  coldLatency: string;
  memory: string;
  contextAdherence: string;
  cost: string;
  bestUse: string;
}

export interface CompareResultView {
  id: string;
  /** "phi-4-mini vs gpt-oss-20b" */
  title: string;
  startedAt: string;
  origin: 'this session' | 'saved' | 'imported';
  emulated: boolean;
  cancelled: boolean;
  /** What stopped the whole run (results so far are kept). */
  error?: { message: string; actions: { title: string; action: PanelAction }[] };
  settingsLine: string;
  runtimeLine: string;
  hostLine: string;
  models: ModelResultView[];
  charts: ChartDataView;
  responses: ResponseGroup[];
  quality?: QualityView;
  cost: CostView;
  verdicts: VerdictView[];
}

export interface SavedRunView {
  /** The store's key (file name stem), not the run's id. */
  key: string;
  title: string;
  detail: string;
  startedAt: string;
  emulated: boolean;
}

export interface DiffView {
  before: { key: string; label: string };
  after: { key: string; label: string };
  rows: { model: string; metric: string; before: string; after: string; ratio: string; change: 'better' | 'worse' | 'same' | 'n/a' }[];
}

export interface CompareDefaults {
  /** The configured small and large models. */
  models: string[];
  temperature: number;
  maxTokens: number;
}

export interface CompareSnapshot {
  runtime: RuntimeView;
  models: ModelOption[];
  defaults: CompareDefaults;
  promptSets: PromptSetOption[];
  promptFile?: PromptFileView;
  /** The editor selection to compare on ("Compare models on selection"). */
  prefill?: { text: string; origin: string; seq: number };
  running?: { runId: number; progress: CompareProgressView; rows: LiveRow[] };
  result?: CompareResultView;
  saved: SavedRunView[];
  diff?: DiffView;
}

export type CompareHostToWebview =
  | { type: 'snapshot'; snapshot: CompareSnapshot }
  | { type: 'runtime'; runtime: RuntimeView; models: ModelOption[]; defaults: CompareDefaults }
  | { type: 'prefill'; prefill: NonNullable<CompareSnapshot['prefill']> }
  | { type: 'promptFile'; promptFile?: PromptFileView }
  | { type: 'runStarted'; runId: number; progress: CompareProgressView }
  | { type: 'progress'; runId: number; progress: CompareProgressView }
  | { type: 'record'; runId: number; row: LiveRow }
  /** Coalesced text of the request in flight; `reset` starts a new request. */
  | { type: 'streaming'; runId: number; label: string; answer: string; reasoning: string; reset: boolean }
  | { type: 'runFinished'; runId: number; result?: CompareResultView }
  /** A result to show (a saved or imported run opened, or the costs recomputed after a settings change). */
  | { type: 'result'; result?: CompareResultView }
  | { type: 'saved'; saved: SavedRunView[] }
  | { type: 'diff'; diff?: DiffView }
  | { type: 'notice'; level: 'info' | 'error'; message: string; actions?: { title: string; action: PanelAction }[] };

export type CompareExportFormat = 'json' | 'csv' | 'md';

export type CompareWebviewToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'run'; form: CompareForm }
  | { type: 'cancel' }
  | { type: 'pickPromptFile' }
  /** `workspace` writes into the workspace folder and opens the file; `dialog` asks where. */
  | { type: 'export'; format: CompareExportFormat; target: 'dialog' | 'workspace' }
  | { type: 'import' }
  | { type: 'openSaved'; key: string }
  | { type: 'deleteSaved'; key: string }
  | { type: 'diffSaved'; before: string; after: string }
  | { type: 'closeDiff' }
  | { type: 'openLink'; href: string }
  | { type: 'action'; action: PanelAction };

const SAVED_KEY = /^[A-Za-z0-9._-]{1,160}$/;
const EXPORT_FORMATS: readonly CompareExportFormat[] = ['json', 'csv', 'md'];

/** Validates a message from the Compare webview; undefined for anything unknown or malformed (the host drops it). */
export function parseCompareMessage(raw: unknown): CompareWebviewToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
    case 'refresh':
    case 'cancel':
    case 'pickPromptFile':
    case 'import':
    case 'closeDiff':
      return { type: raw.type };
    case 'run': {
      const form = parseCompareForm(raw.form);
      return form ? { type: 'run', form } : undefined;
    }
    case 'export':
      if (!EXPORT_FORMATS.includes(raw.format as CompareExportFormat) || (raw.target !== 'dialog' && raw.target !== 'workspace')) return undefined;
      return { type: 'export', format: raw.format as CompareExportFormat, target: raw.target };
    case 'openSaved':
    case 'deleteSaved':
      return typeof raw.key === 'string' && SAVED_KEY.test(raw.key) ? { type: raw.type, key: raw.key } : undefined;
    case 'diffSaved':
      if (typeof raw.before !== 'string' || typeof raw.after !== 'string' || !SAVED_KEY.test(raw.before) || !SAVED_KEY.test(raw.after)) return undefined;
      return raw.before === raw.after ? undefined : { type: 'diffSaved', before: raw.before, after: raw.after };
    case 'openLink':
      return isText(raw.href, MAX_HREF_CHARS) && raw.href ? { type: 'openLink', href: raw.href } : undefined;
    case 'action':
      return PANEL_ACTIONS.includes(raw.action as PanelAction) ? { type: 'action', action: raw.action as PanelAction } : undefined;
    default:
      return undefined;
  }
}

function parseCompareForm(raw: unknown): CompareForm | undefined {
  if (!isRecord(raw)) return undefined;
  const { models, prompts, runs, temperature, maxTokens, cold, judge } = raw;
  if (!Array.isArray(models) || models.length < 1 || models.length > COMPARE_LIMITS.maxModels) return undefined;
  if (!models.every((m) => isText(m, MAX_MODEL_CHARS) && m.trim())) return undefined;
  const unique = [...new Set((models as string[]).map((m) => m.trim()))];
  if (!Number.isInteger(runs) || (runs as number) < 1 || (runs as number) > COMPARE_LIMITS.maxRuns) return undefined;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0 || temperature > COMPARE_LIMITS.maxTemperature) return undefined;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > COMPARE_LIMITS.maxTokens) return undefined;
  if (typeof cold !== 'boolean') return undefined;
  if (judge !== undefined && !isText(judge, MAX_MODEL_CHARS)) return undefined;
  const source = parsePromptSource(prompts);
  if (!source) return undefined;
  const form: CompareForm = { models: unique, prompts: source, runs: runs as number, temperature, maxTokens: maxTokens as number, cold };
  if (typeof judge === 'string' && judge.trim()) form.judge = judge.trim();
  return form;
}

function parsePromptSource(raw: unknown): ComparePromptSource | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.kind) {
    case 'builtin':
      return isText(raw.id, 100) && raw.id ? { kind: 'builtin', id: raw.id } : undefined;
    case 'file':
      return { kind: 'file' };
    case 'text':
      return isText(raw.text, MAX_PROMPT_CHARS) && raw.text.trim() ? { kind: 'text', text: raw.text } : undefined;
    default:
      return undefined;
  }
}
// --- end Compare ---

// --- Summarize --- The Summarize view (src/vscode/summarize, webview-ui/summarize): its own panel, its own messages.
// Same handshake as the playground: `ready` → `summarySnapshot`; the host owns the state and makes every model call.

export type SummaryPhase = 'drafting' | 'refining' | 'baseline' | 'done' | 'stopped' | 'failed';

/** The kinds of core's pipeline stages (core/summarize StageKind). */
export type SummaryStageKind = 'draft' | 'section' | 'combine' | 'refine' | 'baseline';

/** Where streamed text goes: the draft side (draft, sections, combine), the refinement, or the baseline. */
export type SummaryPane = 'draft' | 'refine' | 'baseline';

/** A failure as the view shows it: core's message, and buttons from errorActions. */
export interface SummaryErrorView {
  code: string;
  message: string;
  actions: { title: string; action: PanelAction }[];
}

/** One stage of a summary with its timeline metrics (formatted by the host from core's deriveMetrics). */
export interface SummaryStageView {
  stage: SummaryStageKind;
  /** "Draft", "Section 2 of 5", "Combine", "Refine", "Large model alone". */
  label: string;
  model: string;
  variantId?: string;
  device?: string;
  metrics: RequestMetrics;
  metricRows: MetricRow[];
  /** The model load before the request (not part of TTFT or E2E). */
  loadMs?: number;
  finishReason?: string;
  /** Reasoning is kept apart from the text; only its size is shown. */
  reasoningChars: number;
  /** Simulated cost of this stage's tokens, formatted. */
  cost?: string;
  error?: SummaryErrorView;
}

/** A word-level diff of draft → final: runs of unchanged, removed (draft only) and added (final only) text. */
export interface SummaryDiffPart {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

export interface SummarySourceView {
  /** The file's name (or "Untitled-1"). */
  name: string;
  scope: 'selection' | 'file';
  chars: number;
  /** The beginning of the source only: a 10 MB selection is never posted to the webview. */
  preview: string;
  truncated: boolean;
}

export interface SummaryView {
  id: number;
  source: SummarySourceView;
  draftModel: string;
  refineModel: string;
  phase: SummaryPhase;
  /** "section 3 of 25", the variant being run… */
  phaseDetail?: string;
  sections: number;
  /** The draft side's text (while sections stream: the current section's). */
  draft: string;
  /** The refinement's text as it streams. */
  refined: string;
  /** What the actions insert: the refinement when it succeeded, else the draft. Set when finished. */
  final?: string;
  isRefined: boolean;
  /** The escalation policy's decision, with every rule that fired and why. */
  decision?: { escalate: boolean; forced?: 'always' | 'never'; hits: { rule: string; detail: string }[] };
  stages: SummaryStageView[];
  /** Formatted: the sum of the stages' E2E (loads excluded), the blended cost and the price basis. */
  totals?: { latency: string; cost?: string; costNote?: string };
  diff?: SummaryDiffPart[];
  baseline: { state: 'none' | 'running' | 'done' | 'failed' | 'stopped'; text: string; stage?: SummaryStageView; comparison?: string[]; error?: SummaryErrorView };
  error?: SummaryErrorView;
  refineError?: SummaryErrorView;
  emulated: boolean;
}

/** Figures across the summaries of this workspace (core's describeStats), formatted by the host. */
export interface SummaryStatsView {
  count: number;
  rows: { key: string; label: string; value: string }[];
}

export interface SummarizeSnapshot {
  runtime: RuntimeView;
  draftModel: string;
  refineModel: string;
  summary?: SummaryView;
  stats: SummaryStatsView;
}

export type SummarizeHostToWebview =
  | { type: 'summarySnapshot'; snapshot: SummarizeSnapshot }
  | { type: 'summaryRuntime'; runtime: RuntimeView; draftModel: string; refineModel: string }
  | { type: 'summaryStarted'; summary: SummaryView }
  | { type: 'summaryPhase'; id: number; phase: SummaryPhase; detail?: string }
  /** Coalesced streamed text; `reset` clears the pane first (a new section). */
  | { type: 'summaryDelta'; id: number; pane: SummaryPane; text: string; reset: boolean }
  /** The whole summary, re-rendered: finished, its baseline measured, or an action's outcome. */
  | { type: 'summaryUpdated'; summary: SummaryView; stats: SummaryStatsView }
  | { type: 'summaryStats'; stats: SummaryStatsView }
  | { type: 'summaryNotice'; level: 'info' | 'error'; message: string };

/** What the summary's actions do with the final text. */
export type SummaryApplyTarget = 'insertBelow' | 'replace' | 'copy' | 'newDocument';

export const SUMMARY_APPLY_TARGETS: readonly SummaryApplyTarget[] = ['insertBelow', 'replace', 'copy', 'newDocument'];

export type SummarizeWebviewToHost =
  | { type: 'ready' }
  | { type: 'stop' }
  /** "Compare with the large model alone": the always-LLM baseline on the same input. */
  | { type: 'baseline'; id: number }
  | { type: 'apply'; id: number; target: SummaryApplyTarget }
  | { type: 'resetStats' }
  | { type: 'openLink'; href: string }
  | { type: 'action'; action: PanelAction };

/** Validates a message from the Summarize webview; undefined for anything unknown or malformed (the host drops it). */
export function parseSummarizeMessage(raw: unknown): SummarizeWebviewToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const validId = (id: unknown): id is number => typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
  switch (raw.type) {
    case 'ready':
    case 'stop':
    case 'resetStats':
      return { type: raw.type };
    case 'baseline':
      return validId(raw.id) ? { type: 'baseline', id: raw.id } : undefined;
    case 'apply':
      return validId(raw.id) && SUMMARY_APPLY_TARGETS.includes(raw.target as SummaryApplyTarget) ? { type: 'apply', id: raw.id, target: raw.target as SummaryApplyTarget } : undefined;
    case 'openLink':
      return isText(raw.href, MAX_HREF_CHARS) && raw.href ? { type: 'openLink', href: raw.href } : undefined;
    case 'action':
      return PANEL_ACTIONS.includes(raw.action as PanelAction) ? { type: 'action', action: raw.action as PanelAction } : undefined;
    default:
      return undefined;
  }
}
// --- end Summarize ---

// --- Ask --- The "Ask the Workspace" side-panel chat (src/vscode/ask/askView.ts, webview-ui/ask): a webview view in
// the Foundry Local Lab activity-bar container. Same handshake: `ready` → `askSnapshot`; the host owns the turns (kept
// per workspace), makes every model call and resolves every click on a source by its number, never by a path.

export type AskScopeKind = 'workspace' | 'openFiles' | 'folder';
export const ASK_SCOPE_KINDS: readonly AskScopeKind[] = ['workspace', 'openFiles', 'folder'];

export interface AskScopeView {
  kind: AskScopeKind;
  /** "Whole workspace", "Open files", "Folder: src/auth". */
  label: string;
}

export type AskRoleView = 'small' | 'large';

/** retrieving → (per stage) resolving / loading / waiting / streaming → done | stopped | failed. */
export type AskPhase = 'retrieving' | 'resolving' | 'loading' | 'waiting' | 'streaming' | 'done' | 'stopped' | 'failed';

export interface AskErrorView {
  code: string;
  message: string;
  actions: { title: string; action: PanelAction }[];
}

/** One retrieved chunk as numbered in the prompt. The file's absolute path stays in the host. */
export interface AskSourceView {
  n: number;
  /** `path:start-end` */
  label: string;
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  /** Cited by the answer shown. */
  cited: boolean;
}

export interface AskStageView {
  role: AskRoleView;
  /** As configured (alias or id). */
  model: string;
  /** The variant that answered. */
  variant?: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  text: string;
  /** The source numbers this stage's text cites, in order. */
  citations: number[];
  loadMs?: number;
  promptTokens?: number;
  ttftMs?: number;
  generationMs?: number;
  finishReason?: string;
  error?: AskErrorView;
}

export interface AskTurnView {
  id: number;
  question: string;
  scope: string;
  /** Date.now() when asked. */
  askedAt: number;
  phase: AskPhase;
  /** The model being loaded or waited for. */
  phaseDetail?: string;
  retrievalMs?: number;
  sources: AskSourceView[];
  stages: AskStageView[];
  /** Whose text is the answer (the large model's when it escalated and answered). */
  answerRole?: AskRoleView;
  /** Set when the small model's answer went to the large model: why, in one line and rule by rule. */
  fallback?: { summary: string; reasons: { rule: string; detail: string }[] };
  error?: AskErrorView;
  emulated: boolean;
}

export interface AskSnapshot {
  runtime: RuntimeView;
  smallModel: string;
  largeModel: string;
  scope: AskScopeView;
  turns: AskTurnView[];
  /** A question to put in the box ("Ask the Workspace" with a selection). */
  prefill?: { text: string; seq: number };
}

export type AskHostToWebview =
  | { type: 'askSnapshot'; snapshot: AskSnapshot }
  | { type: 'askRuntime'; runtime: RuntimeView; smallModel: string; largeModel: string }
  | { type: 'askScope'; scope: AskScopeView }
  | { type: 'askPrefill'; prefill: { text: string; seq: number } }
  /** A turn started, or changed as a whole (sources, a stage started or finished, the end). */
  | { type: 'askTurn'; turn: AskTurnView }
  | { type: 'askPhase'; id: number; phase: AskPhase; detail?: string }
  /** Coalesced answer text of one stage, to append. */
  | { type: 'askDelta'; id: number; role: AskRoleView; text: string }
  | { type: 'askCleared' }
  | { type: 'askNotice'; level: 'info' | 'error'; message: string };

export type AskCodeAction = 'copy' | 'insert';

export type AskWebviewToHost =
  | { type: 'ready' }
  | { type: 'ask'; question: string }
  | { type: 'stop' }
  /** `folder` makes the host ask which folder (a quick pick). */
  | { type: 'setScope'; kind: AskScopeKind }
  /** A citation or a source row was clicked: the host opens that source of that turn. */
  | { type: 'openSource'; turnId: number; n: number }
  /** Copy or Insert on the `index`-th code block (document order) of a stage's answer. */
  | { type: 'code'; turnId: number; role: AskRoleView; index: number; action: AskCodeAction }
  | { type: 'clear' }
  | { type: 'openLink'; href: string }
  | { type: 'action'; action: PanelAction };

export const MAX_QUESTION_CHARS = 20_000;

/** Validates a message from the Ask webview; undefined for anything unknown or malformed (the host drops it). */
export function parseAskMessage(raw: unknown): AskWebviewToHost | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const count = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
  switch (raw.type) {
    case 'ready':
    case 'stop':
    case 'clear':
      return { type: raw.type };
    case 'ask':
      return isText(raw.question, MAX_QUESTION_CHARS) && raw.question.trim() ? { type: 'ask', question: raw.question } : undefined;
    case 'setScope':
      return ASK_SCOPE_KINDS.includes(raw.kind as AskScopeKind) ? { type: 'setScope', kind: raw.kind as AskScopeKind } : undefined;
    case 'openSource':
      return count(raw.turnId, 1) && count(raw.n, 1) && raw.n <= 1000 ? { type: 'openSource', turnId: raw.turnId, n: raw.n } : undefined;
    case 'code':
      if (!count(raw.turnId, 1) || !count(raw.index, 0) || raw.index > 10_000) return undefined;
      if (raw.role !== 'small' && raw.role !== 'large') return undefined;
      if (raw.action !== 'copy' && raw.action !== 'insert') return undefined;
      return { type: 'code', turnId: raw.turnId, role: raw.role, index: raw.index, action: raw.action };
    case 'openLink':
      return isText(raw.href, MAX_HREF_CHARS) && raw.href ? { type: 'openLink', href: raw.href } : undefined;
    case 'action':
      return PANEL_ACTIONS.includes(raw.action as PanelAction) ? { type: 'action', action: raw.action as PanelAction } : undefined;
    default:
      return undefined;
  }
}
// --- end Ask ---
