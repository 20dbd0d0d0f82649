import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildStats, buildIndex } from '../../core/rag/index';
import type { GlobalOptions } from '../main';
import { CliIO, EXIT_OK, UsageError } from '../output';

export interface IndexCommandOptions {
  workspace?: string;
  exclude?: string[];
  rebuild?: boolean;
}

/** The CLI keeps its index outside the workspace: ${XDG_CACHE_HOME:-~/.cache}/foundry-lab/index/<hash of the folder>. */
export function indexCacheFile(realFolder: string, env: NodeJS.ProcessEnv): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  const hash = createHash('sha256').update(realFolder).digest('hex').slice(0, 16);
  return path.join(cacheHome, 'foundry-lab', 'index', hash, 'index.json');
}

export async function openWorkspace(opts: IndexCommandOptions, io: CliIO) {
  if (!opts.workspace) throw new UsageError('this command needs --workspace DIR.');
  const real = await fs.realpath(opts.workspace).catch(() => undefined);
  if (!real || !(await fs.stat(real)).isDirectory()) throw new UsageError(`--workspace: '${opts.workspace}' is not a folder.`);
  const cacheFile = indexCacheFile(real, io.env);
  if (opts.rebuild) await fs.rm(cacheFile, { force: true });
  const built = await buildIndex(real, { cacheFile, exclude: opts.exclude, signal: io.signal });
  return { ...built, cacheFile };
}

export async function runIndexCommand(global: GlobalOptions, opts: IndexCommandOptions, io: CliIO): Promise<number> {
  const { stats, cacheFile } = await openWorkspace(opts, io);
  if (global.json) {
    io.stdout(JSON.stringify({ ...stats, cacheFile }, null, 2) + '\n');
    return EXIT_OK;
  }
  io.stdout(describeStats(stats, cacheFile) + '\n');
  return EXIT_OK;
}

export function describeStats(s: BuildStats, cacheFile: string): string {
  const skips = Object.entries(s.skipped)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    `Folder:   ${s.root}`,
    `Indexed:  ${s.files} files, ${s.chunks} chunks${s.capped ? ' — CAPPED: more files than the limit; the rest are not indexed' : ''}`,
    `Build:    ${s.buildMs} ms (${s.indexed} read, ${s.reused} unchanged, ${s.removed} removed${s.rebuilt ? `; stored index rebuilt: ${s.rebuilt}` : ''})`,
    `On disk:  ${s.sizeBytes === undefined ? '?' : formatBytes(s.sizeBytes)} — ${cacheFile}`,
    `Skipped:  ${skips || 'nothing'}`,
  ].join('\n');
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export async function runRetrieveCommand(global: GlobalOptions, opts: IndexCommandOptions & { query: string; topK: number; scope?: string[] }, io: CliIO): Promise<number> {
  if (!opts.query.trim()) throw new UsageError('retrieve needs a query: foundry-lab retrieve --workspace DIR "how are sessions created"');
  const { index } = await openWorkspace(opts, io);
  const t0 = performance.now();
  const results = index.retrieve(opts.query, { topK: opts.topK, scope: opts.scope });
  const ms = Math.round((performance.now() - t0) * 100) / 100;
  if (global.json) {
    io.stdout(JSON.stringify({ results, ms }, null, 2) + '\n');
    return EXIT_OK;
  }
  if (!results.length) io.stdout('No matching chunks.\n');
  for (const r of results) io.stdout(`${r.path}:${r.startLine}-${r.endLine}  ${r.score.toFixed(3)}\n`);
  io.stderr(`(${ms} ms)\n`);
  return EXIT_OK;
}
