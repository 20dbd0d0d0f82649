/**
 * The workspace index's settings (`foundryLab.ask.indexOnStartup`, `ask.exclude`, `ask.maxFiles`, `ask.maxFileKB`) and
 * the exclude globs taken from VS Code's `files.exclude` / `search.exclude`. No VS Code API (unit-tested against
 * package.json's declarations).
 */
import { DEFAULT_MAX_FILES } from '../../core/rag/files';

export interface IndexSettings {
  indexOnStartup: boolean;
  exclude: string[];
  maxFiles: number;
  maxFileKB: number;
}

export const DEFAULT_INDEX_SETTINGS: IndexSettings = {
  indexOnStartup: true,
  exclude: [],
  maxFiles: DEFAULT_MAX_FILES,
  maxFileKB: 1024,
};

type Check = (value: unknown) => string | undefined;
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'is not true or false');
const integer = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `is not an integer from ${min} to ${max}`;
const globs: Check = (v) => (Array.isArray(v) && v.every((g) => typeof g === 'string') ? undefined : 'is not a list of glob patterns');

/** Setting name (after `foundryLab.`, quoted as package.json spells it) → field and check. */
export const INDEX_SETTINGS: Record<string, { field: keyof IndexSettings; check: Check }> = {
  'ask.indexOnStartup': { field: 'indexOnStartup', check: boolean },
  'ask.exclude': { field: 'exclude', check: globs },
  'ask.maxFiles': { field: 'maxFiles', check: integer(1, 1_000_000) },
  'ask.maxFileKB': { field: 'maxFileKB', check: integer(1, 102_400) },
};

export const INDEX_SETTING_KEYS = Object.keys(INDEX_SETTINGS);

/** Reads the settings through `get` (undefined = not set); a wrong value falls back to its default with a warning. */
export function validateIndexSettings(get: (key: string) => unknown): { settings: IndexSettings; warnings: string[] } {
  const settings: Record<string, unknown> = { ...DEFAULT_INDEX_SETTINGS };
  const warnings: string[] = [];
  for (const [key, { field, check }] of Object.entries(INDEX_SETTINGS)) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    const problem = check(value);
    if (problem) {
      warnings.push(`Setting foundryLab.${key} = ${JSON.stringify(value)} ${problem}; using the default ${JSON.stringify(DEFAULT_INDEX_SETTINGS[field])}.`);
      continue;
    }
    settings[field] = Array.isArray(value) ? value.map((g: string) => g.trim()).filter(Boolean) : value;
  }
  return { settings: settings as unknown as IndexSettings, warnings };
}

/**
 * The exclude globs for discovery: the keys of `files.exclude` and `search.exclude` whose value is `true` (a
 * `{ "when": … }` value depends on a sibling file and is left to VS Code), then the extra globs. Braces are expanded
 * (`**\/*.{js,map}` → two globs): the index's matcher knows gitignore syntax, which has none. Duplicates dropped.
 */
export function collectExcludeGlobs(filesExclude: unknown, searchExclude: unknown, extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  const add = (glob: string) => {
    const g = glob.trim();
    if (g) for (const e of expandBraces(g)) out.add(e);
  };
  for (const obj of [filesExclude, searchExclude]) {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    for (const [glob, on] of Object.entries(obj as Record<string, unknown>)) if (on === true) add(glob);
  }
  for (const g of extra) add(g);
  return [...out];
}

/** `a{b,c{d,e}}f` → abf, acdf, acef. An unmatched brace is kept literally. At most 64 results per glob. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [glob];
  const head = glob.slice(0, open);
  const tails = expandBraces(glob.slice(close + 1));
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (const mid of expandBraces(glob.slice(bounds[k] + 1, bounds[k + 1]))) for (const tail of tails) out.push(head + mid + tail);
  }
  return out.slice(0, 64);
}
