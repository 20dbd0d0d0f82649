/**
 * The repositories of the retrieval evaluation. Nothing of them is in this project: each is read at run time from
 * the bare mirror the `fetch` tool leaves in /work/.mirror (or $RETRIEVAL_MIRRORS), and its HEAD tree is extracted
 * once into a cache folder outside the repository.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

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
    const r = spawnSync('sh', ['-c', `git --git-dir "${gd}" archive HEAD | tar -x -C "${tmp}"`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`extracting ${repo.name} failed`);
    renameSync(tmp, dir);
  }
  return { dir, head };
}
