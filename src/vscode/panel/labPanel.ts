import * as vscode from 'vscode';
import { createLabWebviewPanel, followPanelEvents } from './labWebviewPanel';
import type { Logger } from '../../core/log';
import { runChat } from '../../core/runtime/chat';
import { buildPlaygroundMessages } from '../../core/runtime/messages';
import { HistoryEntry, HostToWebview, parseWebviewMessage, PanelSnapshot, RunView, WebviewToHost } from '../../protocol';
import type { RuntimeService } from '../runtimeService';
import { modelOptions, runtimeView } from '../runtimeText';
import type { Settings } from '../settings';
import { DeltaCoalescer } from './deltaCoalescer';
import { openableLink } from './links';
import { pageAssets } from './pageAssets';
import { buildPanelHtml } from './panelHtml';
import { chatApiKey } from '../privacy/apiKeyCommands';
import { ensureRemoteConsent } from '../privacy/remoteConsent';
import { appendHistory, finishedRun, historyEntry, modelSummary } from './runView';
import { whileGenerating } from '../ask/generationHold';

/** Streamed text is posted to the webview at most this often. */
const DELTA_FLUSH_MS = 40;

export interface PanelDeps {
  extensionUri: vscode.Uri;
  runtime: RuntimeService;
  settings: Settings;
  log: Logger;
}

/**
 * The playground: one prompt (with optional reference context) streamed from one model, with its timeline metrics.
 * The host owns the state; the webview is rebuilt from a snapshot whenever it (re)loads, so it needs no
 * retainContextWhenHidden. Every model call runs here, through core's runChat — never from the webview.
 */
export class LabPanel implements vscode.Disposable {
  static readonly viewType = 'foundryLab.panel';
  private static current: LabPanel | undefined;

  /** Reveals the panel, creating it the first time. */
  static show(deps: PanelDeps): LabPanel {
    if (LabPanel.current) {
      LabPanel.current.panel.reveal();
      return LabPanel.current;
    }
    const panel = createLabWebviewPanel(LabPanel.viewType, 'Foundry Local Lab', vscode.ViewColumn.Active, deps.extensionUri);
    LabPanel.current = new LabPanel(panel, deps);
    return LabPanel.current;
  }

  /** The panel VS Code restored after a reload (at most one: `show` reveals it from then on). */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps): void {
    LabPanel.current?.panel.dispose();
    LabPanel.current = new LabPanel(panel, deps);
  }

  /** Disposes the open panel, if any (deactivation). */
  static disposeCurrent(): void {
    LabPanel.current?.panel.dispose();
  }

  /** A webview that is not live drops messages; until it says `ready`, nothing is posted (the snapshot covers it). */
  private ready = false;
  private run: RunView | undefined;
  private history: HistoryEntry[] = [];
  private nextRunId = 1;
  private readonly inflight = new Map<number, AbortController>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
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
    webview.html = buildPanelHtml(pageAssets(webview, deps.extensionUri, 'webview'));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    LabPanel.current = undefined;
    this.abortAll();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }

  private receive(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.deps.log.warn(`Panel: dropped a malformed message: ${preview(raw)}`);
      return;
    }
    this.handle(msg);
  }

  private handle(msg: WebviewToHost): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'snapshot', snapshot: this.snapshot() });
        return;
      case 'run':
        void this.startRun(msg.model, msg.prompt, msg.context);
        return;
      case 'stop':
        this.abortAll();
        return;
      case 'refresh':
        void this.deps.runtime.refresh('panel');
        return;
      case 'openLink':
        void this.openLink(msg.href);
        return;
      case 'action':
        void vscode.commands.executeCommand(msg.action);
        return;
    }
  }

  private async startRun(model: string, prompt: string, context: string): Promise<void> {
    // --- Privacy --- nothing is sent to a remote endpoint the user did not allow
    if (!(await ensureRemoteConsent(this.deps.runtime))) {
      this.deps.log.info('Panel run not sent: the remote endpoint was not allowed');
      return;
    }
    // --- end Privacy ---
    this.abortAll(); // one run at a time: a new Run replaces the one in flight
    const { log, runtime, settings } = this.deps;
    const s = settings.read();
    const runId = this.nextRunId++;
    const controller = new AbortController();
    this.inflight.set(runId, controller);
    const emulated = runtime.snapshot.discovery?.state === 'found' && runtime.snapshot.discovery.emulated;
    const run: RunView = { runId, requested: model, phase: 'resolving', text: '', reasoning: '', emulated };
    this.run = run;
    this.post({ type: 'runStarted', run });
    log.info(`Panel run #${runId}: ${model}, ${prompt.length} prompt characters${context.trim() ? `, ${context.length} context characters` : ''}`);

    // The host's copy of the text grows when a delta is posted, not before: a snapshot taken in between must not
    // duplicate text that is still on its way.
    const coalescer = new DeltaCoalescer(DELTA_FLUSH_MS, (answer, reasoning) => {
      run.text += answer;
      run.reasoning += reasoning;
      this.post({ type: 'delta', runId, answer, reasoning });
    });
    try {
      const outcome = await whileGenerating(() => runChat(runtime.connection, {
        model,
        messages: () => buildPlaygroundMessages(prompt, { context }),
        maxTokens: s.maxTokens,
        temperature: s.temperature,
        idleTimeoutMs: s.idleTimeoutSeconds * 1000,
        autoLoad: s.autoLoadModels,
        apiKey: chatApiKey(runtime), // --- Privacy ---
        signal: controller.signal,
        onDelta: (d) => coalescer.push(d.answer, d.reasoning),
        onPhase: (phase, detail) => {
          coalescer.flush();
          run.phase = phase;
          run.phaseDetail = detail;
          const variant = runtime.snapshot.models.find((m) => m.id === detail);
          if (variant) run.model = modelSummary(variant);
          this.post({ type: 'phase', runId, phase, detail, model: run.model });
        },
      }));
      coalescer.dispose();
      const finished = finishedRun(runId, model, outcome, emulated);
      const m = finished.metrics;
      log.info(
        `Panel run #${runId} ${finished.phase}: ${finished.model?.id ?? model}${finished.model ? ` (${finished.model.device})` : ''}` +
          (m?.ttftMs !== undefined ? `, TTFT ${m.ttftMs.toFixed(0)} ms` : '') +
          (m?.e2eMs !== undefined ? `, E2E ${m.e2eMs.toFixed(0)} ms` : '') +
          (m?.completionTokens !== undefined ? `, ${m.completionTokens} tokens (${m.tokenSource})` : '') +
          (outcome.result.error ? ` — [${outcome.result.error.code}] ${outcome.result.error.message}` : ''),
      );
      if (this.disposed) return;
      this.history = appendHistory(this.history, historyEntry(finished));
      if (this.run?.runId === runId) this.run = finished;
      this.post({ type: 'runFinished', run: finished, history: this.history });
      if (outcome.result.error) runtime.noteFailure(outcome.result.error);
      else void runtime.refreshLoaded();
    } catch (e) {
      // runChat reports failures in its result; this is a bug, logged in full, shown in one line.
      log.error(`Panel run #${runId} failed unexpectedly: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      coalescer.dispose();
    } finally {
      this.inflight.delete(runId);
    }
  }

  private abortAll(): void {
    for (const controller of this.inflight.values()) controller.abort();
    this.inflight.clear();
  }

  private async openLink(href: string): Promise<void> {
    const url = openableLink(href);
    if (!url) {
      this.deps.log.warn(`Panel: refused to open a link that is not http(s): ${href.slice(0, 200)}`);
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
  }

  private snapshot(): PanelSnapshot {
    const { smallModel, largeModel } = this.deps.settings.read();
    const rt = this.deps.runtime.snapshot;
    return {
      runtime: runtimeView(rt),
      models: modelOptions(rt.models, smallModel, largeModel),
      smallModel,
      largeModel,
      run: this.run,
      history: this.history,
    };
  }

  private postRuntime(): void {
    const { runtime, models, smallModel, largeModel } = this.snapshot();
    this.post({ type: 'runtime', runtime, models, smallModel, largeModel });
  }

  private post(msg: HostToWebview): void {
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
