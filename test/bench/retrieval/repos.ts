/**
 * The repositories of the retrieval evaluation. Nothing of them is in this project: each is read at run time from
 * the bare mirror the `fetch` tool leaves in /work/.mirror (or $RETRIEVAL_MIRRORS), and its HEAD tree is extracted
 * once into a cache folder outside the repository.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

export interface BenchRepo {
  /** owner/name on GitHub. */
  name: string;
  lang: string;
  /** Extensions of the language's source files: a commit's answer set is the source files it touched. */
  exts: string[];
  /** 'tune': ranking was tuned on it; 'check': an independent check, never tuned on. */
  role: 'tune' | 'check';
}

export const REPOS: BenchRepo[] = [
  { name: 'gohugoio/hugo', lang: 'Go', exts: ['.go'], role: 'tune' },
  { name: 'tokio-rs/tokio', lang: 'Rust', exts: ['.rs'], role: 'tune' },
  { name: 'bevyengine/bevy', lang: 'Rust', exts: ['.rs'], role: 'tune' },
  { name: 'google/error-prone', lang: 'Java', exts: ['.java'], role: 'tune' },
  { name: 'square/okhttp', lang: 'Kotlin/Java', exts: ['.kt', '.java'], role: 'check' },
];

export const MIRRORS = process.env.RETRIEVAL_MIRRORS ?? '/work/.mirror';
export const CACHE = process.env.RETRIEVAL_CACHE ?? join(tmpdir(), 'foundry-lab-retrieval-bench');

export function gitDir(repo: BenchRepo): string {
  return join(MIRRORS, repo.name.replace('/', '+'), 'repo');
}

export function git(dir: string, args: string[]): string {
  const r = spawnSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** HEAD's tree on disk (extracted once per commit; a half-extracted folder is never reused). */
export function materialize(repo: BenchRepo): { dir: string; head: string } {
  const gd = gitDir(repo);
  const head = git(gd, ['rev-parse', 'HEAD']).trim();
  const dir = join(CACHE, `${repo.name.replace('/', '+')}-${head.slice(0, 12)}`);
  if (!existsSync(dir)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    extractTree(gd, tmp);
    renameSync(tmp, dir);
  }
  return { dir, head };
}

/**
 * Writes HEAD's regular files under `dest`. Not `git archive`: a mirror may lack its largest blobs (listed but
 * absent), and archive stops at the first; here a missing blob is left out (it would be a too-large skip anyway).
 */
function extractTree(gd: string, dest: string): void {
  const entries = git(gd, ['ls-tree', '-r', '-z', 'HEAD'])
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const tab = l.indexOf('\t');
      const [mode, type, sha] = l.slice(0, tab).split(' ');
      return { mode, type, sha, path: l.slice(tab + 1) };
    })
    .filter((e) => e.type === 'blob' && e.mode !== '120000');
  const r = spawnSync('git', ['--git-dir', gd, 'cat-file', '--batch'], { input: entries.map((e) => e.sha).join('\n') + '\n', maxBuffer: 4 * 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git cat-file failed: ${r.stderr}`);
  const out = r.stdout as Buffer;
  let pos = 0;
  for (const e of entries) {
    const nl = out.indexOf(10, pos);
    const header = out.subarray(pos, nl).toString();
    pos = nl + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    const file = join(dest, e.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, out.subarray(pos, pos + size));
    pos += size + 1;
  }
}
