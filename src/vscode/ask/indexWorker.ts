/**
 * The index worker (bundled to dist/indexWorker.js, run in a worker_threads Worker): owns one WorkspaceIndex per
 * workspace folder and answers the requests of indexProtocol.ts. Building, reading files and scoring all happen
 * here, so the extension host's thread never does them. No VS Code API.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { isMainThread, parentPort, workerData } from 'worker_threads';
import type { SkipCounts, SkipReason } from '../../core/rag/files';
import { buildIndex, refreshFile, saveIndex, WorkspaceIndex } from '../../core/rag/index';
import { isLabError } from '../../core/runtime/errors';
import {
  FolderIndexOptions,
  FolderIndexStats,
  IndexReply,
  IndexRequest,
  IndexRequestOf,
  parseIndexRequest,
  PauseWaiter,
  RefreshReply,
  WorkerMessage,
  WorkerRetrieval,
} from './indexProtocol';

interface FolderState {
  index: WorkspaceIndex;
  options: FolderIndexOptions;
  cacheFile?: string;
  stats: FolderIndexStats;
  saveTimer?: NodeJS.Timeout;
}

/** Incremental changes are written this long after the last one (a burst of saves becomes one write). */
const SAVE_DELAY_MS = 1500;
/** Progress messages at most this often. */
const PROGRESS_EVERY_MS = 100;

export class IndexWorker {
  private readonly folders = new Map<string, FolderState>();
  private readonly builds = new Map<number, AbortController>();
  private readonly waiter?: PauseWaiter;

  constructor(private readonly post: (m: WorkerMessage) => void, pauseSignal?: Int32Array) {
    if (pauseSignal) this.waiter = new PauseWaiter(pauseSignal);
  }

  /** Answers one message; never throws (a failure becomes an error reply). */
  async receive(data: unknown): Promise<void> {
    const req = parseIndexRequest(data);
    if (!req) {
      const id = (data as { id?: unknown })?.id;
      const message = `malformed request ${JSON.stringify(data)?.slice(0, 200)}`;
      if (typeof id === 'number') this.post({ type: 'reply', id, ok: false, error: { message } });
      else this.post({ type: 'log', level: 'error', message });
      return;
    }
    try {
      const value = await this.handle(req);
      this.post({ type: 'reply', id: req.id, ok: true, value });
    } catch (e) {
      this.post({ type: 'reply', id: req.id, ok: false, error: { code: isLabError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e) } });
    }
  }

  private handle(req: IndexRequest): Promise<unknown> | unknown {
    switch (req.type) {
      case 'build':
        return this.build(req);
      case 'cancel': {
        const c = this.builds.get(req.target);
        c?.abort();
        return { cancelled: !!c } satisfies IndexReply<'cancel'>;
      }
      case 'refreshFiles':
        return this.refresh(req);
      case 'removeFiles':
        return this.remove(req);
      case 'retrieve':
        return this.retrieve(req);
      case 'status':
        return [...this.folders.values()].map((f) => ({ ...f.stats })) satisfies IndexReply<'status'>;
      case 'removeFolder': {
        const f = this.folders.get(req.folder);
        if (f?.saveTimer) clearTimeout(f.saveTimer);
        return { removed: this.folders.delete(req.folder) } satisfies IndexReply<'removeFolder'>;
      }
      case 'dispose':
        return this.flush();
    }
  }

  private async build(req: IndexRequestOf<'build'>): Promise<FolderIndexStats> {
    const controller = new AbortController();
    this.builds.set(req.id, controller);
    try {
      if (req.drop && req.cacheFile) await fs.rm(req.cacheFile, { force: true });
      let lastPost = 0;
      const { index, stats } = await buildIndex(req.folder, {
        cacheFile: req.cacheFile,
        exclude: req.options.exclude,
        maxFiles: req.options.maxFiles,
        maxFileBytes: req.options.maxFileBytes,
        signal: controller.signal,
        onProgress: (done, total) => {
          // Between two files: the place where a held build waits (the file in hand is finished).
          if (this.waiter?.waitWhilePaused()) lastPost = 0;
          const now = Date.now();
          if (now - lastPost < PROGRESS_EVERY_MS && done < total) return;
          lastPost = now;
          this.post({ type: 'progress', id: req.id, done, total });
        },
      });
      const old = this.folders.get(req.folder);
      if (old?.saveTimer) clearTimeout(old.saveTimer);
      const result: FolderIndexStats = {
        folder: req.folder,
        files: stats.files,
        chunks: stats.chunks,
        sizeBytes: stats.sizeBytes,
        buildMs: stats.buildMs,
        skipped: stats.skipped,
        capped: stats.capped,
        indexed: stats.indexed,
        reused: stats.reused,
        removed: stats.removed,
        ...(stats.rebuilt ? { rebuilt: stats.rebuilt } : {}),
        builtAt: Date.now(),
      };
      this.folders.set(req.folder, { index, options: req.options, cacheFile: req.cacheFile, stats: result });
      if (stats.rebuilt) this.post({ type: 'log', level: 'info', message: `Index of ${req.folder}: the stored index was not reused (${stats.rebuilt}); rebuilt from the files.` });
      return result;
    } finally {
      this.builds.delete(req.id);
    }
  }

  private folder(key: string): FolderState {
    const f = this.folders.get(key);
    if (!f) throw new Error(`no index for ${key} (build it first)`);
    return f;
  }

  private async refresh(req: IndexRequestOf<'refreshFiles'>): Promise<RefreshReply> {
    const f = this.folder(req.folder);
    const reply: RefreshReply = { updated: 0, removed: 0, skipped: {}, rescan: false, files: 0, chunks: 0 };
    for (const rel of req.paths) {
      const stat = await fs.stat(path.join(f.index.root, rel)).catch(() => undefined);
      if (stat?.isDirectory()) {
        reply.rescan = true;
        continue;
      }
      // The cap holds for files that appear later too.
      if (stat && !f.index.has(rel) && f.index.fileCount >= f.options.maxFiles) {
        countSkip(reply.skipped, 'capped');
        continue;
      }
      const had = f.index.has(rel);
      const before = f.index.stat(rel)?.skip;
      const outcome = await refreshFile(f.index, rel, { exclude: f.options.exclude, maxFileBytes: f.options.maxFileBytes });
      if (outcome === 'updated') reply.updated++;
      else if (outcome === 'removed') reply.removed += had ? 1 : 0;
      else countSkip(reply.skipped, outcome);
      moveSkip(f.stats, before, f.index.stat(rel)?.skip);
    }
    return this.changed(f, reply);
  }

  private remove(req: IndexRequestOf<'removeFiles'>): RefreshReply {
    const f = this.folder(req.folder);
    const reply: RefreshReply = { updated: 0, removed: 0, skipped: {}, rescan: false, files: 0, chunks: 0 };
    const gone = req.paths.map((p) => p.replace(/\/+$/, '')).filter(Boolean);
    // A deleted folder arrives as one event: everything under it goes.
    for (const p of f.index.paths()) {
      if (!gone.some((g) => p === g || p.startsWith(g + '/'))) continue;
      const skip = f.index.stat(p)?.skip;
      if (f.index.removeFile(p)) reply.removed++;
      moveSkip(f.stats, skip, undefined);
    }
    return this.changed(f, reply);
  }

  private changed(f: FolderState, reply: RefreshReply): RefreshReply {
    const { files, chunks } = f.index.size;
    f.stats = { ...f.stats, files, chunks };
    if ((reply.updated || reply.removed || Object.keys(reply.skipped).length) && f.cacheFile) this.scheduleSave(f);
    return { ...reply, files, chunks };
  }

  private scheduleSave(f: FolderState): void {
    if (f.saveTimer) clearTimeout(f.saveTimer);
    f.saveTimer = setTimeout(() => void this.save(f), SAVE_DELAY_MS);
  }

  private async save(f: FolderState): Promise<void> {
    f.saveTimer = undefined;
    if (!f.cacheFile) return;
    try {
      f.stats = { ...f.stats, sizeBytes: await saveIndex(f.index, f.cacheFile) };
    } catch (e) {
      this.post({ type: 'log', level: 'warn', message: `Could not store the index of ${f.index.root}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /** Writes every index with unsaved changes (before the worker ends). */
  private async flush(): Promise<IndexReply<'dispose'>> {
    let saved = 0;
    for (const f of this.folders.values()) {
      if (!f.saveTimer) continue;
      clearTimeout(f.saveTimer);
      await this.save(f);
      saved++;
    }
    return { saved };
  }

  private retrieve(req: IndexRequestOf<'retrieve'>): WorkerRetrieval[] {
    const keys = req.folders ?? [...this.folders.keys()];
    const all: WorkerRetrieval[] = [];
    for (const key of keys) {
      const f = this.folders.get(key);
      if (!f) continue;
      for (const r of f.index.retrieve(req.query, { topK: req.topK, scope: req.scopes?.[key] })) all.push({ folder: key, ...r });
    }
    // Merged by score; ties in a stable order.
    all.sort((a, b) => b.score - a.score || cmp(a.folder, b.folder) || cmp(a.path, b.path) || a.startLine - b.startLine);
    return all.slice(0, req.topK);
  }
}

function countSkip(skips: SkipCounts, reason: keyof SkipCounts): void {
  skips[reason] = (skips[reason] ?? 0) + 1;
}

/**
 * Keeps the status's skip counts current between builds for skips the index records per file (binary, minified,
 * generated, too large…): a file that became binary counts, one that became text again no longer does. Skips by path
 * rules (ignored, excluded, secret) are as of the last full build: an ignore-file change triggers one.
 */
function moveSkip(stats: FolderIndexStats, from: SkipReason | undefined, to: SkipReason | undefined): void {
  if (from === to) return;
  const skipped = { ...stats.skipped };
  if (from) {
    const n = (skipped[from] ?? 0) - 1;
    if (n > 0) skipped[from] = n;
    else delete skipped[from];
  }
  if (to) countSkip(skipped, to);
  stats.skipped = skipped;
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

if (!isMainThread && parentPort && (workerData as { indexWorker?: boolean } | undefined)?.indexWorker) {
  const port = parentPort;
  const signal = (workerData as { pauseSignal?: Int32Array }).pauseSignal;
  const worker = new IndexWorker((m) => port.postMessage(m), signal);
  port.on('message', (data) => void worker.receive(data));
}
