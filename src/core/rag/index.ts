/**
 * WorkspaceIndex: an inverted index over chunks with BM25F-style scoring (chunk text plus the file's path as a
 * second, strongly weighted field: path words are the best single signal in code search), incremental updates
 * of one file, and JSON persistence written atomically with a format version. A stored index that is corrupt,
 * truncated, of another format or for another folder is rebuilt, never trusted; on reuse each file is checked
 * against its mtime and size and only changed files are read again.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { LabError } from '../runtime/errors';
import { chunkFile, ChunkOptions } from './chunker';
import { checkPath, count, DiscoverOptions, discoverFiles, readIndexableFile, SkipCounts, SkipReason } from './files';
import { queryTerms, tokenize } from './tokenizer';

export const INDEX_FORMAT = 'foundry-lab-index';
/** Bumped whenever tokenizing, chunking or the stored layout changes: an index of another version is rebuilt. */
export const INDEX_VERSION = 2;

export interface RetrievalResult {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
}

export interface RetrieveOptions {
  topK?: number;
  /** Workspace-relative folders or files; only chunks under one of them are returned. */
  scope?: string[];
}

interface ChunkEntry {
  file: FileEntry;
  startLine: number;
  endLine: number;
  len: number;
  tf: Map<string, number>;
}

interface FileEntry {
  path: string;
  mtimeMs: number;
  size: number;
  /** Set when the file was read and not indexed (binary, minified, unreadable): not read again until it changes. */
  skip?: SkipReason;
  pathTf: Map<string, number>;
  pathLen: number;
  chunks: ChunkEntry[];
}

/** Scoring constants: BM25 k1, per-field length normalisation and weights. */
const K1 = 1.2;
const B_BODY = 0.75;
const B_PATH = 0.3;
const W_BODY = 1;
const W_PATH = 4;

export class WorkspaceIndex {
  private readonly files = new Map<string, FileEntry>();
  private readonly body = new Map<string, Set<ChunkEntry>>();
  private readonly pathPostings = new Map<string, Set<FileEntry>>();
  private chunkCount = 0;
  private totalLen = 0;
  private totalPathLen = 0;

  constructor(readonly root: string, private readonly chunkOptions: ChunkOptions = {}) {}

  get fileCount(): number {
    let n = 0;
    for (const f of this.files.values()) if (!f.skip) n++;
    return n;
  }
  get size(): { files: number; chunks: number } {
    return { files: this.fileCount, chunks: this.chunkCount };
  }
  has(relPath: string): boolean {
    return this.files.has(relPath);
  }
  stat(relPath: string): { mtimeMs: number; size: number; skip?: SkipReason } | undefined {
    const f = this.files.get(relPath);
    return f && { mtimeMs: f.mtimeMs, size: f.size, skip: f.skip };
  }
  paths(): string[] {
    return [...this.files.keys()];
  }

  /** Adds or replaces one file from its text. */
  updateFile(relPath: string, text: string, stat: { mtimeMs: number; size: number }): void {
    const chunks = chunkFile(relPath, text, this.chunkOptions).map((c) => ({ startLine: c.startLine, endLine: c.endLine, tokens: tokenize(c.text) }));
    this.insert(relPath, stat, chunks.map((c) => ({ startLine: c.startLine, endLine: c.endLine, tf: termCounts(c.tokens), len: c.tokens.length })));
  }

  /** Records a file that is not indexed (so start-up does not read it again while it is unchanged). */
  markSkipped(relPath: string, stat: { mtimeMs: number; size: number }, reason: SkipReason): void {
    this.removeFile(relPath);
    this.files.set(relPath, { path: relPath, mtimeMs: stat.mtimeMs, size: stat.size, skip: reason, pathTf: new Map(), pathLen: 0, chunks: [] });
  }

  removeFile(relPath: string): boolean {
    const f = this.files.get(relPath);
    if (!f) return false;
    this.files.delete(relPath);
    for (const c of f.chunks) {
      for (const term of c.tf.keys()) {
        const set = this.body.get(term);
        set?.delete(c);
        if (set && !set.size) this.body.delete(term);
      }
      this.totalLen -= c.len;
      this.chunkCount--;
    }
    if (!f.skip) {
      for (const term of f.pathTf.keys()) {
        const set = this.pathPostings.get(term);
        set?.delete(f);
        if (set && !set.size) this.pathPostings.delete(term);
      }
      this.totalPathLen -= f.pathLen;
    }
    return true;
  }

  private insert(relPath: string, stat: { mtimeMs: number; size: number }, chunks: Array<{ startLine: number; endLine: number; tf: Map<string, number>; len: number }>): void {
    this.removeFile(relPath);
    const pathTokens = tokenize(relPath);
    const file: FileEntry = { path: relPath, mtimeMs: stat.mtimeMs, size: stat.size, pathTf: termCounts(pathTokens), pathLen: pathTokens.length, chunks: [] };
    this.files.set(relPath, file);
    for (const term of file.pathTf.keys()) getOrAdd(this.pathPostings, term).add(file);
    this.totalPathLen += file.pathLen;
    for (const c of chunks) {
      const entry: ChunkEntry = { file, startLine: c.startLine, endLine: c.endLine, len: c.len, tf: c.tf };
      file.chunks.push(entry);
      for (const term of c.tf.keys()) getOrAdd(this.body, term).add(entry);
      this.totalLen += c.len;
      this.chunkCount++;
    }
  }

  /** The best chunks for a query, best first; ties broken by path then line so results are stable. */
  retrieve(query: string, opts: RetrieveOptions = {}): RetrievalResult[] {
    const topK = opts.topK ?? 10;
    const terms = queryTerms(query);
    if (!terms.length || !this.chunkCount) return [];
    const scope = opts.scope?.map((s) => s.replace(/^\.?\/+|\/+$/g, '')).filter((s) => s !== '.');
    const inScope = (p: string) => !scope?.length || scope.some((s) => !s || p === s || p.startsWith(s + '/'));
    const avgLen = this.totalLen / this.chunkCount || 1;
    const fileCount = this.fileCount || 1;
    const avgPathLen = this.totalPathLen / fileCount || 1;
    const n = this.chunkCount;
    const scores = new Map<ChunkEntry, number>();
    for (const term of terms) {
      const bodySet = this.body.get(term);
      const pathSet = this.pathPostings.get(term);
      if (!bodySet && !pathSet) continue;
      // Document frequency over chunks having the term in either field (counted once).
      let df = bodySet?.size ?? 0;
      if (pathSet) for (const f of pathSet) for (const c of f.chunks) if (!bodySet?.has(c)) df++;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const visit = (c: ChunkEntry) => {
        const tfBody = c.tf.get(term) ?? 0;
        const tfPath = c.file.pathTf.get(term) ?? 0;
        const t =
          (W_BODY * tfBody) / (1 - B_BODY + (B_BODY * c.len) / avgLen) +
          (W_PATH * tfPath) / (1 - B_PATH + (B_PATH * c.file.pathLen) / avgPathLen);
        scores.set(c, (scores.get(c) ?? 0) + (idf * t) / (K1 + t));
      };
      // Each chunk at most once per term: those with the term in their text, then the rest of the files whose path has it.
      const seen = new Set<ChunkEntry>();
      if (bodySet) for (const c of bodySet) if (inScope(c.file.path)) (seen.add(c), visit(c));
      if (pathSet) for (const f of pathSet) if (inScope(f.path)) for (const c of f.chunks) if (!seen.has(c)) visit(c);
    }
    // Top-K selection rather than sorting every scored chunk (common words score tens of thousands of them).
    const better = (a: [ChunkEntry, number], b: [ChunkEntry, number]) => b[1] - a[1] || cmp(a[0].file.path, b[0].file.path) || a[0].startLine - b[0].startLine;
    const ranked: Array<[ChunkEntry, number]> = [];
    for (const e of scores) {
      if (ranked.length === topK && better(e, ranked[topK - 1]) >= 0) continue;
      let i = ranked.length;
      while (i > 0 && better(e, ranked[i - 1]) < 0) i--;
      ranked.splice(i, 0, e);
      if (ranked.length > topK) ranked.pop();
    }
    return ranked.map(([c, score]) => ({ path: c.file.path, startLine: c.startLine, endLine: c.endLine, score: Math.round(score * 1e4) / 1e4 }));
  }

  toJSON(): StoredIndex {
    return {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      root: this.root,
      chunkOptions: this.chunkOptions,
      files: [...this.files.values()].map((f) => ({
        path: f.path,
        mtimeMs: f.mtimeMs,
        size: f.size,
        ...(f.skip ? { skip: f.skip } : {}),
        chunks: f.chunks.map((c) => [c.startLine, c.endLine, encodeTf(c.tf)] as [number, number, string]),
      })),
    };
  }

  /** Rebuilds an index from its stored form; throws on anything malformed (the caller rebuilds from the files). */
  static fromJSON(data: unknown, root: string): WorkspaceIndex {
    const d = data as StoredIndex;
    if (!d || typeof d !== 'object' || d.format !== INDEX_FORMAT) throw new StoredIndexError('corrupt', 'not an index file');
    if (d.version !== INDEX_VERSION) throw new StoredIndexError('old-format', `format version ${d.version}, expected ${INDEX_VERSION}`);
    if (d.root !== root) throw new StoredIndexError('other-folder', `built for ${d.root}`);
    if (!Array.isArray(d.files)) throw new StoredIndexError('corrupt', 'no file list');
    const index = new WorkspaceIndex(root, d.chunkOptions ?? {});
    for (const f of d.files) {
      if (typeof f?.path !== 'string' || typeof f.mtimeMs !== 'number' || typeof f.size !== 'number' || !Array.isArray(f.chunks)) throw new StoredIndexError('corrupt', 'malformed file entry');
      if (f.skip) {
        index.markSkipped(f.path, f, f.skip);
        continue;
      }
      const chunks = f.chunks.map((c) => {
        if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number' || typeof c[2] !== 'string') throw new StoredIndexError('corrupt', 'malformed chunk');
        const tf = decodeTf(c[2]);
        let len = 0;
        for (const v of tf.values()) len += v;
        return { startLine: c[0], endLine: c[1], tf, len };
      });
      index.insert(f.path, f, chunks);
    }
    return index;
  }
}

export interface StoredIndex {
  format: string;
  version: number;
  root: string;
  chunkOptions?: ChunkOptions;
  files: Array<{ path: string; mtimeMs: number; size: number; skip?: SkipReason; chunks: Array<[number, number, string]> }>;
}

export class StoredIndexError extends Error {
  constructor(readonly reason: 'missing' | 'corrupt' | 'old-format' | 'other-folder', message: string) {
    super(message);
  }
}

function termCounts(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}
/** "term count term count …": terms never contain spaces; much smaller than JSON objects. */
function encodeTf(tf: Map<string, number>): string {
  const parts: string[] = [];
  for (const [t, c] of tf) parts.push(c === 1 ? t : `${t}*${c}`);
  return parts.join(' ');
}
function decodeTf(s: string): Map<string, number> {
  const m = new Map<string, number>();
  if (!s) return m;
  for (const p of s.split(' ')) {
    const star = p.lastIndexOf('*');
    const c = star > 0 ? Number(p.slice(star + 1)) : 1;
    if (!Number.isInteger(c) || c < 1) throw new StoredIndexError('corrupt', 'malformed term count');
    m.set(star > 0 ? p.slice(0, star) : p, c);
  }
  return m;
}
function getOrAdd<K, V>(m: Map<K, Set<V>>, k: K): Set<V> {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  return s;
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------- persistence ----------

/** Writes the index atomically: a temp file in the same folder, then rename (a crash never leaves half a file). */
export async function saveIndex(index: WorkspaceIndex, file: string): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const text = JSON.stringify(index.toJSON());
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return Buffer.byteLength(text);
}

export async function loadIndex(file: string, root: string): Promise<WorkspaceIndex> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new StoredIndexError('missing', 'no stored index');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new StoredIndexError('corrupt', 'not valid JSON (truncated?)');
  }
  return WorkspaceIndex.fromJSON(data, root);
}

// ---------- build / refresh ----------

export interface BuildOptions extends DiscoverOptions {
  /** Where the index is stored; reused when valid, rewritten when anything changed. */
  cacheFile?: string;
  chunkOptions?: ChunkOptions;
  onProgress?: (done: number, total: number) => void;
}

export interface BuildStats {
  root: string;
  files: number;
  chunks: number;
  skipped: SkipCounts;
  capped: boolean;
  /** Files read and indexed in this build (the rest were reused unchanged). */
  indexed: number;
  reused: number;
  removed: number;
  /** Why a stored index was not reused, when it wasn't. */
  rebuilt?: StoredIndexError['reason'];
  sizeBytes?: number;
  buildMs: number;
}

/** Builds or refreshes the index of a folder, reusing the stored one for files whose mtime and size are unchanged. */
export async function buildIndex(folder: string, opts: BuildOptions = {}): Promise<{ index: WorkspaceIndex; stats: BuildStats }> {
  const t0 = performance.now();
  const discovery = await discoverFiles(folder, opts);
  const root = discovery.root;
  let index: WorkspaceIndex | undefined;
  let rebuilt: BuildStats['rebuilt'];
  if (opts.cacheFile) {
    try {
      index = await loadIndex(opts.cacheFile, root);
      if (JSON.stringify(index.toJSON().chunkOptions ?? {}) !== JSON.stringify(opts.chunkOptions ?? {})) throw new StoredIndexError('old-format', 'other chunk options');
    } catch (e) {
      index = undefined;
      rebuilt = e instanceof StoredIndexError ? e.reason : 'corrupt';
    }
  }
  index ??= new WorkspaceIndex(root, opts.chunkOptions ?? {});
  const skipped: SkipCounts = { ...discovery.skipped };
  const present = new Set<string>();
  let indexed = 0;
  let reused = 0;
  let since = performance.now();
  for (let i = 0; i < discovery.files.length; i++) {
    if (opts.signal?.aborted) throw new LabError('aborted', 'Indexing was cancelled.');
    if (performance.now() - since > 8) {
      await new Promise<void>((r) => setImmediate(r));
      since = performance.now();
      opts.onProgress?.(i, discovery.files.length);
    }
    const f = discovery.files[i];
    present.add(f.path);
    const old = index.stat(f.path);
    if (old && old.mtimeMs === f.mtimeMs && old.size === f.size) {
      reused++;
      if (old.skip) count(skipped, old.skip);
      continue;
    }
    const read = await readIndexableFile(f.absPath);
    if ('skip' in read) {
      count(skipped, read.skip);
      index.markSkipped(f.path, f, read.skip);
    } else {
      index.updateFile(f.path, read.text, f);
    }
    indexed++;
  }
  let removed = 0;
  for (const p of index.paths()) if (!present.has(p) && index.removeFile(p)) removed++;
  let sizeBytes: number | undefined;
  if (opts.cacheFile) {
    if (indexed || removed || rebuilt) sizeBytes = await saveIndex(index, opts.cacheFile);
    else sizeBytes = (await fs.stat(opts.cacheFile).catch(() => undefined))?.size;
  }
  opts.onProgress?.(discovery.files.length, discovery.files.length);
  const { files, chunks } = index.size;
  return {
    index,
    stats: { root, files, chunks, skipped, capped: discovery.capped, indexed, reused, removed, ...(rebuilt && rebuilt !== 'missing' ? { rebuilt } : {}), sizeBytes, buildMs: Math.round(performance.now() - t0) },
  };
}

/**
 * Re-reads one file after a change event (or removes it when it is gone): the incremental path. The path rules of
 * discovery apply (ignore files, excludes, secrets, generated, size), so an event for `.env` indexes nothing.
 */
export async function refreshFile(index: WorkspaceIndex, relPath: string, opts: DiscoverOptions = {}): Promise<'updated' | 'removed' | SkipReason> {
  const abs = path.join(index.root, relPath);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat?.isFile()) {
    index.removeFile(relPath);
    return 'removed';
  }
  const pathSkip = await checkPath(index.root, relPath, opts);
  if (pathSkip) {
    index.removeFile(relPath);
    return pathSkip;
  }
  const read = await readIndexableFile(abs);
  if ('skip' in read) {
    index.markSkipped(relPath, stat, read.skip);
    return read.skip;
  }
  index.updateFile(relPath, read.text, stat);
  return 'updated';
}
