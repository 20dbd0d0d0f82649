/**
 * The messages between the extension host (IndexWorkerClient) and the index worker (indexWorker.ts), declared once
 * as a record of `type: [request payload, reply]`, plus the checks each side applies to what it receives. No VS Code
 * API and no Node-only API here: both sides import it.
 *
 * The pause signal is a SharedArrayBuffer rather than a message: a paused build blocks the worker's thread between
 * two files (Atomics.wait), where it could not read a message.
 */
import type { SkipCounts } from '../../core/rag/files';

/** What discovery is told for one folder. */
export interface FolderIndexOptions {
  exclude: string[];
  maxFiles: number;
  maxFileBytes: number;
}

/** What the worker knows of one folder's index (the host adds state, errors and where it is stored). */
export interface FolderIndexStats {
  /** The folder's key: its absolute path as the host gave it. */
  folder: string;
  files: number;
  chunks: number;
  /** Bytes of the stored index; undefined when nothing is stored. */
  sizeBytes?: number;
  buildMs: number;
  /** Skips by reason, as of the last build. */
  skipped: SkipCounts;
  capped: boolean;
  /** Files read in the last build; the rest were reused unchanged from the stored index. */
  indexed: number;
  reused: number;
  removed: number;
  /** Why a stored index was not reused ('corrupt', 'old-format', 'other-folder'). */
  rebuilt?: string;
  /** Date.now() at the end of the last build. */
  builtAt: number;
}

export interface WorkerRetrieval {
  folder: string;
  path: string;
  startLine: number;
  endLine: number;
  score: number;
}

export interface RefreshReply {
  updated: number;
  removed: number;
  skipped: SkipCounts;
  /** A path was a folder (created, moved in): only a full refresh sees what is inside it. */
  rescan: boolean;
  files: number;
  chunks: number;
}

/** Request type → [payload, reply]. */
export interface IndexRequests {
  build: [{ folder: string; cacheFile?: string; options: FolderIndexOptions; drop?: boolean }, FolderIndexStats];
  cancel: [{ target: number }, { cancelled: boolean }];
  refreshFiles: [{ folder: string; paths: string[] }, RefreshReply];
  removeFiles: [{ folder: string; paths: string[] }, RefreshReply];
  /** folders: which to search (default all built); scopes: per folder, folder-relative paths to keep. */
  retrieve: [{ query: string; topK: number; folders?: string[]; scopes?: Record<string, string[]> }, WorkerRetrieval[]];
  status: [Record<string, never>, FolderIndexStats[]];
  removeFolder: [{ folder: string }, { removed: boolean }];
  dispose: [Record<string, never>, { saved: number }];
}

export type IndexRequestType = keyof IndexRequests;
export type IndexRequestOf<T extends IndexRequestType> = { type: T; id: number } & IndexRequests[T][0];
export type IndexRequest = { [T in IndexRequestType]: IndexRequestOf<T> }[IndexRequestType];
export type IndexReply<T extends IndexRequestType> = IndexRequests[T][1];

export type WorkerMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: { code?: string; message: string } }
  | { type: 'progress'; id: number; done: number; total: number; paused?: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export const INDEX_REQUEST_TYPES: readonly IndexRequestType[] = ['build', 'cancel', 'refreshFiles', 'removeFiles', 'retrieve', 'status', 'removeFolder', 'dispose'];

// ---------- checks ----------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isSkips = (v: unknown): v is SkipCounts => isObj(v) && Object.values(v).every(isCount);

function isOptions(v: unknown): v is FolderIndexOptions {
  return isObj(v) && isStrList(v.exclude) && isCount(v.maxFiles) && v.maxFiles > 0 && isCount(v.maxFileBytes) && v.maxFileBytes > 0;
}

const REQUEST_CHECKS: Record<IndexRequestType, (m: Obj) => boolean> = {
  build: (m) => isStr(m.folder) && (m.cacheFile === undefined || isStr(m.cacheFile)) && isOptions(m.options) && (m.drop === undefined || typeof m.drop === 'boolean'),
  cancel: (m) => isCount(m.target),
  refreshFiles: (m) => isStr(m.folder) && isStrList(m.paths),
  removeFiles: (m) => isStr(m.folder) && isStrList(m.paths),
  retrieve: (m) =>
    isStr(m.query) && isCount(m.topK) && m.topK > 0 && (m.folders === undefined || isStrList(m.folders)) && (m.scopes === undefined || (isObj(m.scopes) && Object.values(m.scopes).every(isStrList))),
  status: () => true,
  removeFolder: (m) => isStr(m.folder),
  dispose: () => true,
};

/** The worker's check of what the host sends: a request of a known type with a well-formed payload, or undefined. */
export function parseIndexRequest(data: unknown): IndexRequest | undefined {
  if (!isObj(data) || !isCount(data.id) || !INDEX_REQUEST_TYPES.includes(data.type as IndexRequestType)) return undefined;
  return REQUEST_CHECKS[data.type as IndexRequestType](data) ? (data as unknown as IndexRequest) : undefined;
}

/** The host's check of what the worker sends. */
export function parseWorkerMessage(data: unknown): WorkerMessage | undefined {
  if (!isObj(data)) return undefined;
  switch (data.type) {
    case 'reply':
      if (!isCount(data.id)) return undefined;
      if (data.ok === true) return data as WorkerMessage;
      if (data.ok === false && isObj(data.error) && isStr(data.error.message) && (data.error.code === undefined || isStr(data.error.code))) return data as WorkerMessage;
      return undefined;
    case 'progress':
      return isCount(data.id) && isCount(data.done) && isCount(data.total) && (data.paused === undefined || typeof data.paused === 'boolean') ? (data as WorkerMessage) : undefined;
    case 'log':
      return (data.level === 'info' || data.level === 'warn' || data.level === 'error') && isStr(data.message) ? (data as WorkerMessage) : undefined;
    default:
      return undefined;
  }
}

function isStats(v: unknown): v is FolderIndexStats {
  return (
    isObj(v) && isStr(v.folder) && isCount(v.files) && isCount(v.chunks) && (v.sizeBytes === undefined || isCount(v.sizeBytes)) && isCount(v.buildMs) &&
    isSkips(v.skipped) && typeof v.capped === 'boolean' && isCount(v.indexed) && isCount(v.reused) && isCount(v.removed) &&
    (v.rebuilt === undefined || isStr(v.rebuilt)) && isNum(v.builtAt)
  );
}
function isRetrieval(v: unknown): v is WorkerRetrieval {
  return isObj(v) && isStr(v.folder) && isStr(v.path) && isCount(v.startLine) && isCount(v.endLine) && v.endLine >= v.startLine && isNum(v.score);
}
function isRefresh(v: unknown): v is RefreshReply {
  return isObj(v) && isCount(v.updated) && isCount(v.removed) && isSkips(v.skipped) && typeof v.rescan === 'boolean' && isCount(v.files) && isCount(v.chunks);
}

const REPLY_CHECKS: { [T in IndexRequestType]: (v: unknown) => v is IndexReply<T> } = {
  build: isStats,
  cancel: (v): v is { cancelled: boolean } => isObj(v) && typeof v.cancelled === 'boolean',
  refreshFiles: isRefresh,
  removeFiles: isRefresh,
  retrieve: (v): v is WorkerRetrieval[] => Array.isArray(v) && v.every(isRetrieval),
  status: (v): v is FolderIndexStats[] => Array.isArray(v) && v.every(isStats),
  removeFolder: (v): v is { removed: boolean } => isObj(v) && typeof v.removed === 'boolean',
  dispose: (v): v is { saved: number } => isObj(v) && isCount(v.saved),
};

/** The reply to a request of `type`, checked; undefined when it does not have the shape the protocol declares. */
export function parseReply<T extends IndexRequestType>(type: T, value: unknown): IndexReply<T> | undefined {
  return (REPLY_CHECKS[type] as (v: unknown) => boolean)(value) ? (value as IndexReply<T>) : undefined;
}

// ---------- the pause signal ----------

const PAUSED = 0;
const WAKE = 1;

/** Two Int32 slots shared by host and worker: [0] paused (0/1), [1] a counter bumped when the host posts while paused. */
export function createPauseSignal(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

export function setPaused(signal: Int32Array, paused: boolean): void {
  Atomics.store(signal, PAUSED, paused ? 1 : 0);
  Atomics.notify(signal, PAUSED);
}

/** Lets a paused worker run to its next yield, so that it reads the message just posted (a cancel, a retrieve). */
export function wakeWorker(signal: Int32Array): void {
  Atomics.add(signal, WAKE, 1);
  Atomics.notify(signal, PAUSED);
}

export function isPaused(signal: Int32Array): boolean {
  return Atomics.load(signal, PAUSED) === 1;
}

/**
 * The worker's side: called between two files of a build. Blocks while paused, until resumed or woken for a
 * message. Returns true when it waited.
 */
export class PauseWaiter {
  private lastWake = 0;
  constructor(private readonly signal: Int32Array) {}

  waitWhilePaused(): boolean {
    const wake = Atomics.load(this.signal, WAKE);
    if (wake !== this.lastWake) {
      // A message was posted since the last wait: run on to the next yield so that it is read.
      this.lastWake = wake;
      return false;
    }
    let waited = false;
    while (Atomics.load(this.signal, PAUSED) === 1 && Atomics.load(this.signal, WAKE) === this.lastWake) {
      waited = true;
      Atomics.wait(this.signal, PAUSED, 1, 1000);
    }
    this.lastWake = Atomics.load(this.signal, WAKE);
    return waited;
  }
}
