/**
 * A small .gitignore matcher: comments, escapes, negation (`!`), directory-only patterns (`dir/`), anchoring (a
 * slash at the start or middle), `*`, `?`, `[...]` and `**`. Nested files are layered: rules of a deeper file come
 * later and so win, as in git. Paths are workspace-relative with forward slashes.
 */

export interface IgnoreRule {
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
  source: string;
}

/** Turns a glob into a regular expression body (no anchors). */
export function globToRegExp(glob: string): string {
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const before = i === 0 || glob[i - 1] === '/';
        const after = i + 2 === glob.length || glob[i + 2] === '/';
        if (before && after) {
          if (i + 2 === glob.length) {
            re += '.*'; // trailing `**`: everything inside
            i += 2;
          } else {
            re += '(?:.*/)?'; // `**/`: zero or more directories
            i += 3;
          }
          continue;
        }
        re += '[^/]*';
        i += 2;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
      } else {
        let body = glob.slice(i + 1, end);
        if (body[0] === '!') body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      re += escapeRe(glob[i]);
    } else {
      re += escapeRe(c);
    }
    i++;
  }
  return re;
}

function escapeRe(c: string): string {
  return /[.+^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

/** Parses the text of one .gitignore (or .foundrylabignore). */
export function parseIgnoreFile(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split(/\r?\n/)) {
    // Trailing spaces are dropped unless escaped.
    line = line.replace(/(?<!\\)\s+$/, '');
    if (!line || line.startsWith('#')) continue;
    const rule = parseIgnorePattern(line);
    if (rule) rules.push(rule);
  }
  return rules;
}

export function parseIgnorePattern(pattern: string, opts: { anchored?: boolean } = {}): IgnoreRule | undefined {
  const source = pattern;
  let negate = false;
  if (pattern.startsWith('!')) {
    negate = true;
    pattern = pattern.slice(1);
  } else if (pattern.startsWith('\\!') || pattern.startsWith('\\#')) {
    pattern = pattern.slice(1);
  }
  let dirOnly = false;
  if (pattern.endsWith('/')) {
    dirOnly = true;
    pattern = pattern.replace(/\/+$/, '');
  }
  if (!pattern) return undefined;
  const anchored = opts.anchored || pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  const body = globToRegExp(pattern);
  const re = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
  return { negate, dirOnly, re, source };
}

/** The rules of one ignore file, applying to paths under `base` ('' = the workspace root). */
export interface IgnoreLayer {
  base: string;
  rules: IgnoreRule[];
}

/**
 * Decides a path against layered rules: the last matching rule wins (deeper layers are later). Returns the
 * deciding rule, or undefined when no rule matches. Callers don't descend into ignored directories, which gives
 * git's "a file in an excluded directory cannot be re-included".
 */
export function matchIgnore(layers: readonly IgnoreLayer[], relPath: string, isDir: boolean): IgnoreRule | undefined {
  let decided: IgnoreRule | undefined;
  for (const layer of layers) {
    let sub: string;
    if (!layer.base) sub = relPath;
    else if (relPath.startsWith(layer.base + '/')) sub = relPath.slice(layer.base.length + 1);
    else continue;
    for (const rule of layer.rules) {
      if (rule.dirOnly && !isDir) continue;
      if (rule.re.test(sub)) decided = rule;
    }
  }
  return decided;
}

export function isIgnored(layers: readonly IgnoreLayer[], relPath: string, isDir: boolean): boolean {
  const r = matchIgnore(layers, relPath, isDir);
  return !!r && !r.negate;
}
