/**
 * Which files of a workspace folder the index reads, and why the others are skipped. Discovery works from paths
 * and stats only (cheap, so start-up can compare against the stored index without reading every file); content
 * checks (binary, minified) happen when a file is read with readIndexableFile. Every skip is counted by reason.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { LabError } from '../runtime/errors';
import { IgnoreLayer, isIgnored, parseIgnoreFile, parseIgnorePattern, IgnoreRule } from './gitignore';

export type SkipReason =
  | 'ignored' // .gitignore / .foundrylabignore
  | 'excluded' // extra exclude globs (files.exclude, search.exclude)
  | 'secret'
  | 'generated'
  | 'binary'
  | 'minified'
  | 'too-large'
  | 'unreadable'
  | 'symlink-loop'
  | 'capped';

export type SkipCounts = Partial<Record<SkipReason, number>>;

export interface DiscoveredFile {
  /** Workspace-relative, forward slashes. */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface DiscoverOptions {
  /** Glob patterns relative to the folder (files.exclude / search.exclude style, e.g. `**\/*.snap`). */
  exclude?: string[];
  /** Largest file read, bytes (default 1 MB). */
  maxFileBytes?: number;
  /** Most files indexed (default 20,000); beyond it the result says `capped`. */
  maxFiles?: number;
  /** Index secrets anyway (off by default). */
  includeSecrets?: boolean;
  signal?: AbortSignal;
}

export interface DiscoveryReport {
  root: string;
  files: DiscoveredFile[];
  skipped: SkipCounts;
  capped: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILES = 20000;

const SECRET_PATTERNS = [
  '.env', '.env.*', '*.env', '*.pem', '*.key', '*.p12', '*.pfx', '*.jks', '*.keystore', '*.crt', '*.cer', '*.der',
  'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', 'credentials', 'credentials.*', '*credentials*.json',
  '.netrc', '.pgpass', '.npmrc', '.pypirc', '*.kdbx', 'secrets.*', '.htpasswd', '*.tfstate', '*.tfvars',
];
const GENERATED_PATTERNS = [
  'node_modules/', 'dist/', 'build/', 'out/', 'target/', 'coverage/', '.next/', '.nuxt/', '__pycache__/', '.venv/',
  'venv/', '.gradle/', '.tox/', '.mypy_cache/', '.pytest_cache/', '.cache/', 'bower_components/',
  'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'npm-shrinkwrap.json', 'Cargo.lock', 'go.sum', 'poetry.lock',
  'Pipfile.lock', 'composer.lock', 'Gemfile.lock', 'packages.lock.json', 'bun.lockb', 'uv.lock',
  '*.min.js', '*.min.css', '*.map', '*.pyc', '*.class', '*.o', '*.obj',
];
/** Extensions that are binary without reading them. */
const BINARY_EXT = new Set(
  ('png jpg jpeg gif bmp ico webp tiff psd svgz pdf zip gz tgz bz2 xz 7z rar tar jar war ear exe dll so dylib a lib ' +
    'bin dat db sqlite sqlite3 woff woff2 ttf otf eot mp3 mp4 wav ogg flac avi mov mkv webm onnx pt pth safetensors ' +
    'gguf pb tflite npy npz pkl parquet vsix wasm class pyc node')
    .split(' '),
);
const ALWAYS_SKIPPED_DIRS = new Set(['.git', '.hg', '.svn']);

const secretRules = SECRET_PATTERNS.map((p) => parseIgnorePattern(p)!);
const generatedRules = GENERATED_PATTERNS.map((p) => parseIgnorePattern(p)!);

function anyRule(rules: IgnoreRule[], rel: string, isDir: boolean): boolean {
  return rules.some((r) => (!r.dirOnly || isDir) && r.re.test(rel));
}

export function count(skips: SkipCounts, reason: SkipReason, n = 1): void {
  skips[reason] = (skips[reason] ?? 0) + n;
}

/** Discovery and the build stop here when cancelled. */
export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LabError('aborted', 'Indexing was cancelled.');
}

const IGNORE_FILE_NAMES = ['.gitignore', '.foundrylabignore'];
/** Stats in flight at once during discovery. */
const STAT_BATCH = 32;

/** Lets the event loop run between batches: discovery never blocks for long. */
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export async function discoverFiles(root: string, opts: DiscoverOptions = {}): Promise<DiscoveryReport> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const excludeRules = (opts.exclude ?? []).map((g) => parseIgnorePattern(g.replace(/^\.\//, ''), { anchored: g.includes('/') })).filter((r): r is IgnoreRule => !!r);
  const skipped: SkipCounts = {};
  const files: DiscoveredFile[] = [];
  let capped = false;
  const seenDirs = new Set<string>();
  const rootReal = await fs.realpath(root);
  seenDirs.add(rootReal);

  // Depth-first, directory by directory; each directory carries the ignore layers that apply to it.
  const stack: Array<{ rel: string; abs: string; layers: IgnoreLayer[] }> = [{ rel: '', abs: rootReal, layers: [] }];
  let sinceYield = performance.now();
  while (stack.length) {
    throwIfCancelled(opts.signal);
    if (performance.now() - sinceYield > 8) {
      await yieldNow();
      sinceYield = performance.now();
    }
    const dir = stack.pop()!;
    const layers = [...dir.layers];
    const ignoreTexts = await Promise.all(IGNORE_FILE_NAMES.map((name) => fs.readFile(path.join(dir.abs, name), 'utf8').catch(() => undefined)));
    for (const text of ignoreTexts) if (text !== undefined) layers.push({ base: dir.rel, rules: parseIgnoreFile(text) });
    let entries: import('fs').Dirent[];
    try {
      entries = await fs.readdir(dir.abs, { withFileTypes: true });
    } catch {
      count(skipped, 'unreadable');
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // name order: the first path to a real folder claims it
    const subdirs: typeof stack = [];
    // Files that pass the path rules, in name order; their stats are taken STAT_BATCH at a time (the latency of one
    // stat after another dominated discovery), then admitted in order exactly as one by one would.
    const candidates: Array<{ rel: string; abs: string; stat?: import('fs').Stats }> = [];
    for (const entry of entries) {
      const rel = dir.rel ? `${dir.rel}/${entry.name}` : entry.name;
      const abs = path.join(dir.abs, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let stat: import('fs').Stats | undefined;
      if (entry.isSymbolicLink()) {
        stat = await fs.stat(abs).catch(() => undefined);
        if (!stat) {
          count(skipped, 'unreadable');
          continue;
        }
        isDir = stat.isDirectory();
        isFile = stat.isFile();
      }
      if (!isDir && !isFile) continue; // sockets, fifos
      if (isDir && ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
      const reason = classifyPath(rel, entry.name, isDir, layers, excludeRules, opts.includeSecrets ?? false);
      if (reason) {
        count(skipped, reason);
        continue;
      }
      if (isDir) {
        const real = await fs.realpath(abs).catch(() => undefined);
        if (!real || seenDirs.has(real)) {
          count(skipped, real ? 'symlink-loop' : 'unreadable');
          continue;
        }
        seenDirs.add(real);
        subdirs.push({ rel, abs: real, layers });
        continue;
      }
      candidates.push({ rel, abs, stat });
    }
    for (let i = 0; i < candidates.length; i += STAT_BATCH) {
      const batch = candidates.slice(i, i + STAT_BATCH);
      // Past the cap nothing more is admitted: no stat needed.
      const stats = files.length >= maxFiles ? batch.map(() => undefined) : await Promise.all(batch.map((c) => c.stat ?? fs.stat(c.abs).catch(() => undefined)));
      batch.forEach((c, k) => {
        const stat = stats[k];
        if (files.length >= maxFiles) {
          capped = true;
          count(skipped, 'capped');
        } else if (!stat) count(skipped, 'unreadable');
        else if (stat.size > maxBytes) count(skipped, 'too-large');
        else files.push({ path: c.rel, absPath: c.abs, size: stat.size, mtimeMs: stat.mtimeMs });
      });
    }
    stack.push(...subdirs.reverse()); // reversed: the stack pops them in name order
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root: rootReal, files, skipped, capped };
}

/**
 * The same path rules as discoverFiles, for one path (a file-watcher event): the ignore files of every folder on
 * the way, each ancestor folder and the file itself. Returns why it is skipped, or undefined to index it.
 */
export async function checkPath(root: string, relPath: string, opts: DiscoverOptions = {}): Promise<SkipReason | undefined> {
  const excludeRules = (opts.exclude ?? []).map((g) => parseIgnorePattern(g.replace(/^\.\//, ''), { anchored: g.includes('/') })).filter((r): r is IgnoreRule => !!r);
  const segments = relPath.split('/').filter(Boolean);
  const layers: IgnoreLayer[] = [];
  for (let i = 0; i < segments.length; i++) {
    const dirRel = segments.slice(0, i).join('/');
    for (const name of ['.gitignore', '.foundrylabignore']) {
      const text = await fs.readFile(path.join(root, dirRel, name), 'utf8').catch(() => undefined);
      if (text !== undefined) layers.push({ base: dirRel, rules: parseIgnoreFile(text) });
    }
    const isDir = i < segments.length - 1;
    if (isDir && ALWAYS_SKIPPED_DIRS.has(segments[i])) return 'ignored';
    const reason = classifyPath(segments.slice(0, i + 1).join('/'), segments[i], isDir, layers, excludeRules, opts.includeSecrets ?? false);
    if (reason) return reason;
  }
  const stat = await fs.stat(path.join(root, relPath)).catch(() => undefined);
  if (stat && stat.size > (opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)) return 'too-large';
  return undefined;
}

/** Why a path is skipped before reading it, or undefined to keep it. */
export function classifyPath(rel: string, name: string, isDir: boolean, layers: IgnoreLayer[], exclude: IgnoreRule[], includeSecrets: boolean): SkipReason | undefined {
  if (isIgnored(layers, rel, isDir)) return 'ignored';
  if (exclude.length && anyRule(exclude, rel, isDir)) return 'excluded';
  if (!includeSecrets && !isDir && anyRule(secretRules, name, false)) return 'secret';
  if (anyRule(generatedRules, name, isDir)) return 'generated';
  if (!isDir) {
    const dot = name.lastIndexOf('.');
    if (dot > 0 && BINARY_EXT.has(name.slice(dot + 1).toLowerCase())) return 'binary';
  }
  return undefined;
}

/** Reads a discovered file, or says why it is not indexed (binary, minified, unreadable). */
export async function readIndexableFile(absPath: string): Promise<{ text: string } | { skip: SkipReason }> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(absPath);
  } catch {
    return { skip: 'unreadable' };
  }
  const reason = classifyContent(buf);
  return reason ? { skip: reason } : { text: buf.toString('utf8') };
}

/** NUL bytes in the first 8 KB: binary. Very long lines: minified or generated data, useless as context. */
export function classifyContent(buf: Buffer): SkipReason | undefined {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return 'binary';
  const sample = buf.subarray(0, 65536).toString('utf8');
  let longest = 0;
  let start = 0;
  let lines = 0;
  for (let i = 0; i <= sample.length; i++) {
    if (i === sample.length || sample.charCodeAt(i) === 10) {
      longest = Math.max(longest, i - start);
      start = i + 1;
      lines++;
    }
  }
  if (longest > 5000) return 'minified';
  if (sample.length > 4096 && sample.length / lines > 500) return 'minified';
  return undefined;
}
