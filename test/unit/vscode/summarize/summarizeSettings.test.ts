import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_SUMMARIZE_SETTINGS, SUMMARIZE_SETTING_KEYS, SUMMARIZE_SETTINGS, summarizeConfig, validateSummarizeSettings } from '../../../../src/vscode/summarize/summarizeSettings';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'package.json'), 'utf8'));
const declared: Record<string, { type: string; default: unknown; minimum?: number; maximum?: number; enum?: string[] }> = pkg.contributes.configuration.properties;
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

describe('vscode/summarize/summarizeSettings', () => {
  it('knows exactly the foundryLab.summarize.* settings package.json declares, with the same defaults and types', () => {
    const inPackage = Object.keys(declared).filter((k) => k.startsWith('foundryLab.summarize.'));
    assert.deepStrictEqual(SUMMARIZE_SETTING_KEYS.map((k) => `foundryLab.${k}`).sort(), inPackage.sort());
    for (const key of SUMMARIZE_SETTING_KEYS) {
      const d = declared[`foundryLab.${key}`];
      const value = DEFAULT_SUMMARIZE_SETTINGS[SUMMARIZE_SETTINGS[key].field];
      assert.deepStrictEqual(value, d.default, `default of ${key}`);
      assert.ok(d.type === typeOf(value) || (d.type === 'integer' && Number.isInteger(value)), `type of ${key}: ${d.type} vs ${typeOf(value)}`);
      // The declared default passes the check (no warning for an untouched setting).
      assert.deepStrictEqual(validateSummarizeSettings((k) => (k === key ? d.default : undefined)).warnings, [], key);
    }
  });

  it('has the workshop defaults: 280 tokens at 0.4 for the draft, 220 at 0.3 for "Refine and polish:", refine past 600 characters', () => {
    const s = DEFAULT_SUMMARIZE_SETTINGS;
    assert.deepStrictEqual([s.draftMaxTokens, s.draftTemperature, s.refineMaxTokens, s.refineTemperature, s.refinePrompt, s.draftLongerThan], [280, 0.4, 220, 0.3, 'Refine and polish:', 600]);
    assert.match((declared['foundryLab.summarize.refinePrompt'] as { markdownDescription?: string }).markdownDescription ?? '', /Improve clarity but keep facts:/);
    assert.deepStrictEqual(declared['foundryLab.summarize.policy.force'].enum, ['auto', 'always', 'never']);
  });

  it('applies package.json minimum/maximum', () => {
    for (const key of SUMMARIZE_SETTING_KEYS) {
      const d = declared[`foundryLab.${key}`];
      if (d.minimum !== undefined) assert.strictEqual(validateSummarizeSettings((k) => (k === key ? d.minimum! - 1 : undefined)).warnings.length, 1, `${key} below minimum`);
      if (d.maximum !== undefined) assert.strictEqual(validateSummarizeSettings((k) => (k === key ? d.maximum! + 1 : undefined)).warnings.length, 1, `${key} above maximum`);
    }
  });

  it('keeps valid values (trimmed, empty words dropped)', () => {
    const values: Record<string, unknown> = {
      'summarize.refinePrompt': ' Improve clarity but keep facts: ',
      'summarize.policy.flaggedTopics': [' security ', '', 'M&A'],
      'summarize.policy.force': 'always',
      'summarize.prices.refine': { name: 'Mine', inputPerMTok: 1, outputPerMTok: 4 },
      'summarize.policy.draftLongerThan': 0,
    };
    const { settings, warnings } = validateSummarizeSettings((k) => values[k]);
    assert.deepStrictEqual(warnings, []);
    assert.strictEqual(settings.refinePrompt, 'Improve clarity but keep facts:');
    assert.deepStrictEqual(settings.flaggedTopics, ['security', 'M&A']);
    assert.strictEqual(settings.force, 'always');
    assert.deepStrictEqual(settings.refinePrice, { name: 'Mine', inputPerMTok: 1, outputPerMTok: 4 });
    assert.strictEqual(settings.draftLongerThan, 0);
  });

  it('falls back to the default, with a warning naming the setting, for wrong types', () => {
    const values: Record<string, unknown> = {
      'summarize.draftPrompt': '   ',
      'summarize.draftMaxTokens': 2.5,
      'summarize.refineTemperature': 'cold',
      'summarize.policy.flaggedTopics': 'security',
      'summarize.policy.lowConfidence.enabled': 'yes',
      'summarize.policy.force': 'sometimes',
      'summarize.prices.draft': { name: 'x', inputPerMTok: -1, outputPerMTok: 1 },
    };
    const { settings, warnings } = validateSummarizeSettings((k) => values[k]);
    assert.deepStrictEqual(settings, DEFAULT_SUMMARIZE_SETTINGS);
    assert.strictEqual(warnings.length, 7);
    assert.ok(warnings.some((w) => w.includes('foundryLab.summarize.policy.force') && w.includes('"sometimes"') && w.includes('"auto"')), warnings.join('\n'));
  });

  it('builds the pipeline configuration: models from the shared settings, force from the setting or a one-off choice', () => {
    const s = { ...DEFAULT_SUMMARIZE_SETTINGS, flaggedTopics: ['legal'], lowConfidenceMinDraftChars: 10 };
    const c = summarizeConfig(s, { draft: 'qwen3-0.6b', refine: 'gpt-oss-20b' }, { idleTimeoutMs: 5000 });
    assert.strictEqual(c.draftModel, 'qwen3-0.6b');
    assert.deepStrictEqual(c.draft, { maxTokens: 280, temperature: 0.4 });
    assert.deepStrictEqual(c.refine, { maxTokens: 220, temperature: 0.3 });
    assert.deepStrictEqual(c.policy.flaggedTopics, ['legal']);
    assert.strictEqual(c.policy.lowConfidence.minDraftChars, 10);
    assert.strictEqual(c.policy.force, undefined, 'auto = the rules decide');
    assert.strictEqual(c.idleTimeoutMs, 5000);
    assert.deepStrictEqual(c.prices, { draft: s.draftPrice, refine: s.refinePrice });
    assert.strictEqual(summarizeConfig({ ...s, force: 'never' }, { draft: 'a', refine: 'b' }).policy.force, 'never');
    assert.strictEqual(summarizeConfig({ ...s, force: 'never' }, { draft: 'a', refine: 'b' }, { force: 'always' }).policy.force, 'always');
  });
});
