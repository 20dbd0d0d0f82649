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
  | 'foundryLab.refreshStatus';

export const PANEL_ACTIONS: readonly PanelAction[] = [
  'foundryLab.startService',
  'foundryLab.setEndpoint',
  'foundryLab.showLogs',
  'foundryLab.chooseModels',
  'foundryLab.refreshStatus',
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
