import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_SETTINGS, LabSettings, SETTING_KEYS, validateSettings } from '../../../src/vscode/settingsSchema';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
// Features with their own settings schema are checked by their own tests (e.g. test/unit/vscode/summarize/summarizeSettings.test.ts).
const FEATURE_PREFIXES = ['foundryLab.summarize.', 'foundryLab.compare.', 'foundryLab.ask.'];
const declared: Record<string, { type: string; default: unknown; minimum?: number; maximum?: number }> = Object.fromEntries(
  Object.entries(pkg.contributes.configuration.properties as Record<string, { type: string; default: unknown }>).filter(([key]) => !FEATURE_PREFIXES.some((p) => key.startsWith(p))),
);

describe('vscode/settingsSchema', () => {
  it('knows exactly the settings package.json declares, with the same defaults and types', () => {
    assert.deepStrictEqual(SETTING_KEYS.map((k) => `foundryLab.${k}`).sort(), Object.keys(declared).sort());
    for (const key of SETTING_KEYS) {
      const d = declared[`foundryLab.${key}`];
      assert.deepStrictEqual(DEFAULT_SETTINGS[key], d.default, `default of ${key}`);
      const type = typeof DEFAULT_SETTINGS[key];
      assert.ok(d.type === type || (d.type === 'integer' && type === 'number'), `type of ${key}: ${d.type} vs ${type}`);
    }
  });

  it('applies package.json minimum/maximum', () => {
    for (const key of SETTING_KEYS) {
      const d = declared[`foundryLab.${key}`];
      if (d.minimum !== undefined) assert.strictEqual(validateSettings((k) => (k === key ? d.minimum! - 1 : undefined)).warnings.length, 1, `${key} below minimum`);
      if (d.maximum !== undefined) assert.strictEqual(validateSettings((k) => (k === key ? d.maximum! + 1 : undefined)).warnings.length, 1, `${key} above maximum`);
      if (d.minimum !== undefined) assert.strictEqual(validateSettings((k) => (k === key ? d.minimum : undefined)).warnings.length, 0, `${key} at minimum`);
    }
  });

  it('keeps valid values (trimmed) and reports nothing', () => {
    const values: Partial<LabSettings> = { endpoint: ' http://127.0.0.1:5273 ', smallModel: 'qwen3-0.6b', maxTokens: 42, temperature: 0, autoLoadModels: false };
    const { settings, warnings } = validateSettings((k) => values[k]);
    assert.deepStrictEqual(warnings, []);
    assert.strictEqual(settings.endpoint, 'http://127.0.0.1:5273');
    assert.strictEqual(settings.smallModel, 'qwen3-0.6b');
    assert.strictEqual(settings.maxTokens, 42);
    assert.strictEqual(settings.temperature, 0);
    assert.strictEqual(settings.autoLoadModels, false);
    assert.strictEqual(settings.largeModel, DEFAULT_SETTINGS.largeModel);
  });

  it('falls back to the default, with a warning naming the setting, for wrong types and ranges', () => {
    const values: Record<string, unknown> = { endpoint: 5, foundryPath: '  ', maxTokens: 2.5, temperature: 'hot', idleTimeoutSeconds: 0, autoLoadModels: 'yes' };
    const { settings, warnings } = validateSettings((k) => values[k]);
    assert.deepStrictEqual(settings, DEFAULT_SETTINGS);
    assert.strictEqual(warnings.length, 6);
    assert.ok(warnings.some((w) => w.includes('foundryLab.temperature') && w.includes('"hot"') && w.includes('0.5')), warnings.join('\n'));
  });
});
