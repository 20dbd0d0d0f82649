/** The two baselines, over whole files: the workshop's word-count scoring and MiniSearch with its defaults. */
import MiniSearch from 'minisearch';

/** Lower-cased words, split on non-word characters (the workshop's "count the query words"). */
function words(s: string): string[] {
  return s.toLowerCase().split(/\W+/).filter(Boolean);
}

export class WordCount {
  private readonly docs: Array<{ path: string; words: Set<string> }>;
  constructor(files: Array<{ path: string; text: string }>) {
    this.docs = files.map((f) => ({ path: f.path, words: new Set(words(f.text)) }));
  }
  /** Files by how many distinct query words they contain; ties in path order (the scoring has no other signal). */
  rank(query: string, limit: number): string[] {
    const q = [...new Set(words(query))];
    const scored: Array<[string, number]> = [];
    for (const d of this.docs) {
      let n = 0;
      for (const w of q) if (d.words.has(w)) n++;
      if (n) scored.push([d.path, n]);
    }
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, limit).map((s) => s[0]);
  }
}

export function buildMiniSearch(files: Array<{ path: string; text: string }>): MiniSearch {
  const ms = new MiniSearch({ fields: ['path', 'content'] });
  ms.addAll(files.map((f, i) => ({ id: i, path: f.path, content: f.text })));
  return ms;
}

export function miniSearchRank(ms: MiniSearch, paths: string[], query: string, limit: number): string[] {
  return ms
    .search(query)
    .slice(0, limit)
    .map((r) => paths[r.id as number]);
}
