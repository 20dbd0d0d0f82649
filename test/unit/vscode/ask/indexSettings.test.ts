import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseIgnorePattern } from '../../../../src/core/rag/gitignore';
import { collectExcludeGlobs, DEFAULT_INDEX_SETTINGS, expandBraces, INDEX_SETTING_KEYS, INDEX_SETTINGS, validateIndexSettings } from '../../../../src/vscode/ask/indexSettings';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'package.json'), 'utf8'));
const declared: Record<string, { type: string; default: unknown; minimum?: number; maximum?: number }> = pkg.contributes.configuration.properties;
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);

describe('vscode/ask/indexSettings', () => {
  it('declares the index settings in package.json with the same defaults, types and ranges', () => {
    assert.deepStrictEqual(INDEX_SETTING_KEYS.sort(), ['ask.exclude', 'ask.indexOnStartup', 'ask.maxFileKB', 'ask.maxFiles']);
    for (const key of INDEX_SETTING_KEYS) {
      const d = declared[`foundryLab.${key}`];
      assert.ok(d, `foundryLab.${key} declared`);
      const value = DEFAULT_INDEX_SETTINGS[INDEX_SETTINGS[key].field];
      assert.deepStrictEqual(value, d.default, `default of ${key}`);
      assert.ok(d.type === typeOf(value) || (d.type === 'integer' && Number.isInteger(value)), `type of ${key}`);
      assert.deepStrictEqual(validateIndexSettings((k) => (k === key ? d.default : undefined)).warnings, [], key);
      if (d.minimum !== undefined) assert.strictEqual(validateIndexSettings((k) => (k === key ? d.minimum! - 1 : undefined)).warnings.length, 1, `${key} below minimum`);
      if (d.maximum !== undefined) assert.strictEqual(validateIndexSettings((k) => (k === key ? d.maximum! + 1 : undefined)).warnings.length, 1, `${key} above maximum`);
    }
    assert.deepStrictEqual([DEFAULT_INDEX_SETTINGS.maxFiles, DEFAULT_INDEX_SETTINGS.maxFileKB, DEFAULT_INDEX_SETTINGS.indexOnStartup], [20000, 1024, true]);
  });

  it('keeps valid values, trims globs, and falls back with a warning naming the setting', () => {
    const ok = validateIndexSettings((k) => ({ 'ask.exclude': [' **/fixtures/** ', ''], 'ask.maxFiles': 500, 'ask.indexOnStartup': false })[k]);
    assert.deepStrictEqual(ok.warnings, []);
    assert.deepStrictEqual(ok.settings, { indexOnStartup: false, exclude: ['**/fixtures/**'], maxFiles: 500, maxFileKB: 1024 });
    const bad = validateIndexSettings((k) => ({ 'ask.exclude': 'dist', 'ask.maxFiles': 0, 'ask.maxFileKB': 1.5, 'ask.indexOnStartup': 'yes' })[k]);
    assert.deepStrictEqual(bad.settings, DEFAULT_INDEX_SETTINGS);
    assert.strictEqual(bad.warnings.length, 4);
    assert.ok(bad.warnings.some((w) => w.includes('foundryLab.ask.maxFiles') && w.includes('20000')), bad.warnings.join('\n'));
  });

  it('collects the keys of files.exclude and search.exclude whose value is true, plus the extra globs', () => {
    const files = { '**/.git': true, '**/.DS_Store': true, '**/*.js': { when: '$(basename).ts' }, '**/off': false };
    const search = { '**/node_modules': true, '**/bower_components': true, '**/*.code-search': true, '**/.git': true };
    assert.deepStrictEqual(collectExcludeGlobs(files, search, ['**/fixtures/**', ' ']), [
      '**/.git',
      '**/.DS_Store',
      '**/node_modules',
      '**/bower_components',
      '**/*.code-search',
      '**/fixtures/**',
    ]);
    assert.deepStrictEqual(collectExcludeGlobs(undefined, null, []), []);
    assert.deepStrictEqual(collectExcludeGlobs(['**/x'], 'nope'), []);
  });

  it('expands braces, which the gitignore-style matcher does not know', () => {
    assert.deepStrictEqual(expandBraces('**/*.{js,map}'), ['**/*.js', '**/*.map']);
    assert.deepStrictEqual(expandBraces('{a,b{c,d}}/x{1,2}'), ['a/x1', 'a/x2', 'bc/x1', 'bc/x2', 'bd/x1', 'bd/x2']);
    assert.deepStrictEqual(expandBraces('no{brace'), ['no{brace']);
    assert.deepStrictEqual(collectExcludeGlobs({ '**/*.{snap,lock}': true }, {}), ['**/*.snap', '**/*.lock']);
  });

  it('the collected globs match as VS Code means them', () => {
    const match = (glob: string, rel: string, isDir = false) => {
      const r = parseIgnorePattern(glob, { anchored: glob.includes('/') })!;
      return (!r.dirOnly || isDir) && r.re.test(rel);
    };
    assert.ok(match('**/node_modules', 'node_modules', true));
    assert.ok(match('**/node_modules', 'packages/a/node_modules', true));
    assert.ok(match('**/*.code-search', 'x/y.code-search'));
    assert.ok(match('**/fixtures/**', 'test/fixtures/a.json'));
    assert.ok(!match('**/fixtures/**', 'test/fixture.ts'));
  });
});
