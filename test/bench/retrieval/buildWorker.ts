/**
 * One index build in a fresh process, so the two systems' memory never mixes: discovery, reading every file and
 * indexing it, timed end to end. Prints one JSON line: build ms, peak RSS above the process's start, and the heap the
 * finished index retains (after a forced GC). Usage: node --expose-gc buildWorker.js ours|minisearch DIR
 */
import { buildIndex } from '../../../src/core/rag/index';
import { discoverFiles, readIndexableFile } from '../../../src/core/rag/files';
import { buildMiniSearch } from './baselines';

async function main() {
  const [system, dir] = process.argv.slice(2);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let keep: unknown;
  let files = 0;
  if (system === 'ours') {
    const { index, stats } = await buildIndex(dir);
    keep = index;
    files = stats.files;
  } else {
    const discovery = await discoverFiles(dir);
    const docs: Array<{ path: string; text: string }> = [];
    // Read as ours reads (16 ahead, in order), so the build times compare indexing, not I/O strategies.
    const reads = discovery.files.map(() => undefined as ReturnType<typeof readIndexableFile> | undefined);
    for (let i = 0; i < discovery.files.length; i++) {
      for (let j = i; j < Math.min(discovery.files.length, i + 17); j++) reads[j] ??= readIndexableFile(discovery.files[j].absPath);
      const r = await reads[i]!;
      reads[i] = undefined;
      if ('text' in r) docs.push({ path: discovery.files[i].path, text: r.text });
    }
    keep = buildMiniSearch(docs);
    files = docs.length;
  }
  const ms = performance.now() - t0;
  // maxRSS is the process's peak resident set (KiB): catches transient garbage a post-build sample would miss.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc?.();
  const heap = process.memoryUsage().heapUsed - heap0;
  process.stdout.write(JSON.stringify({ system, files, ms, peakRssMB: (peakRss - rss0) / 2 ** 20, heapMB: heap / 2 ** 20, kept: !!keep }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exitCode = 1;
});
