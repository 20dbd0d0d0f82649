/**
 * One question of the Ask view, end to end: the index retrieves within the chosen scope, core's askWorkspace
 * numbers the sources, streams the small model's answer and escalates when the fallback rule says so — with the
 * connection, models and limits from the settings, background indexing held while the answer streams, and Stop (or a
 * new question, or closing the window) aborting the request on the server. The turns are kept per workspace.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { askWorkspace, AskOptions, AskResult, AskSourceRef, cachedLineReader } from '../../core/rag/ask';
import { EmbeddingReranker } from '../../core/rag/embeddings';
import { LabError } from '../../core/runtime/errors';
import type { AskHostToWebview, AskRoleView, AskTurnView } from '../../protocol';
import { DeltaCoalescer } from '../panel/deltaCoalescer';
import { chatApiKey } from '../privacy/apiKeyCommands';
import { ensureRemoteConsent, ensureUrlConsent } from '../privacy/remoteConsent';
import type { RuntimeService } from '../runtimeService';
import { SETTINGS_SECTION } from '../settingsSchema';
import type { Settings } from '../settings';
import type { IndexService } from './indexService';
import { AskHistory } from './askHistory';
import { AskSettings, validateAskSettings } from './askSettings';
import { AskTurnRecord, errorView, fallbackSummary, finishedTurn, historyForPrompt, sourceViews } from './askTurn';

/** Streamed text is posted to the webview at most this often. */
const DELTA_FLUSH_MS = 40;

export interface AskControllerDeps {
  runtime: RuntimeService;
  settings: Settings;
  log: Logger;
  /** The workspace index (undefined when it is not running). */
  index: () => IndexService | undefined;
  history: AskHistory;
}

/** Where a question looks: its label for the turn, and the paths passed to the index (undefined: everywhere). */
export interface AskScope {
  label: string;
  paths?: string[];
}

export class AskController implements vscode.Disposable {
  private records: AskTurnRecord[];
  private nextId: number;
  private reranker?: { key: string; value: EmbeddingReranker };
  private inflight: { id: number; controller: AbortController; done: Promise<void> } | undefined;
  private readonly warned = new Set<string>();
  private disposed = false;

  constructor(
    private readonly deps: AskControllerDeps,
    private readonly post: (msg: AskHostToWebview) => void,
  ) {
    this.records = deps.history.load();
    this.nextId = Math.max(0, ...this.records.map((r) => r.view.id)) + 1;
  }

  get turns(): AskTurnView[] {
    return this.records.map((r) => r.view);
  }

  record(id: number): AskTurnRecord | undefined {
    return this.records.find((r) => r.view.id === id);
  }

  get running(): boolean {
    return !!this.inflight;
  }

  /** Asks `question` (one at a time: a new question stops the one in flight). Never rejects. */
  async ask(question: string, scope: AskScope): Promise<void> {
    // --- Privacy --- nothing is sent to a remote endpoint the user did not allow
    if (!(await ensureRemoteConsent(this.deps.runtime))) {
      this.deps.log.info('Ask: question not sent: the remote endpoint was not allowed');
      this.post({ type: 'askNotice', level: 'error', message: 'Not sent: the endpoint is not on this machine and sending to it was not allowed.' });
      return;
    }
    // --- end Privacy ---
    if (this.inflight) {
      this.inflight.controller.abort();
      await this.inflight.done;
    }
    if (this.disposed) return;
    const { runtime, log } = this.deps;
    const s = this.deps.settings.read();
    const ask = this.askSettings();
    const id = this.nextId++;
    const turn: AskTurnView = { id, question, scope: scope.label, askedAt: Date.now(), phase: 'retrieving', sources: [], stages: [], emulated: this.runtimeEmulated() };
    const record: AskTurnRecord = { view: turn, files: [] };
    const history = historyForPrompt(this.turns);
    this.records.push(record);
    this.post({ type: 'askTurn', turn });
    log.info(`Ask #${id}: ${question.length} characters, scope ${scope.label}, small ${s.smallModel}, large ${s.largeModel}, fallback ${ask.policy.mode}`);

    const controller = new AbortController();
    let finish!: () => void;
    this.inflight = { id, controller, done: new Promise<void>((r) => (finish = r)) };
    let role: AskRoleView = 'small';
    const coalescer = new DeltaCoalescer(DELTA_FLUSH_MS, (answer) => {
      const stage = record.view.stages.find((st) => st.role === role);
      if (stage) stage.text += answer;
      this.post({ type: 'askDelta', id, role, text: answer });
    });
    const index = this.deps.index();
    const hold = index?.holdForGeneration();
    let result: AskResult | undefined;
    const readLines = cachedLineReader();
    try {
      result = await askWorkspace(
        runtime.connection,
        {
          question,
          retrieve: await this.withEmbeddings(ask, readLines, (query, opts) => this.retrieve(index, query, { ...opts, scope: scope.paths })),
          readLines,
          smallModel: s.smallModel,
          largeModel: s.largeModel,
          policy: ask.policy,
          topK: ask.topK,
          maxContextChars: ask.maxContextChars,
          maxTokens: ask.maxTokens,
          temperature: ask.temperature,
          history,
          signal: controller.signal,
          idleTimeoutMs: s.idleTimeoutSeconds * 1000,
          autoLoad: s.autoLoadModels,
          apiKey: chatApiKey(runtime), // --- Privacy ---
        },
        {
          onSources: (sources, retrievalMs) => {
            record.files = sources.map((x) => x.absPath);
            record.view = { ...record.view, sources: sourceViews(sources), retrievalMs };
            this.post({ type: 'askTurn', turn: record.view });
          },
          onStageStart: (r, model) => {
            coalescer.flush();
            role = r;
            record.view.stages = [...record.view.stages.filter((st) => st.role !== r), { role: r, model, state: 'running', text: '', citations: [] }];
            record.view.phase = 'resolving';
            record.view.phaseDetail = model;
            this.post({ type: 'askTurn', turn: record.view });
          },
          onPhase: (_r, phase, detail) => {
            coalescer.flush();
            record.view.phase = phase;
            record.view.phaseDetail = detail;
            this.post({ type: 'askPhase', id, phase, detail });
          },
          onDelta: (_r, d) => coalescer.push(d.answer, ''),
          onFallback: (reasons) => {
            coalescer.flush();
            record.view.fallback = { summary: fallbackSummary(reasons, s.largeModel), reasons: reasons.map((x) => ({ rule: x.rule, detail: x.detail })) };
            record.view.answerRole = 'large';
          },
        },
      );
    } catch (e) {
      // askWorkspace never rejects; this is a bug, which must not leave the turn spinning.
      log.error(`Ask #${id} failed unexpectedly: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      record.view = { ...record.view, phase: 'failed', error: errorView(e) };
    } finally {
      coalescer.dispose();
      hold?.dispose();
      if (this.inflight?.id === id) this.inflight = undefined;
    }
    if (result) {
      record.files = result.sources.map((x) => x.absPath);
      record.view = finishedTurn(record.view, result, s.largeModel, this.runtimeEmulated());
      this.logResult(id, result);
      const error = result.error ?? result.stages.find((st) => st.result.error && st.result.error.code !== 'aborted')?.result.error;
      if (error && error.code !== 'aborted') runtime.noteFailure(error);
      else void runtime.refreshLoaded();
    }
    if (!this.disposed) {
      this.post({ type: 'askTurn', turn: record.view });
      await this.persist();
    }
    finish();
  }

  stop(): void {
    this.inflight?.controller.abort();
  }

  async clear(): Promise<void> {
    this.stop();
    this.records = [];
    await this.deps.history.clear();
    this.post({ type: 'askCleared' });
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  /**
   * With `foundryLab.ask.embeddings.model` set, the lexical candidates are re-ranked through `/v1/embeddings`. The
   * reranker is kept while its endpoint and model stay the same, so chunk vectors are embedded once.
   */
  private async withEmbeddings(ask: AskSettings, readLines: (ref: AskSourceRef) => Promise<string>, retrieve: AskOptions['retrieve']): Promise<AskOptions['retrieve']> {
    const { model, endpoint: configured } = ask.embeddings;
    if (!model) return retrieve;
    let endpoint = configured;
    if (!endpoint) {
      const client = await this.deps.runtime.connection.client().catch(() => undefined);
      if (!client) return retrieve; // the answer's own request will say what is wrong with the runtime
      endpoint = client.endpoint.serviceUrl;
    }
    if (!(await ensureUrlConsent(endpoint))) {
      this.deps.log.info(`Ask: embeddings re-ranking skipped: ${endpoint} is not on this machine and was not allowed`);
      return retrieve;
    }
    const apiKey = this.deps.runtime.connection.apiKeyFor(endpoint); // --- Privacy ---
    const key = `${endpoint}\n${model}\n${apiKey ? 'keyed' : ''}`;
    if (this.reranker?.key !== key) this.reranker = { key, value: new EmbeddingReranker({ endpoint, model, apiKey }) };
    return this.reranker.value.wrap(retrieve, readLines, (e) => {
      this.deps.log.warn(`Ask: embeddings re-ranking failed, lexical ranking used: ${e.message}`);
      this.post({ type: 'askNotice', level: 'info', message: `Embeddings re-ranking failed (${e.message}); the lexical ranking was used.` });
    });
  }

  private async retrieve(index: IndexService | undefined, query: string, opts: { topK: number; signal?: AbortSignal; scope?: string[] }): Promise<AskSourceRef[]> {
    if (!index) throw new LabError('index-failed', 'The workspace index is not running.');
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const rows = await index.retrieve(query, { topK: opts.topK, scope: opts.scope, signal: opts.signal });
    // In a multi-root workspace the folder's name leads the path, so the model and the user can tell files apart.
    return rows.map((r) => ({ path: multiRoot ? `${r.folder}/${r.path}` : r.path, absPath: r.absPath, startLine: r.startLine, endLine: r.endLine, score: r.score, folder: r.folder }));
  }

  private async persist(): Promise<void> {
    try {
      const kept = await this.deps.history.save(this.records);
      // Drop what did not fit, unless a newer turn started meanwhile (it is saved when it ends).
      const keptIds = new Set(kept.map((r) => r.view.id));
      this.records = this.records.filter((r) => keptIds.has(r.view.id) || r.view.id > Math.max(0, ...keptIds));
    } catch (e) {
      this.deps.log.warn(`Ask: the history could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private askSettings(): AskSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const { settings, warnings } = validateAskSettings((key) => config.get(key));
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.deps.log.warn(w);
    }
    return settings;
  }

  private runtimeEmulated(): boolean {
    const d = this.deps.runtime.snapshot.discovery;
    return d?.state === 'found' && d.emulated;
  }

  private logResult(id: number, r: AskResult): void {
    const stages = r.stages.map((st) => `${st.role} ${st.variant ?? st.model}: ${st.ttftMs !== undefined ? `TTFT ${st.ttftMs.toFixed(0)} ms, ` : ''}${st.citations.length} citation(s)${st.result.error ? ` [${st.result.error.code}]` : ''}`);
    const outcome = r.cancelled ? 'stopped' : r.error ? `failed [${r.error.code}] ${r.error.message}` : r.escalated ? `escalated (${r.fallbackReasons.map((x) => x.rule).join(', ')})` : 'answered';
    this.deps.log.info(`Ask #${id}: ${outcome}; ${r.sources.length} source(s), retrieval ${r.retrievalMs.toFixed(0)} ms; ${stages.join('; ')}`);
  }
}
