/**
 * The workspace index in the editor: one index per workspace folder, built and queried in a worker thread
 * (indexWorker.ts), stored in the extension's workspace storage, kept current by a file watcher, paused while a
 * generation holds it, and reported per folder (status, onDidChangeStatus). The chat view calls `retrieve`.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { LabError } from '../../core/runtime/errors';
import { showError } from '../showError';
import type { FolderIndexOptions, FolderIndexStats } from './indexProtocol';
import { IndexPauseGate } from './indexPauseGate';
import { collectExcludeGlobs, IndexSettings, validateIndexSettings } from './indexSettings';
import { cappedWarning, FolderIndexStatus, IndexState, IndexStatus } from './indexStatusText';
import { IndexWorkerClient } from './indexWorkerClient';
import { resolveScope } from './retrievalScope';
import type { RetrievalResult, RetrieveOptions as CoreRetrieveOptions } from '../../core/rag/index';

export type { FolderIndexStatus, IndexState, IndexStatus } from './indexStatusText';

/** A core retrieval result (`path` relative to its folder, forward slashes) with the folder it came from. */
export interface AskRetrieval extends RetrievalResult {
  /** The workspace folder's name. */
  folder: string;
  absPath: string;
}

export interface RetrieveOptions extends CoreRetrieveOptions {
  /** Workspace-relative folders or files (`folderName/…` in a multi-root workspace); absolute paths work too. */
  scope?: string[];
  signal?: AbortSignal;
}

export interface IndexServiceDeps {
  /** The extension's workspace storage; undefined (no workspace): nothing is stored. */
  storageUri: vscode.Uri | undefined;
  /** dist/indexWorker.js */
  workerPath: string;
  log: vscode.LogOutputChannel;
  /** Delay of the start-up build after activation (activation stays fast). */
  startDelayMs?: number;
}

interface FolderEntry {
  folder: vscode.WorkspaceFolder;
  root: string;
  cacheFile?: string;
  state: IndexState;
  stats?: FolderIndexStats;
  lastError?: string;
  progress?: { done: number; total: number };
  /** The running build (and the ones queued behind it). */
  building?: Promise<void>;
  abortBuild?: AbortController;
  /** Set while building: build again when this one ends (options or ignore files changed meanwhile). */
  again?: { drop: boolean; explicit: boolean };
  /** Watcher events waiting for the next batch: relative path → what happened last. */
  pending: Map<string, 'changed' | 'deleted'>;
  /** An ignore file changed or the branch switched: the next batch is a full refresh. */
  fullRefresh: boolean;
  /** A background build waits for the generation's hold to end. */
  waiting?: boolean;
  /** Updates the progress notification of the running build, once it shows. */
  report?: (done: number, total: number) => void;
  /** The capped warning is shown once per session and folder. */
  warnedCapped?: boolean;
  /** The last failure was shown; the next one of the same text is only logged. */
  shownError?: string;
}

const WATCH_DEBOUNCE_MS = 300;
/** A batch larger than this is cheaper as a full refresh (which reuses every unchanged file). */
const MAX_BATCH = 1000;
/** Builds shorter than this show no notification. */
const PROGRESS_AFTER_MS = 1000;
const IGNORE_FILES = new Set(['.gitignore', '.foundrylabignore']);
/** A change to one of these refreshes every folder (with the new options; unchanged files are reused). */
const OPTION_SETTINGS = ['foundryLab.ask.exclude', 'foundryLab.ask.maxFiles', 'foundryLab.ask.maxFileKB', 'files.exclude', 'search.exclude'];

let current: IndexService | undefined;

/** The window's workspace index (created at activation, disposed with the extension); undefined outside that. */
export function getIndexService(): IndexService | undefined {
  return current;
}

export class IndexService implements vscode.Disposable {
  private client?: IndexWorkerClient;
  private readonly entries = new Map<string, FolderEntry>();
  private readonly statusChanged = new vscode.EventEmitter<IndexStatus>();
  /** Fires when any folder's state, counts or progress change. */
  readonly onDidChangeStatus = this.statusChanged.event;
  private readonly gate = new IndexPauseGate((paused) => {
    this.client?.setPaused(paused);
    if (!paused) this.scheduleFlush(0);
    // The progress notification says when a build is paused (no progress arrives then).
    for (const e of this.entries.values()) if (e.report && e.progress) e.report(e.progress.done, e.progress.total);
    this.fireStatus();
  });
  private readonly subscriptions: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private started = false;
  /** Each distinct settings warning once. */
  private readonly warned = new Set<string>();
  private disposed = false;
  private startTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;

  constructor(private readonly deps: IndexServiceDeps) {
    current = this;
    for (const f of vscode.workspace.workspaceFolders ?? []) this.addFolder(f);
    this.subscriptions.push(
      this.statusChanged,
      vscode.workspace.onDidChangeWorkspaceFolders((e) => this.foldersChanged(e)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (OPTION_SETTINGS.some((s) => e.affectsConfiguration(s))) this.optionsChanged();
      }),
    );
    if (this.settings().indexOnStartup && this.entries.size) {
      this.startTimer = setTimeout(() => {
        this.startTimer = undefined;
        this.ensureStarted();
        for (const e of this.entries.values()) void this.build(e, { explicit: false, drop: false });
      }, deps.startDelayMs ?? 3000);
    }
  }

  // ---------- API for the chat view ----------

  /** The best chunks across every folder, best first. Builds the index first when a folder has none yet. */
  async retrieve(query: string, opts: RetrieveOptions = {}): Promise<AskRetrieval[]> {
    const topK = opts.topK ?? 8;
    const scopes = resolveScope(opts.scope, [...this.entries.values()].map((e) => ({ name: e.folder.name, root: e.root })));
    const targets = [...this.entries.values()].filter((e) => !scopes || scopes.has(e.root));
    if (!targets.length) return [];
    this.ensureStarted();
    // An explicit request runs even while a generation holds background indexing.
    const demand = this.gate.demand();
    try {
      await Promise.all(targets.filter((e) => !e.stats).map((e) => abortable(this.build(e, { explicit: true, drop: false }), opts.signal)));
      const ready = targets.filter((e) => e.stats);
      if (!ready.length) throw new LabError('index-failed', `The workspace index could not be built: ${targets.map((e) => e.lastError).filter(Boolean).join('; ') || 'unknown error'}`);
      const rows = await this.worker().request('retrieve', { query, topK, folders: ready.map((e) => e.root), scopes: scopes && Object.fromEntries(scopes) }, { signal: opts.signal });
      return rows.flatMap((r) => {
        const e = this.entries.get(r.folder);
        return e ? [{ folder: e.folder.name, path: r.path, absPath: path.join(e.root, ...r.path.split('/')), startLine: r.startLine, endLine: r.endLine, score: r.score }] : [];
      });
    } finally {
      demand.dispose();
    }
  }

  status(): IndexStatus {
    const maxFiles = this.settings().maxFiles;
    const folders = [...this.entries.values()].map((e): FolderIndexStatus => ({
      folder: e.folder.name,
      root: e.root,
      // Held: a build between two files, a build waiting to start, or watcher events waiting for the release.
      state: this.gate.paused && (e.state === 'building' || e.waiting || e.pending.size > 0) ? 'paused' : e.state,
      files: e.stats?.files ?? 0,
      chunks: e.stats?.chunks ?? 0,
      sizeBytes: e.stats?.sizeBytes,
      buildMs: e.stats?.buildMs,
      skipped: e.stats?.skipped ?? {},
      capped: e.stats?.capped ?? false,
      maxFiles,
      storedAt: e.cacheFile,
      lastError: e.lastError,
      progress: e.progress,
      builtAt: e.stats?.builtAt,
    }));
    return { folders, held: this.gate.held };
  }

  /** Asks the worker for current sizes (incremental saves change them), then returns status(). */
  async refreshStatus(): Promise<IndexStatus> {
    if (this.client?.alive) {
      const all = await this.client.request('status', {}).catch(() => []);
      for (const s of all) {
        const e = this.entries.get(s.folder);
        if (e?.stats) e.stats = s;
      }
    }
    return this.status();
  }

  /** Drops every stored index and builds again, with progress. */
  async rebuild(): Promise<void> {
    if (!this.entries.size) {
      void vscode.window.showInformationMessage('No workspace folder is open: there is nothing to index.');
      return;
    }
    this.ensureStarted();
    const demand = this.gate.demand();
    try {
      await Promise.all([...this.entries.values()].map((e) => this.build(e, { explicit: true, drop: true })));
    } finally {
      demand.dispose();
    }
    const entries = [...this.entries.values()];
    const failed = entries.filter((e) => e.state === 'error');
    if (failed.length) throw new LabError('index-failed', `Rebuilding the index failed for ${failed.map((e) => `${e.folder.name}: ${e.lastError}`).join('; ')}`);
    const built = entries.filter((e) => e.stats && e.state === 'idle' && !e.lastError);
    if (built.length) {
      const files = built.reduce((n, e) => n + (e.stats?.files ?? 0), 0);
      const chunks = built.reduce((n, e) => n + (e.stats?.chunks ?? 0), 0);
      void vscode.window.showInformationMessage(`Index rebuilt: ${files.toLocaleString('en-US')} files, ${chunks.toLocaleString('en-US')} chunks.`);
    }
  }

  /** While held, background indexing pauses (the worker finishes its file and waits); retrieve still works. */
  holdForGeneration(): vscode.Disposable {
    const hold = this.gate.hold();
    return new vscode.Disposable(() => hold.dispose());
  }

  dispose(): void {
    if (current === this) current = undefined;
    this.disposed = true;
    for (const t of [this.startTimer, this.flushTimer, this.statusTimer]) if (t) clearTimeout(t);
    for (const e of this.entries.values()) e.abortBuild?.abort();
    for (const d of [...this.watchers, ...this.subscriptions]) d.dispose();
    void this.client?.dispose();
    this.client = undefined;
  }

  // ---------- folders, worker, watcher ----------

  /** scope: a folder, for its own values in a multi-root workspace. */
  private settings(scope?: vscode.Uri): IndexSettings {
    const config = vscode.workspace.getConfiguration('foundryLab', scope);
    const { settings, warnings } = validateIndexSettings((key) => config.get(key));
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.deps.log.warn(w);
    }
    return settings;
  }

  private folderOptions(folder: vscode.WorkspaceFolder): FolderIndexOptions {
    const s = this.settings(folder.uri);
    const files = vscode.workspace.getConfiguration('files', folder.uri).get('exclude');
    const search = vscode.workspace.getConfiguration('search', folder.uri).get('exclude');
    return { exclude: collectExcludeGlobs(files, search, s.exclude), maxFiles: s.maxFiles, maxFileBytes: s.maxFileKB * 1024 };
  }

  private addFolder(folder: vscode.WorkspaceFolder): FolderEntry {
    const root = folder.uri.fsPath;
    const storage = this.deps.storageUri?.fsPath;
    const slug = folder.name.replace(/[^\w.-]+/g, '_').slice(0, 40);
    const cacheFile = storage && path.join(storage, 'index', `${slug}-${createHash('sha1').update(root).digest('hex').slice(0, 10)}.json`);
    const entry: FolderEntry = { folder, root, cacheFile, state: 'not-built', pending: new Map(), fullRefresh: false };
    this.entries.set(root, entry);
    return entry;
  }

  private foldersChanged(e: vscode.WorkspaceFoldersChangeEvent): void {
    for (const f of e.removed) {
      const entry = this.entries.get(f.uri.fsPath);
      if (!entry) continue;
      entry.abortBuild?.abort();
      this.entries.delete(entry.root);
      void this.client?.request('removeFolder', { folder: entry.root }).catch(() => undefined);
    }
    for (const f of e.added) {
      const entry = this.addFolder(f);
      if (this.started) void this.build(entry, { explicit: false, drop: false });
    }
    if (this.started) this.watch();
    this.fireStatus();
  }

  private optionsChanged(): void {
    if (!this.started) return;
    for (const e of this.entries.values()) void this.build(e, { explicit: false, drop: false });
  }

  private ensureStarted(): void {
    if (this.disposed) throw new LabError('aborted', 'The workspace index was closed.');
    if (this.startTimer) {
      clearTimeout(this.startTimer);
      this.startTimer = undefined;
    }
    this.worker();
    if (this.started) return;
    this.started = true;
    this.watch();
  }

  /** The worker, started again after a crash (every folder then needs a build: its index lived in the worker). */
  private worker(): IndexWorkerClient {
    if (this.client?.alive) return this.client;
    if (this.disposed) throw new LabError('aborted', 'The workspace index was closed.');
    const restarted = !!this.client;
    this.client = new IndexWorkerClient(this.deps.workerPath, this.deps.log, (error) => {
      for (const e of this.entries.values()) {
        e.stats = undefined;
        e.state = 'error';
        e.lastError = `The index worker stopped: ${error.message}`;
      }
      this.fireStatus();
    });
    this.client.setPaused(this.gate.paused);
    if (restarted) this.deps.log.warn('Index worker started again; folders are rebuilt on next use (the stored index is reused).');
    return this.client;
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    const all = vscode.workspace.createFileSystemWatcher('**/*');
    this.watchers = [all, all.onDidCreate((u) => this.fileEvent(u, 'changed')), all.onDidChange((u) => this.fileEvent(u, 'changed')), all.onDidDelete((u) => this.fileEvent(u, 'deleted'))];
    // A branch switch: .git/HEAD changes (watched on its own: some setups keep .git out of the recursive watcher).
    for (const e of this.entries.values()) {
      const head = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(e.folder, '.git/HEAD'));
      const onHead = () => this.markFullRefresh(e.root);
      this.watchers.push(head, head.onDidChange(onHead), head.onDidCreate(onHead));
    }
  }

  private fileEvent(uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    if (uri.scheme !== 'file') return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const entry = folder && this.entries.get(folder.uri.fsPath);
    if (!entry) return;
    const rel = path.relative(entry.root, uri.fsPath).split(path.sep).join('/');
    if (!rel || rel.startsWith('../')) return;
    if (rel === '.git/HEAD') return this.markFullRefresh(entry.root);
    if (rel === '.git' || rel.startsWith('.git/') || rel.includes('/.git/')) return;
    if (IGNORE_FILES.has(path.posix.basename(rel))) return this.markFullRefresh(entry.root);
    entry.pending.set(rel, kind);
    this.scheduleFlush(WATCH_DEBOUNCE_MS);
  }

  private markFullRefresh(root: string): void {
    const entry = this.entries.get(root);
    if (!entry) return;
    entry.fullRefresh = true;
    this.scheduleFlush(WATCH_DEBOUNCE_MS);
  }

  private scheduleFlush(ms: number): void {
    if (this.disposed || !this.started) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, ms);
  }

  /** Sends the batched watcher events (unless held: they wait for the release, then go in one batch). */
  private async flush(): Promise<void> {
    if (this.gate.paused) return; // the gate's release schedules the next flush
    for (const e of this.entries.values()) {
      if (e.fullRefresh) {
        e.fullRefresh = false;
        e.pending.clear();
        void this.build(e, { explicit: false, drop: false });
        continue;
      }
      // During a build, events wait for its end; a folder without an index gets them all from its next build.
      if (!e.pending.size || e.building) continue;
      if (!e.stats) {
        e.pending.clear();
        continue;
      }
      const batch = [...e.pending];
      e.pending.clear();
      if (batch.length > MAX_BATCH) {
        void this.build(e, { explicit: false, drop: false });
        continue;
      }
      const changed = batch.filter(([, k]) => k === 'changed').map(([p]) => p);
      const deleted = batch.filter(([, k]) => k === 'deleted').map(([p]) => p);
      try {
        const client = this.worker();
        let rescan = false;
        if (deleted.length) await client.request('removeFiles', { folder: e.root, paths: deleted });
        if (changed.length) rescan = (await client.request('refreshFiles', { folder: e.root, paths: changed })).rescan;
        const fresh = (await client.request('status', {})).find((s) => s.folder === e.root);
        if (fresh && e.stats) e.stats = fresh;
        this.deps.log.debug(`Index of ${e.folder.name}: ${changed.length} changed, ${deleted.length} deleted`);
        if (rescan) void this.build(e, { explicit: false, drop: false });
        this.fireStatus();
      } catch (err) {
        this.deps.log.warn(`Index of ${e.folder.name}: incremental update failed (${err instanceof Error ? err.message : String(err)}); refreshing the folder.`);
        if (this.client?.alive && e.stats) void this.build(e, { explicit: false, drop: false });
      }
    }
  }

  // ---------- builds ----------

  /**
   * Builds (or refreshes, reusing the stored index) one folder. A build asked for while one runs is queued behind
   * it, coalesced; background builds wait while a generation holds the gate.
   */
  private build(e: FolderEntry, how: { explicit: boolean; drop: boolean }): Promise<void> {
    if (e.building) {
      // A drop (rebuild) cancels the running build: its result would be thrown away anyway.
      e.again = { drop: (e.again?.drop ?? false) || how.drop, explicit: (e.again?.explicit ?? false) || how.explicit };
      if (how.drop) e.abortBuild?.abort();
      return e.building;
    }
    e.building = (async () => {
      let next: { explicit: boolean; drop: boolean } | undefined = how;
      while (next && this.entries.get(e.root) === e && !this.disposed) {
        const current: { explicit: boolean; drop: boolean } = next;
        e.again = undefined;
        if (!current.explicit && this.gate.paused) {
          e.waiting = true;
          this.fireStatus();
          await this.gate.whenResumed();
          e.waiting = false;
        }
        await this.runBuild(e, current.drop);
        next = e.again;
      }
    })().finally(() => {
      e.building = undefined;
      this.scheduleFlush(0);
    });
    return e.building;
  }

  private async runBuild(e: FolderEntry, drop: boolean): Promise<void> {
    const options = this.folderOptions(e.folder);
    const controller = new AbortController();
    e.abortBuild = controller;
    e.state = 'building';
    e.progress = undefined;
    this.fireStatus();
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    // A rebuild was asked for: its progress shows at once; other builds only when they take a while.
    const notify = setTimeout(() => this.showProgress(e, controller, finished, (r) => (e.report = r)), drop ? 0 : PROGRESS_AFTER_MS);
    try {
      const stats = await this.worker().request('build', { folder: e.root, cacheFile: e.cacheFile, options, drop }, {
        signal: controller.signal,
        onProgress: (done, total) => {
          e.progress = { done, total };
          e.report?.(done, total);
          this.fireStatusSoon();
        },
      });
      e.stats = stats;
      e.state = 'idle';
      e.lastError = undefined;
      e.shownError = undefined;
      this.deps.log.info(
        `Index of ${e.folder.name}: ${stats.files} files, ${stats.chunks} chunks in ${stats.buildMs} ms (${stats.indexed} read, ${stats.reused} reused, ${stats.removed} removed)` +
          `${stats.capped ? `; capped at ${options.maxFiles} files` : ''}${e.cacheFile ? `; stored in ${e.cacheFile}` : ''}`,
      );
      if (stats.capped && !e.warnedCapped) {
        e.warnedCapped = true;
        void this.warnCapped(e, options.maxFiles);
      }
    } catch (err) {
      const cancelled = err instanceof LabError && err.code === 'aborted';
      e.state = e.stats ? 'idle' : 'not-built';
      if (cancelled) {
        if (!e.again) {
          e.lastError = 'Indexing was cancelled.';
          this.deps.log.info(`Index of ${e.folder.name}: cancelled`);
        }
      } else {
        e.state = 'error';
        e.lastError = err instanceof Error ? err.message : String(err);
        const error = err instanceof LabError ? err : new LabError('index-failed', `Indexing ${e.folder.name} failed: ${e.lastError}`);
        if (e.shownError !== e.lastError) {
          e.shownError = e.lastError;
          void showError(error, this.deps.log, `index ${e.folder.name}`);
        } else this.deps.log.error(`index ${e.folder.name}: ${e.lastError}`);
      }
    } finally {
      clearTimeout(notify);
      e.report = undefined;
      if (e.abortBuild === controller) e.abortBuild = undefined;
      e.progress = undefined;
      finish();
      this.fireStatus();
    }
  }

  /** A notification with Cancel for a build that takes longer than a second. */
  private showProgress(e: FolderEntry, controller: AbortController, finished: Promise<void>, setReporter: (r: (done: number, total: number) => void) => void): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Indexing ${e.folder.name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let shown = 0;
        const report = (done: number, total: number) => {
          const pct = total ? (done / total) * 100 : 0;
          const held = this.gate.paused ? ' — paused while a model generates' : '';
          progress.report({ message: `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} files${held}`, increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        };
        setReporter(report);
        if (e.progress) report(e.progress.done, e.progress.total);
        return finished;
      },
    );
  }

  private async warnCapped(e: FolderEntry, maxFiles: number): Promise<void> {
    const text = cappedWarning({ folder: e.folder.name, files: e.stats?.files ?? 0, skipped: e.stats?.skipped ?? {}, maxFiles });
    this.deps.log.warn(text);
    const open = 'Open Setting';
    if ((await vscode.window.showWarningMessage(text, open)) === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'foundryLab.ask.maxFiles');
  }

  private fireStatus(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    if (!this.disposed) this.statusChanged.fire(this.status());
  }

  /** Progress fires often: at most a few status events per second. */
  private fireStatusSoon(): void {
    this.statusTimer ??= setTimeout(() => this.fireStatus(), 250);
  }
}

/** Waits for `p`, or rejects with `aborted` as soon as the signal fires (the work itself goes on). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new LabError('aborted', 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new LabError('aborted', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
