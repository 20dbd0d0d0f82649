import * as path from 'node:path';
import * as vscode from 'vscode';
import { createLabWebviewPanel, followPanelEvents } from '../panel/labWebviewPanel';
import { fromJson, toCsv, toJson, toMarkdown } from '../../core/compare/exporters';
import { parsePromptJsonl, PromptSet } from '../../core/compare/promptSets';
import { runComparison } from '../../core/compare/runner';
import type { ComparisonRun } from '../../core/compare/types';
import type { Logger } from '../../core/log';
import { LabError, LabErrorCode } from '../../core/runtime/errors';
import {
  CompareExportFormat,
  CompareForm,
  CompareHostToWebview,
  CompareProgressView,
  CompareResultView,
  CompareSnapshot,
  CompareWebviewToHost,
  DiffView,
  LiveRow,
  parseCompareMessage,
  PromptFileView,
  SavedRunView,
} from '../../protocol';
import { adviceFor } from '../errorActions';
import { pageAssets } from '../panel/pageAssets';
import { DeltaCoalescer } from '../panel/deltaCoalescer';
import { openableLink } from '../panel/links';
import type { RuntimeService } from '../runtimeService';
import { runtimeView } from '../runtimeText';
import type { Settings } from '../settings';
import { buildCompareHtml } from './compareHtml';
import { buildCompareConfig, compareModelOptions, promptSetOptions } from './compareRequest';
import { CompareSettings, readCompareSettings } from './compareSettings';
import { buildResultView, diffView, liveRow } from './compareView';
import { SavedRunStore } from './savedRuns';
import { ensureRemoteConsent } from '../privacy/remoteConsent';
import { whileGenerating } from '../ask/generationHold';

/** Streamed text is posted to the webview at most this often. */
const DELTA_FLUSH_MS = 80;
/** Live rows kept for a snapshot (the finished result holds every request anyway). */
const MAX_LIVE_ROWS = 500;

export interface CompareDeps {
  extensionUri: vscode.Uri;
  runtime: RuntimeService;
  settings: Settings;
  log: Logger;
  /** Where runs are saved (the extension's global storage). */
  storageDir: string;
  version: string;
}

interface Running {
  runId: number;
  controller: AbortController;
  progress: CompareProgressView;
  rows: LiveRow[];
}

interface Shown {
  run: ComparisonRun;
  origin: CompareResultView['origin'];
}

/**
 * The Compare view: 2+ models × a prompt set, measured one request at a time by core's runComparison, with the
 * results, charts, quality, cost simulation and verdicts of core's analysis. The host owns the state (the webview is
 * rebuilt from a snapshot when it reloads) and makes every model call; runs are saved to the extension's storage.
 */
export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'foundryLab.compare';
  private static current: ComparePanel | undefined;

  static show(deps: CompareDeps): ComparePanel {
    if (ComparePanel.current) {
      ComparePanel.current.panel.reveal();
      return ComparePanel.current;
    }
    const panel = createLabWebviewPanel(ComparePanel.viewType, 'Foundry Local Lab: Compare', vscode.ViewColumn.Active, deps.extensionUri);
    ComparePanel.current = new ComparePanel(panel, deps);
    return ComparePanel.current;
  }

  /** The panel VS Code restored after a reload: the form comes back from the page's state, the runs from storage. */
  static revive(panel: vscode.WebviewPanel, deps: CompareDeps): void {
    ComparePanel.current?.panel.dispose();
    ComparePanel.current = new ComparePanel(panel, deps);
  }

  /** "Compare models on selection": the selection becomes the single prompt. */
  static showWithSelection(deps: CompareDeps): void {
    const editor = vscode.window.activeTextEditor;
    const text = editor ? editor.document.getText(editor.selection) : '';
    if (!text.trim()) {
      void vscode.window.showInformationMessage('Select some text in an editor first: it becomes the prompt every model answers.');
      return;
    }
    const origin = editor ? `selection in ${path.basename(editor.document.fileName)}` : 'selection';
    ComparePanel.show(deps).setPrefill(text, origin);
  }

  static disposeCurrent(): void {
    ComparePanel.current?.panel.dispose();
  }

  private ready = false;
  private disposed = false;
  private nextRunId = 1;
  private running: Running | undefined;
  private shown: Shown | undefined;
  private promptFile: { set: PromptSet; view: PromptFileView } | undefined;
  private prefill: CompareSnapshot['prefill'];
  private saved: SavedRunView[] = [];
  private diff: DiffView | undefined;
  private readonly store: SavedRunStore;
  private readonly warned = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: CompareDeps,
  ) {
    const { webview } = panel;
    this.store = new SavedRunStore(path.join(deps.storageDir, 'compare-runs'), deps.log);
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      ...followPanelEvents(panel, deps, {
        dispose: () => this.dispose(),
        hidden: () => (this.ready = false),
        runtimeChanged: () => this.postRuntime(),
        settingKeys: ['smallModel', 'largeModel', 'maxTokens', 'temperature'],
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Prices or energy changed: the shown result's cost simulation is recomputed.
        if (e.affectsConfiguration('foundryLab.compare') && this.shown) this.post({ type: 'result', result: this.resultView() });
      }),
    );
    webview.html = buildCompareHtml(pageAssets(webview, deps.extensionUri, 'compare'));
    void this.refreshSaved();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ComparePanel.current = undefined;
    this.running?.controller.abort();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }

  setPrefill(text: string, origin: string): void {
    this.prefill = { text, origin, seq: (this.prefill?.seq ?? 0) + 1 };
    this.post({ type: 'prefill', prefill: this.prefill });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Messages

  private receive(raw: unknown): void {
    const msg = parseCompareMessage(raw);
    if (!msg) {
      this.deps.log.warn(`Compare: dropped a malformed message: ${preview(raw)}`);
      return;
    }
    void this.handle(msg).catch((e) => this.fail(e, msg.type));
  }

  private async handle(msg: CompareWebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'snapshot', snapshot: this.snapshot() });
        return;
      case 'refresh':
        void this.deps.runtime.refresh('compare view');
        return;
      case 'run':
        return this.startRun(msg.form);
      case 'cancel':
        this.running?.controller.abort();
        return;
      case 'pickPromptFile':
        return this.pickPromptFile();
      case 'export':
        return this.export(msg.format, msg.target);
      case 'import':
        return this.importRun();
      case 'openSaved':
        this.shown = { run: await this.store.load(msg.key), origin: 'saved' };
        this.post({ type: 'result', result: this.resultView() });
        return;
      case 'deleteSaved':
        return this.deleteSaved(msg.key);
      case 'diffSaved':
        return this.diffSaved(msg.before, msg.after);
      case 'closeDiff':
        this.diff = undefined;
        this.post({ type: 'diff' });
        return;
      case 'openLink': {
        const url = openableLink(msg.href);
        if (url) await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
        else this.deps.log.warn(`Compare: refused to open a link that is not http(s): ${msg.href.slice(0, 200)}`);
        return;
      }
      case 'action':
        await vscode.commands.executeCommand(msg.action);
        return;
    }
  }

  /** A failure of a user's action: logged in full, shown in the view in one line. */
  private fail(e: unknown, what: string): void {
    const message = e instanceof Error ? e.message : String(e);
    this.deps.log.error(`Compare: ${what} failed: ${e instanceof Error ? (e.stack ?? message) : message}`);
    this.notice('error', message);
  }

  private notice(level: 'info' | 'error', message: string): void {
    this.post({ type: 'notice', level, message });
  }

  private noticeNothingMeasured(run: ComparisonRun): void {
    if (run.cancelled) return this.notice('info', 'Cancelled before any request finished: nothing to show.');
    const failed = run.models.filter((m) => m.error);
    const failure = run.error ?? failed[0]?.error;
    if (!failure) return this.notice('error', 'No request was made.');
    const advice = adviceFor(new LabError(failure.code as LabErrorCode, failure.message));
    const message = run.error ? advice.message : failed.map((m) => `${m.requested}: ${m.error!.message}`).join(' ');
    this.post({ type: 'notice', level: 'error', message: `Nothing was measured. ${message}`, actions: advice.actions.map((a) => ({ title: a.title, action: a.command })) });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Running a comparison

  private async startRun(form: CompareForm): Promise<void> {
    if (this.running) return this.notice('error', 'A comparison is running: cancel it first.');
    const { log, runtime, settings } = this.deps;
    const s = settings.read();
    const built = buildCompareConfig(form, {
      promptFile: this.promptFile?.set,
      idleTimeoutMs: s.idleTimeoutSeconds * 1000,
      textSetName: this.prefill && form.prompts.kind === 'text' && form.prompts.text === this.prefill.text ? `Editor ${this.prefill.origin}` : undefined,
    });
    if ('error' in built) return this.notice('error', built.error);
    const { config } = built;
    // --- Privacy --- nothing is sent to a remote endpoint the user did not allow
    if (!(await ensureRemoteConsent(runtime))) return this.notice('info', 'Not run: the remote endpoint was not allowed to receive the prompts.');
    // --- end Privacy ---
    const runId = this.nextRunId++;
    const controller = new AbortController();
    const running: Running = { runId, controller, progress: { done: 0, total: 0, step: 'starting' }, rows: [] };
    this.running = running;
    this.post({ type: 'runStarted', runId, progress: running.progress });
    log.info(
      `Compare run #${runId}: ${config.models.join(', ')} · ${config.promptSetName} (${config.prompts.length} prompts) · ${config.runs} run(s) · ` +
        `temperature ${config.temperature} · max tokens ${config.maxTokens}${config.cold ? ' · cold start' : ''}${config.judge ? ` · judge ${config.judge}` : ''}`,
    );

    let label = '';
    let reset = true;
    const coalescer = new DeltaCoalescer(DELTA_FLUSH_MS, (answer, reasoning) => {
      this.post({ type: 'streaming', runId, label, answer, reasoning, reset });
      reset = false;
    });
    try {
      const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Comparing models' }, (progress) =>
        whileGenerating(() => runComparison(runtime.connection, config, {
          signal: controller.signal,
          version: this.deps.version,
          onProgress: (p) => {
            coalescer.flush();
            if (p.step !== running.progress.step) {
              label = p.step;
              reset = true;
            }
            running.progress = { ...p };
            progress.report({ message: `${p.done}/${p.total} ${p.step}` });
            this.post({ type: 'progress', runId, progress: running.progress });
          },
          onRecord: (r) => {
            const row = liveRow(r);
            running.rows.push(row);
            if (running.rows.length > MAX_LIVE_ROWS) running.rows.shift();
            if (r.error) log.warn(`Compare run #${runId}: ${r.model} · ${r.promptId} (${r.kind}): [${r.error.code}] ${r.error.message}`);
            this.post({ type: 'record', runId, row });
          },
          onDelta: (_model, _prompt, d) => coalescer.push(d.answer, d.reasoning),
        })),
      );
      coalescer.dispose();
      const ok = run.requests.filter((r) => !r.error).length;
      log.info(
        `Compare run #${runId} ${run.cancelled ? 'cancelled' : run.error ? `stopped: [${run.error.code}] ${run.error.message}` : 'done'}: ` +
          `${ok}/${run.requests.length} requests OK${run.runtime.emulated ? ' (EMULATOR)' : ''}` +
          run.models.filter((m) => m.error).map((m) => `; ${m.requested}: ${m.error!.message}`).join(''),
      );
      if (this.disposed) return;
      this.running = undefined;
      if (!run.requests.length) {
        // Nothing was measured: no result to show or keep, only why (the last result stays on screen).
        this.post({ type: 'runFinished', runId });
        this.noticeNothingMeasured(run);
      } else {
        this.shown = { run, origin: 'this session' };
        this.post({ type: 'runFinished', runId, result: this.resultView() });
        await this.store.save(run).catch((e) => log.error(`Compare: could not save run ${run.id}: ${(e as Error).message}`));
        await this.refreshSaved();
      }
      if (run.error) runtime.noteFailure(run.error);
      else void runtime.refreshLoaded();
    } catch (e) {
      // runComparison reports failures in its result: this is a bug, logged in full.
      coalescer.dispose();
      log.error(`Compare run #${runId} failed unexpectedly: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.running = undefined;
      this.post({ type: 'runFinished', runId, result: this.shown ? this.resultView() : undefined });
      this.notice('error', `The comparison failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Prompt files, exports, saved runs

  private async pickPromptFile(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/*.{jsonl,ndjson}', '**/node_modules/**', 200);
    let uri: vscode.Uri | undefined;
    if (found.length) {
      const browse = { label: '$(folder-opened) Browse…', uri: undefined as vscode.Uri | undefined };
      const items = [...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u as vscode.Uri | undefined })), browse];
      const picked = await vscode.window.showQuickPick(items, { title: 'Compare: prompt file (one {"prompt": "..."} per line)', placeHolder: 'A JSONL file from the workspace' });
      if (!picked) return;
      uri = picked.uri;
    }
    if (!uri) {
      const chosen = await vscode.window.showOpenDialog({
        title: 'Compare: prompt file',
        canSelectMany: false,
        filters: { 'JSON Lines': ['jsonl', 'ndjson'], 'All files': ['*'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      uri = chosen?.[0];
    }
    if (!uri) return;
    const name = vscode.workspace.asRelativePath(uri);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const { set, issues } = parsePromptJsonl(text, name);
    for (const i of issues) this.deps.log.warn(`Compare: ${name}:${i.line}: skipped — ${i.message}`);
    this.promptFile = { set, view: { path: name, count: set.prompts.length, issues } };
    this.post({ type: 'promptFile', promptFile: this.promptFile.view });
  }

  private async export(format: CompareExportFormat, target: 'dialog' | 'workspace'): Promise<void> {
    if (!this.shown) return this.notice('error', 'Nothing to export yet: run a comparison or open a saved run.');
    const { run } = this.shown;
    const text = format === 'json' ? toJson(run) : format === 'csv' ? toCsv(run) : toMarkdown(run, this.compareSettings());
    const stamp = run.startedAt.replace(/[:.]/g, '-').replace(/Z$/, '');
    const fileName = `compare-${stamp}.${format}`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    let uri: vscode.Uri | undefined;
    if (target === 'workspace' && folder) {
      uri = vscode.Uri.joinPath(folder, 'foundry-lab-reports', fileName);
    } else {
      const filters: Record<CompareExportFormat, Record<string, string[]>> = { json: { JSON: ['json'] }, csv: { CSV: ['csv'] }, md: { Markdown: ['md'] } };
      uri = await vscode.window.showSaveDialog({ title: 'Export the comparison', defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined, filters: filters[format] });
      if (!uri) return;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const shownPath = vscode.workspace.asRelativePath(uri);
    this.deps.log.info(`Compare: exported run ${run.id} as ${format} to ${uri.fsPath}`);
    this.notice('info', `Exported to ${shownPath}`);
    if (format !== 'json') await vscode.window.showTextDocument(uri, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  }

  private async importRun(): Promise<void> {
    const chosen = await vscode.window.showOpenDialog({
      title: 'Import a comparison (an exported JSON file)',
      canSelectMany: false,
      filters: { JSON: ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!chosen?.[0]) return;
    const run = fromJson(new TextDecoder().decode(await vscode.workspace.fs.readFile(chosen[0])));
    await this.store.save(run);
    this.shown = { run, origin: 'imported' };
    this.post({ type: 'result', result: this.resultView() });
    await this.refreshSaved();
    this.notice('info', `Imported ${vscode.workspace.asRelativePath(chosen[0])}`);
  }

  private async deleteSaved(key: string): Promise<void> {
    const entry = this.saved.find((s) => s.key === key);
    const answer = await vscode.window.showWarningMessage(`Delete the saved comparison "${entry?.title ?? key}" (${entry?.startedAt ?? ''})?`, { modal: true }, 'Delete');
    if (answer !== 'Delete') return;
    await this.store.delete(key);
    if (this.diff && (this.diff.before.key === key || this.diff.after.key === key)) {
      this.diff = undefined;
      this.post({ type: 'diff' });
    }
    await this.refreshSaved();
  }

  private async diffSaved(a: string, b: string): Promise<void> {
    const runs = [
      { key: a, run: await this.store.load(a) },
      { key: b, run: await this.store.load(b) },
    ].sort((x, y) => x.run.startedAt.localeCompare(y.run.startedAt));
    this.diff = diffView(runs[0], runs[1]);
    this.post({ type: 'diff', diff: this.diff });
  }

  private async refreshSaved(): Promise<void> {
    try {
      this.saved = await this.store.list();
    } catch (e) {
      this.deps.log.error(`Compare: could not list the saved runs: ${(e as Error).message}`);
    }
    this.post({ type: 'saved', saved: this.saved });
  }

  // -------------------------------------------------------------------------------------------------------------
  // State

  private compareSettings(): CompareSettings {
    const config = vscode.workspace.getConfiguration('foundryLab');
    const { settings, warnings } = readCompareSettings((key) => config.get(key));
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.deps.log.warn(w);
    }
    return settings;
  }

  private resultView(): CompareResultView | undefined {
    if (!this.shown) return undefined;
    const { prices, energy } = this.compareSettings();
    return buildResultView(this.shown.run, { prices, energy, origin: this.shown.origin });
  }

  private runtimeParts() {
    const s = this.deps.settings.read();
    const rt = this.deps.runtime.snapshot;
    return {
      runtime: runtimeView(rt),
      models: compareModelOptions(rt.models, s.smallModel, s.largeModel),
      defaults: { models: [s.smallModel, s.largeModel], temperature: s.temperature, maxTokens: s.maxTokens },
    };
  }

  private snapshot(): CompareSnapshot {
    return {
      ...this.runtimeParts(),
      promptSets: promptSetOptions(),
      promptFile: this.promptFile?.view,
      prefill: this.prefill,
      running: this.running ? { runId: this.running.runId, progress: this.running.progress, rows: this.running.rows } : undefined,
      result: this.resultView(),
      saved: this.saved,
      diff: this.diff,
    };
  }

  private postRuntime(): void {
    this.post({ type: 'runtime', ...this.runtimeParts() });
  }

  private post(msg: CompareHostToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(msg);
  }
}

function preview(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 200);
  } catch {
    return typeof raw;
  }
}
