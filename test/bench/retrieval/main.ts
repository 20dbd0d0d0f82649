/**
 * Retrieval evaluation on real history (issue 5, "Measured, in npm run bench"). For each repository: index HEAD's
 * tree, turn commits into queries (subject → the source files it touched, see queries.ts), and rank files with
 * three systems over the same discovered files — the workshop's word count, MiniSearch (stock BM25, defaults,
 * whole files) and ours (chunks; a file's rank is its best chunk's). Also build time and memory of ours vs
 * MiniSearch (each in its own process), query latency and one-file update latency of ours.
 *
 * `npm run bench:retrieval` runs only this; `npm run bench` includes it under `retrieval`.
 * Options: --max-queries N (default 300), --repos a/b,c/d, --builds N (build rounds per system, default 3).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, promises as fs, writeFileSync } from 'fs';
import { join } from 'path';
import { summarize } from '../../../src/core/metrics/stats';
import { discoverFiles, readIndexableFile } from '../../../src/core/rag/files';
import { buildIndex, refreshFile, WorkspaceIndex } from '../../../src/core/rag/index';
import { buildMiniSearch, miniSearchRank, WordCount } from './baselines';
import { commitQueries, Query } from './queries';
import { BenchRepo, gitDir, materialize, REPOS } from './repos';

const projectRoot = join(__dirname, '..', '..', '..', '..');

export interface Quality {
  hit5: number;
  hit10: number;
  mrr: number;
}

/** File-level metrics: a query hits at k when any answer file is in the first k; MRR over the first 100 files. */
function score(ranked: string[][], queries: Query[]): Quality {
  let h5 = 0, h10 = 0, rr = 0;
  ranked.forEach((files, i) => {
    const ans = new Set(queries[i].answers);
    const r = files.findIndex((f) => ans.has(f));
    if (r >= 0 && r < 5) h5++;
    if (r >= 0 && r < 10) h10++;
    if (r >= 0) rr += 1 / (r + 1);
  });
  const n = queries.length || 1;
  return { hit5: (100 * h5) / n, hit10: (100 * h10) / n, mrr: rr / n };
}

/** Ours at file level: chunks best first, each file at its first (best) chunk. */
export function rankFiles(index: WorkspaceIndex, query: string, limit: number): string[] {
  const seen = new Set<string>();
  for (const r of index.retrieve(query, { topK: limit * 4 })) {
    seen.add(r.path);
    if (seen.size >= limit) break;
  }
  return [...seen];
}

function buildInChild(system: 'ours' | 'minisearch', dir: string): { ms: number; peakRssMB: number; heapMB: number; files: number } {
  const worker = join(__dirname, 'buildWorker.js');
  const r = spawnSync(process.execPath, ['--expose-gc', worker, system, dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${system} build failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function evaluateRepo(repo: BenchRepo, opts: { maxQueries: number; builds: number }): Promise<Record<string, unknown>> {
  const { dir, head } = materialize(repo);
  const discovery = await discoverFiles(dir);
  const docs: Array<{ path: string; text: string }> = [];
  for (const f of discovery.files) {
    const r = await readIndexableFile(f.absPath);
    if ('text' in r) docs.push({ path: f.path, text: r.text });
  }
  const paths = docs.map((d) => d.path);
  const { queries, considered, dropped } = commitQueries(gitDir(repo), repo, new Set(paths), opts.maxQueries);

  const { index } = await buildIndex(dir);
  const ms = buildMiniSearch(docs);
  const wc = new WordCount(docs);

  const oursRanked: string[][] = [];
  const latency: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    index.retrieve(q.text, { topK: 10 });
    latency.push(performance.now() - t);
    oursRanked.push(rankFiles(index, q.text, 100));
  }
  const quality = {
    wordCount: score(queries.map((q) => wc.rank(q.text, 100)), queries),
    miniSearch: score(queries.map((q) => miniSearchRank(ms, paths, q.text, 100)), queries),
    ours: score(oursRanked, queries),
  };

  // One-file update: append a line to a file (a small edit), refreshFile, restore. Every 1/40th file, source only.
  const update: number[] = [];
  const sources = paths.filter((p) => repo.exts.some((e) => p.endsWith(e)));
  const step = Math.max(1, Math.floor(sources.length / 40));
  for (let i = 0; i < sources.length; i += step) {
    const abs = join(dir, sources[i]);
    const original = await fs.readFile(abs);
    try {
      await fs.writeFile(abs, Buffer.concat([original, Buffer.from('\n// edited by the retrieval bench\n')]));
      const t = performance.now();
      await refreshFile(index, sources[i]);
      update.push(performance.now() - t);
    } finally {
      await fs.writeFile(abs, original);
    }
  }

  const oursBuilds = [];
  const msBuilds = [];
  for (let i = 0; i < opts.builds; i++) {
    oursBuilds.push(buildInChild('ours', dir));
    msBuilds.push(buildInChild('minisearch', dir));
  }
  const agg = (b: Array<{ ms: number; peakRssMB: number; heapMB: number }>) => ({ ms: median(b.map((x) => x.ms)), peakRssMB: median(b.map((x) => x.peakRssMB)), heapMB: median(b.map((x) => x.heapMB)) });

  return {
    repo: repo.name,
    lang: repo.lang,
    role: repo.role,
    head,
    files: docs.length,
    chunks: index.size.chunks,
    commits: considered,
    dropped,
    queries: queries.length,
    quality,
    build: { ours: agg(oursBuilds), miniSearch: agg(msBuilds), rounds: opts.builds },
    queryMs: summarize(latency),
    updateMs: summarize(update),
    sampleQueries: queries.slice(0, 3).map((q) => ({ query: q.text, answers: q.answers })),
  };
}

export async function runRetrievalBench(argv: string[] = []): Promise<{ results: unknown[]; skipped: string[]; combined?: unknown; table: string }> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const maxQueries = Number(arg('--max-queries') ?? 300);
  const builds = Number(arg('--builds') ?? 3);
  const only = arg('--repos')?.split(',');
  const results: Array<Record<string, any>> = [];
  const skipped: string[] = [];
  for (const repo of REPOS) {
    if (only && !only.includes(repo.name)) continue;
    if (!existsSync(gitDir(repo))) {
      const line = `skipped: run fetch for github:${repo.name} (no mirror at ${gitDir(repo)})`;
      skipped.push(line);
      process.stdout.write(line + '\n');
      continue;
    }
    process.stderr.write(`retrieval: ${repo.name}…\n`);
    results.push(await evaluateRepo(repo, { maxQueries, builds }));
  }
  let combined: Awaited<ReturnType<typeof combinedLatency>> | undefined;
  const evaluated = REPOS.filter((r) => results.some((x) => x.repo === r.name));
  if (evaluated.length > 1) {
    process.stderr.write('retrieval: all repositories in one index (query latency at scale)…\n');
    combined = await combinedLatency(evaluated, maxQueries);
  }
  const combinedLine = combined
    ? `\nOne index of all ${evaluated.length} repositories (${combined.files} files, ${combined.chunks} chunks): query p50 / p95 ${combined.queryMs!.p50.toFixed(2)} / ${combined.queryMs!.p95.toFixed(2)} ms over ${combined.queries} queries.`
    : '';
  return { results, skipped, combined, table: table(results) + combinedLine };
}

/**
 * Query latency on a workspace larger than any single repository here: every evaluated repository indexed together
 * (paths prefixed by the repository's name), asked every repository's queries.
 */
async function combinedLatency(repos: BenchRepo[], maxQueries: number) {
  const index = new WorkspaceIndex('/combined');
  const queries: string[] = [];
  for (const repo of repos) {
    const { dir } = materialize(repo);
    const paths = new Set<string>();
    for (const f of (await discoverFiles(dir)).files) {
      const r = await readIndexableFile(f.absPath);
      if (!('text' in r)) continue;
      index.updateFile(`${repo.name}/${f.path}`, r.text, f);
      paths.add(f.path);
    }
    queries.push(...commitQueries(gitDir(repo), repo, paths, maxQueries).queries.map((q) => q.text));
  }
  const latency = queries.map((q) => {
    const t = performance.now();
    index.retrieve(q, { topK: 10 });
    return performance.now() - t;
  });
  return { files: index.fileCount, chunks: index.size.chunks, queries: queries.length, queryMs: summarize(latency) };
}

function table(results: Array<Record<string, any>>): string {
  const f1 = (x: number) => x.toFixed(1);
  const q = (s: Quality) => `${f1(s.hit5)} / ${f1(s.hit10)} / ${s.mrr.toFixed(3)}`;
  const rows = [
    '| repo (lang, files, queries) | word count h@5/h@10/MRR | MiniSearch h@5/h@10/MRR | ours h@5/h@10/MRR | build ms ours / MiniSearch | peak RSS MB ours / MiniSearch | query p50/p95 ms | update p50/p95 ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    rows.push(
      `| ${r.repo}${r.role === 'check' ? ' (check)' : ''} (${r.lang}, ${r.files}, ${r.queries}) | ${q(r.quality.wordCount)} | ${q(r.quality.miniSearch)} | ${q(r.quality.ours)} | ${Math.round(r.build.ours.ms)} / ${Math.round(r.build.miniSearch.ms)} | ${Math.round(r.build.ours.peakRssMB)} / ${Math.round(r.build.miniSearch.peakRssMB)} | ${r.queryMs.p50.toFixed(2)} / ${r.queryMs.p95.toFixed(2)} | ${r.updateMs.p50.toFixed(2)} / ${r.updateMs.p95.toFixed(2)} |`,
    );
  }
  return rows.join('\n');
}

if (require.main === module) {
  runRetrievalBench(process.argv.slice(2))
    .then((r) => {
      process.stdout.write(r.table + '\n');
      const dir = join(projectRoot, 'bench-results');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'retrieval.json'), JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2) + '\n');
    })
    .catch((e) => {
      process.stderr.write(`retrieval bench failed: ${e?.stack ?? e}\n`);
      process.exitCode = 1;
    });
}
