/**
 * Queries from history: a non-merge commit that touches one to three source files of the repository's language
 * (other files it touches — docs, configs — are ignored), all of them still present in HEAD and indexed, gives one
 * query: its subject is the query, its source files the answer. Test files count as source (a fix often lands in a
 * test). Subjects are cleaned of PR/issue numbers; trivial ones are dropped (see TRIVIAL), also behind a `component:` prefix.
 */
import { BenchRepo, git } from './repos';

export interface Query {
  sha: string;
  text: string;
  answers: string[];
}

/** Release chores, formatting, typos and dependency bumps: their subject says nothing about the code. */
const TRIVIAL = /^(?:\W*)(?:bump|release|prepare|version|v?\d+\.\d+|update (?:readme|changelog|deps|dependencies|copyright|license)|revert|merge|typo|fix typos?|fmt|format|rustfmt|gofmt|cargo fmt|go fmt|run (?:cargo |go )?fmt|clippy|lint|whitespace|wip|cleanup|minor)\b/i;

export function cleanSubject(s: string): string {
  return s
    .replace(/\(#\d+\)|#\d+|\bgh-\d+\b/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` queries, a deterministic sample: qualifying commits ordered by hash. */
export function commitQueries(gitDirPath: string, repo: BenchRepo, indexed: Set<string>, max: number): { queries: Query[]; considered: number; dropped: Record<string, number> } {
  const out = git(gitDirPath, ['log', '--no-merges', '--no-renames', '--format=%x01%H%x02%s', '--name-only', 'HEAD']);
  const dropped: Record<string, number> = { 'not 1-3 source files': 0, 'file gone or not indexed': 0, trivial: 0 };
  const all: Query[] = [];
  let considered = 0;
  for (const rec of out.split('\x01')) {
    if (!rec.trim()) continue;
    considered++;
    const [head, ...rest] = rec.split('\n');
    const [sha, subject] = head.split('\x02');
    const files = [...new Set(rest.map((l) => l.trim()).filter((l) => l && repo.exts.some((e) => l.endsWith(e))))];
    if (files.length < 1 || files.length > 3) {
      dropped['not 1-3 source files']++;
      continue;
    }
    if (!files.every((f) => indexed.has(f))) {
      dropped['file gone or not indexed']++;
      continue;
    }
    const text = cleanSubject(subject ?? '');
    // Fewer than two words of three letters or more: nothing to search with.
    // A chore behind a component prefix is still a chore ("releaser: Bump versions for …", "util: prepare v0.5.1 release").
    if (TRIVIAL.test(text) || TRIVIAL.test(text.replace(/^\s*[\w$./-]+:\s*/, '')) || (text.match(/[A-Za-z]{3,}/g) ?? []).length < 2) {
      dropped.trivial++;
      continue;
    }
    all.push({ sha, text, answers: files });
  }
  all.sort((a, b) => (a.sha < b.sha ? -1 : 1));
  return { queries: all.slice(0, max), considered, dropped };
}
