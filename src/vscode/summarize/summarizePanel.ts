import * as vscode from 'vscode';
import { createLabWebviewPanel, followPanelEvents } from '../panel/labWebviewPanel';
import type { Logger } from '../../core/log';
import type { EscalationDecision } from '../../core/summarize/escalationPolicy';
import { summarize, summarizeBaseline, SummarizeConfig, SummaryResult, withBaseline, StageKind } from '../../core/summarize/pipeline';
import { addToStats, EMPTY_STATS, parseStats, restateInStats, SummaryStats } from '../../core/summarize/stats';
import { parseSummarizeMessage, SummarizeHostToWebview, SummarizeSnapshot, SummarizeWebviewToHost, SummaryPane, SummaryPhase, SummaryView } from '../../protocol';
import { abortSignalOf } from '../cancellation';
import { DeltaCoalescer } from '../panel/deltaCoalescer';
import { openableLink } from '../panel/links';
import { pageAssets } from '../panel/pageAssets';
import type { RuntimeService } from '../runtimeService';
import { runtimeView } from '../runtimeText';
import type { Settings } from '../settings';
import { readSummarizeSettings } from './readSummarizeSettings';
import { buildSummarizeHtml } from './summarizeHtml';
import { summarizeConfig } from './summarizeSettings';
import { applySummary, SummarySource } from './summarySource';
import { finishedSummary, formatMs, sourceView, startedSummary, statsView, withBaselineView } from './summaryView';
import { ensureRemoteConsent } from '../privacy/remoteConsent';
import { whileGenerating } from '../ask/generationHold';

/** Streamed text is posted to the webview at most this often. */
const DELTA_FLUSH_MS = 40;
/** Where the figures across summaries live (per workspace). */
export const STATS_KEY = 'foundryLab.summarize.stats';

export interface SummarizeDeps {
  extensionUri: vscode.Uri;
  runtime: RuntimeService;
  settings: Settings;
  log: Logger;
  workspaceState: vscode.Memento;
}

/** The summary on screen: its input (kept in the host, never posted whole), its configuration and core's result. */
interface Current {
  id: number;
  source: SummarySource;
  config: SummarizeConfig;
  view: SummaryView;
  result?: SummaryResult;
}

/**
 * The Summarize view: runs core's draft → refine cascade on an editor's text and shows both texts, the diff, why it
 * escalated, each stage's timeline, the blended cost, the on-demand always-LLM baseline and the workspace's figures.
 * The host owns the state; the webview is rebuilt from a snapshot whenever it (re)loads.
 */
export class SummarizePanel implements vscode.Disposable {
  static readonly viewType = 'foundryLab.summarize';
  private static current: SummarizePanel | undefined;

  static show(deps: SummarizeDeps): SummarizePanel {
    if (SummarizePanel.current) {
      SummarizePanel.current.panel.reveal(undefined, true);
      return SummarizePanel.current;
    }
    const panel = createLabWebviewPanel(SummarizePanel.viewType, 'Foundry Local Lab: Summarize', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, deps.extensionUri);
    SummarizePanel.current = new SummarizePanel(panel, deps);
    return SummarizePanel.current;
  }

  static disposeCurrent(): void {
    SummarizePanel.current?.panel.dispose();
  }

  private ready = false;
  private summary: Current | undefined;
  private nextId = 1;
  private inflight: AbortController | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: SummarizeDeps,
  ) {
    const { webview } = panel;
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      ...followPanelEvents(panel, deps, {
        dispose: () => this.dispose(),
        hidden: () => (this.ready = false),
        runtimeChanged: () => this.postRuntime(),
        settingKeys: ['smallModel', 'largeModel'],
      }),
    );
    webview.html = buildSummarizeHtml(pageAssets(webview, deps.extensionUri, 'summarize'));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    SummarizePanel.current = undefined;
    this.inflight?.abort();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }

  /** Summarizes `source` (one summary at a time: a new one stops the one in flight), with progress and Cancel. */
  async summarize(source: SummarySource): Promise<void> {
    // --- Privacy --- nothing is sent to a remote endpoint the user did not allow
    if (!(await ensureRemoteConsent(this.deps.runtime))) {
      this.deps.log.info(`Summary of ${source.name} not sent: the remote endpoint was not allowed`);
      return;
    }
    // --- end Privacy ---
    this.inflight?.abort();
    const { log, runtime, settings } = this.deps;
    const s = settings.read();
    const config = summarizeConfig(readSummarizeSettings(log), { draft: s.smallModel, refine: s.largeModel }, { idleTimeoutMs: s.idleTimeoutSeconds * 1000, autoLoad: s.autoLoadModels });
    const id = this.nextId++;
    const view = startedSummary(id, sourceView(source.name, source.scope, source.text), config.draftModel, config.refineModel, this.runtimeEmulated());
    const current: Current = { id, source, config, view };
    this.summary = current;
    this.post({ type: 'summaryStarted', summary: view });
    log.info(`Summary #${id}: ${source.name} (${source.scope}, ${source.text.length} characters), draft ${config.draftModel}, refine ${config.refineModel}${config.policy.force ? `, refinement forced ${config.policy.force}` : ''}`);

    const result = await this.withProgress(`Summarizing ${source.name} with ${config.draftModel}`, current, (signal, stream) =>
      summarize(runtime.connection, source.text, config, {
        signal,
        onStage: stream.onStage,
        onDelta: stream.onDelta,
        onDecision: (d) => this.showDecision(current, d),
      }),
    );
    if (this.disposed || this.summary !== current) return;
    current.result = result;
    current.view = finishedSummary(current.view, result, config.prices);
    const stats = await this.updateStats((st) => addToStats(st, result));
    this.post({ type: 'summaryUpdated', summary: current.view, stats: statsView(stats, config.refineModel) });
    this.logResult(result);
    this.noteOutcome(result.error ?? result.refineError);
  }

  private receive(raw: unknown): void {
    const msg = parseSummarizeMessage(raw);
    if (!msg) {
      this.deps.log.warn(`Summarize view: dropped a malformed message: ${preview(raw)}`);
      return;
    }
    void this.handle(msg).catch((e) => this.notice('error', e instanceof Error ? e.message : String(e)));
  }

  private async handle(msg: SummarizeWebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'summarySnapshot', snapshot: this.snapshot() });
        return;
      case 'stop':
        this.inflight?.abort();
        return;
      case 'baseline':
        return this.runBaseline(msg.id);
      case 'apply': {
        const current = this.summary;
        if (!current || current.id !== msg.id || !current.view.final) return this.notice('error', 'That summary is no longer the current one.');
        const done = await applySummary(msg.target, current.view.final, current.source);
        if (msg.target === 'replace') current.source = { ...current.source, text: current.view.final.trim() }; // what is there now
        return this.notice('info', done);
      }
      case 'resetStats':
        await this.deps.workspaceState.update(STATS_KEY, undefined);
        this.post({ type: 'summaryStats', stats: statsView(EMPTY_STATS, this.refineModel()) });
        return;
      case 'openLink': {
        const url = openableLink(msg.href);
        if (url) await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
        else this.deps.log.warn(`Summarize view: refused to open a link that is not http(s): ${msg.href.slice(0, 200)}`);
        return;
      }
      case 'action':
        await vscode.commands.executeCommand(msg.action);
        return;
    }
  }

  /** "Compare with the large model alone": the always-LLM baseline on the same input, then the measured saving. */
  private async runBaseline(id: number): Promise<void> {
    const current = this.summary;
    if (!current || current.id !== id || !current.result || this.inflight) return;
    if (!(await ensureRemoteConsent(this.deps.runtime))) return; // --- Privacy ---
    const before = current.result;
    const phase = current.view.phase;
    current.view = { ...current.view, phase: 'baseline', baseline: { state: 'running', text: '' } };
    this.post({ type: 'summaryUpdated', summary: current.view, stats: statsView(this.stats(), current.config.refineModel) });
    const outcome = await this.withProgress(`Summarizing ${current.source.name} with ${current.config.refineModel} alone`, current, (signal, stream) =>
      summarizeBaseline(this.deps.runtime.connection, current.source.text, current.config, { signal, onStage: stream.onStage, onDelta: stream.onDelta }),
    );
    if (this.disposed || this.summary !== current) return;
    const after = withBaseline(before, outcome);
    current.result = after;
    current.view = withBaselineView({ ...current.view, phase }, after, current.config.prices);
    const stats = await this.updateStats((st) => restateInStats(st, before, after));
    this.post({ type: 'summaryUpdated', summary: current.view, stats: statsView(stats, current.config.refineModel) });
    const b = after.baseline;
    this.deps.log.info(`Summary #${id} baseline: ${b?.variantId ?? current.config.refineModel}${b?.metrics.e2eMs !== undefined ? `, E2E ${b.metrics.e2eMs.toFixed(0)} ms` : ''}${b?.error ? ` — [${b.error.code}] ${b.error.message}` : ''}${after.baselineError ? ` — [${after.baselineError.code}] ${after.baselineError.message}` : ''}`);
    this.noteOutcome(after.baselineError ?? b?.error);
  }

  /**
   * Runs model work under a cancellable progress notification; Cancel there, Stop in the view, a new summary or
   * closing the view all abort the same request. Streams text to the view, coalesced.
   */
  private async withProgress<T>(title: string, current: Current, work: (signal: AbortSignal, stream: { onStage: (kind: StageKind, detail: string) => void; onDelta: (kind: StageKind, d: { answer: string }) => void }) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inflight = controller;
    let pane: SummaryPane = 'draft';
    const coalescer = new DeltaCoalescer(DELTA_FLUSH_MS, (answer) => {
      if (pane === 'draft') current.view.draft += answer;
      else if (pane === 'refine') current.view.refined += answer;
      else current.view.baseline.text += answer;
      this.post({ type: 'summaryDelta', id: current.id, pane, text: answer, reset: false });
    });
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const cancel = abortSignalOf(token);
        const signal = AbortSignal.any([controller.signal, cancel.signal]);
        let reported = 0;
        try {
          return await whileGenerating(() => work(signal, {
            onStage: (kind, detail) => {
              coalescer.flush();
              pane = kind === 'refine' ? 'refine' : kind === 'baseline' ? 'baseline' : 'draft';
              const { phase, text, share } = describeStage(kind, detail, current);
              if (kind === 'section' || kind === 'combine') {
                current.view.draft = '';
                this.post({ type: 'summaryDelta', id: current.id, pane, text: '', reset: true });
              }
              current.view.phase = phase;
              current.view.phaseDetail = text;
              this.post({ type: 'summaryPhase', id: current.id, phase, detail: text });
              const increment = share !== undefined ? Math.max(0, share - reported) : undefined;
              if (increment !== undefined) reported += increment;
              progress.report({ message: text, increment });
            },
            onDelta: (_kind, d) => coalescer.push(d.answer, ''),
          }));
        } finally {
          cancel.dispose();
        }
      });
    } finally {
      coalescer.dispose();
      if (this.inflight === controller) this.inflight = undefined;
    }
  }

  private showDecision(current: Current, d: EscalationDecision): void {
    current.view.decision = { escalate: d.escalate, forced: d.forced, hits: d.hits.map((h) => ({ rule: h.rule, detail: h.detail })) };
    this.post({ type: 'summaryUpdated', summary: current.view, stats: statsView(this.stats(), current.config.refineModel) });
  }

  private stats(): SummaryStats {
    return parseStats(this.deps.workspaceState.get(STATS_KEY));
  }

  private async updateStats(change: (s: SummaryStats) => SummaryStats): Promise<SummaryStats> {
    const next = change(this.stats());
    await this.deps.workspaceState.update(STATS_KEY, next);
    return next;
  }

  private logResult(r: SummaryResult): void {
    const stages = r.stages.map((s) => `${s.stage}${s.index !== undefined ? ` ${s.index + 1}` : ''} ${s.variantId ?? s.model}: ${s.metrics.ttftMs !== undefined ? `TTFT ${s.metrics.ttftMs.toFixed(0)} ms, ` : ''}E2E ${s.metrics.e2eMs?.toFixed(0) ?? 'n/a'} ms${s.error ? ` [${s.error.code}]` : ''}`);
    const outcome = r.cancelled ? 'stopped' : r.error ? `failed [${r.error.code}] ${r.error.message}` : r.refined ? `refined (${r.decision?.hits.map((h) => h.rule).join(', ')})` : 'draft kept';
    this.deps.log.info(`Summary: ${outcome}; ${r.sections} section(s); total ${formatMs(r.totalMs)}; ${stages.join('; ')}${r.refineError ? `; refine failed [${r.refineError.code}] ${r.refineError.message}` : ''}`);
  }

  private noteOutcome(error: { code: string } | undefined): void {
    if (error) this.deps.runtime.noteFailure(error);
    else void this.deps.runtime.refreshLoaded();
  }

  private runtimeEmulated(): boolean {
    const d = this.deps.runtime.snapshot.discovery;
    return d?.state === 'found' && d.emulated;
  }

  private refineModel(): string {
    return this.summary?.config.refineModel ?? this.deps.settings.read().largeModel;
  }

  private snapshot(): SummarizeSnapshot {
    const { smallModel, largeModel } = this.deps.settings.read();
    return {
      runtime: runtimeView(this.deps.runtime.snapshot),
      draftModel: smallModel,
      refineModel: largeModel,
      summary: this.summary?.view,
      stats: statsView(this.stats(), this.refineModel()),
    };
  }

  private postRuntime(): void {
    const { runtime, draftModel, refineModel } = this.snapshot();
    this.post({ type: 'summaryRuntime', runtime, draftModel, refineModel });
  }

  private notice(level: 'info' | 'error', message: string): void {
    if (level === 'error') this.deps.log.warn(`Summarize view: ${message}`);
    this.post({ type: 'summaryNotice', level, message });
  }

  private post(msg: SummarizeHostToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(msg);
  }
}

/** A stage as the phase line and the progress notification say it; `share` is the progress percentage reached. */
function describeStage(kind: StageKind, detail: string, current: Current): { phase: SummaryPhase; text: string; share?: number } {
  const { config } = current;
  switch (kind) {
    case 'draft':
      return { phase: 'drafting', text: `drafting with ${detail}`, share: 0 };
    case 'section': {
      const m = /(\d+)\/(\d+)/.exec(detail);
      const [i, n] = m ? [Number(m[1]), Number(m[2])] : [1, 1];
      current.view.sections = n;
      return { phase: 'drafting', text: `section ${i} of ${n} with ${config.draftModel}`, share: Math.round(((i - 1) / (n + 1)) * 80) };
    }
    case 'combine':
      return { phase: 'drafting', text: `combining ${current.view.sections} section summaries with ${config.draftModel}`, share: 80 };
    case 'refine':
      return { phase: 'refining', text: `refining with ${detail}`, share: 85 };
    case 'baseline':
      return { phase: 'baseline', text: `${detail} alone, on the same input` };
  }
}

function preview(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 200);
  } catch {
    return typeof raw;
  }
}
