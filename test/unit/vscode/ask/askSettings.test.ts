import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { ASK_SETTING_KEYS, DEFAULT_ASK_SETTINGS, validateAskSettings } from '../../../../src/vscode/ask/askSettings';

const root = path.join(__dirname, '..', '..', '..', '..', '..');

describe('vscode/ask/askSettings', () => {
  const declared = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.configuration.properties as Record<string, { default: unknown }>;

  it('reads the answer settings package.json declares, with the same defaults', () => {
    for (const key of ASK_SETTING_KEYS) assert.ok(declared[`foundryLab.${key}`], `foundryLab.${key} is declared`);
    const { settings, warnings } = validateAskSettings((key) => declared[`foundryLab.${key}`].default);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(settings, DEFAULT_ASK_SETTINGS);
  });

  it('keeps valid values and falls back, with a warning naming the setting, for wrong ones', () => {
    const good = validateAskSettings((key) => ({ 'ask.topK': 3, 'ask.fallback.mode': 'never', 'ask.fallback.insufficientPhrases': [' no idea ', ''] } as Record<string, unknown>)[key]);
    assert.strictEqual(good.settings.topK, 3);
    assert.strictEqual(good.settings.policy.mode, 'never');
    assert.deepStrictEqual(good.settings.policy.insufficientPhrases, ['no idea']);
    const bad = validateAskSettings((key) => ({ 'ask.topK': 0, 'ask.temperature': 'hot', 'ask.fallback.mode': 'sometimes', 'ask.fallback.requireCitations': 'yes' } as Record<string, unknown>)[key]);
    assert.strictEqual(bad.settings.topK, 6);
    assert.strictEqual(bad.settings.temperature, 0.3);
    assert.strictEqual(bad.settings.policy.mode, 'auto');
    assert.strictEqual(bad.settings.policy.requireCitations, true);
    assert.strictEqual(bad.warnings.length, 4);
    assert.ok(bad.warnings.some((w) => w.startsWith('Setting foundryLab.ask.fallback.mode = "sometimes"')), bad.warnings.join('\n'));
    const emb = validateAskSettings((key) => ({ 'ask.embeddings.model': ' nomic-embed-text ', 'ask.embeddings.endpoint': 'ftp://x' } as Record<string, unknown>)[key]);
    assert.deepStrictEqual(emb.settings.embeddings, { model: 'nomic-embed-text', endpoint: '' });
    assert.match(emb.warnings[0], /foundryLab\.ask\.embeddings\.endpoint = "ftp:\/\/x" is not an http\(s\) URL/);
    // The defaults are not shared: changing one result leaves the next untouched.
    good.settings.policy.insufficientPhrases.push('x');
    assert.ok(!validateAskSettings(() => undefined).settings.policy.insufficientPhrases.includes('x'));
  });
});
