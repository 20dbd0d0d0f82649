/**
 * Which folders a retrieval searches and, in each, which paths it keeps. Scope entries are workspace-relative; in a
 * multi-root workspace an entry starts with the folder's name (`api/src/auth`), and an entry that names no folder
 * applies to every folder. Absolute paths are placed in the folder that contains them. No VS Code API (unit-tested).
 */
import * as path from 'path';

export interface ScopeFolder {
  name: string;
  root: string;
}

/** undefined: every folder, everything. Otherwise folder root → folder-relative paths ([] = the whole folder). */
export function resolveScope(scope: readonly string[] | undefined, folders: readonly ScopeFolder[]): Map<string, string[]> | undefined {
  const entries = (scope ?? []).map((s) => s.trim()).filter(Boolean);
  if (!entries.length) return undefined;
  const result = new Map<string, string[]>();
  const whole = new Set<string>();
  const add = (root: string, rel: string) => {
    const clean = rel.replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, '');
    if (!clean || clean === '.') whole.add(root);
    const list = result.get(root) ?? [];
    if (clean && clean !== '.') list.push(clean);
    result.set(root, list);
  };
  for (const entry of entries) {
    if (path.isAbsolute(entry)) {
      const owner = folders.find((f) => {
        const rel = path.relative(f.root, entry);
        return !rel.startsWith('..') && !path.isAbsolute(rel);
      });
      if (owner) add(owner.root, path.relative(owner.root, entry).split(path.sep).join('/'));
      continue;
    }
    const norm = entry.replace(/\\/g, '/');
    if (folders.length === 1) {
      add(folders[0].root, norm);
      continue;
    }
    const [first, ...rest] = norm.replace(/^\.?\/+/, '').split('/');
    const named = folders.find((f) => f.name === first);
    if (named) add(named.root, rest.join('/'));
    else for (const f of folders) add(f.root, norm);
  }
  for (const root of whole) result.set(root, []);
  return result;
}
