/**
 * The Ask view's history, per workspace (the extension's workspaceState): the last turns, bounded in count and size,
 * restored when the view opens again or the window reloads. A stored value that is not a history is ignored, not
 * trusted. Only the Memento type comes from VS Code (unit-tested with a fake).
 */
import type { Memento } from 'vscode';
import type { AskTurnView } from '../../protocol';
import type { AskTurnRecord } from './askTurn';

export const ASK_HISTORY_KEY = 'foundryLab.ask.history';
export const HISTORY_LIMITS = { maxTurns: 50, maxBytes: 1_000_000 } as const;
const RUNNING = new Set(['retrieving', 'resolving', 'loading', 'waiting', 'streaming']);

/** The newest turns that fit: at most maxTurns, at most maxBytes of JSON (the newest one's texts cut when it alone is over). */
export function boundHistory(records: readonly AskTurnRecord[], limits: { maxTurns: number; maxBytes: number } = HISTORY_LIMITS): AskTurnRecord[] {
  let kept = records.slice(-limits.maxTurns);
  const size = (r: AskTurnRecord) => JSON.stringify(r).length;
  let total = kept.reduce((n, r) => n + size(r) + 1, 2);
  while (kept.length > 1 && total > limits.maxBytes) {
    total -= size(kept[0]) + 1;
    kept = kept.slice(1);
  }
  if (kept.length === 1 && total > limits.maxBytes) kept = [shrink(kept[0], limits.maxBytes)];
  return kept;
}

/** One turn cut to fit: its answers' texts shortened (and said so), its question too when needed. */
function shrink(record: AskTurnRecord, maxBytes: number): AskTurnRecord {
  const budget = Math.max(1000, Math.floor(maxBytes / 3));
  const cut = (text: string) => (text.length > budget ? `${text.slice(0, budget)}\n\n… (shortened to fit the history)` : text);
  const view: AskTurnView = { ...record.view, question: cut(record.view.question), stages: record.view.stages.map((s) => ({ ...s, text: cut(s.text) })) };
  return { view, files: record.files };
}

/** The records of a stored value; anything malformed is dropped. A turn that was running when stored ends as stopped. */
export function parseStoredHistory(raw: unknown): AskTurnRecord[] {
  if (!Array.isArray(raw)) return [];
  const out: AskTurnRecord[] = [];
  for (const r of raw) {
    if (!isRecord(r) || !isRecord(r.view) || !Array.isArray(r.files) || !r.files.every((f) => typeof f === 'string')) continue;
    const v = r.view;
    if (typeof v.id !== 'number' || typeof v.question !== 'string' || !Array.isArray(v.sources) || !Array.isArray(v.stages) || typeof v.phase !== 'string') continue;
    const view = v as unknown as AskTurnView;
    out.push({ view: RUNNING.has(view.phase) ? { ...view, phase: 'stopped', phaseDetail: undefined } : view, files: r.files as string[] });
  }
  return out;
}

export class AskHistory {
  constructor(
    private readonly state: Memento,
    private readonly limits = HISTORY_LIMITS,
  ) {}

  load(): AskTurnRecord[] {
    return parseStoredHistory(this.state.get(ASK_HISTORY_KEY));
  }

  /** Stores the bounded history and returns what was kept. */
  async save(records: readonly AskTurnRecord[]): Promise<AskTurnRecord[]> {
    const kept = boundHistory(records, this.limits);
    await this.state.update(ASK_HISTORY_KEY, kept);
    return kept;
  }

  async clear(): Promise<void> {
    await this.state.update(ASK_HISTORY_KEY, undefined);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
