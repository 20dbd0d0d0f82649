import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_PRICES } from '../../../../src/core/compare/cost';
import { COMPARE_SETTING_KEYS, DEFAULT_COMPARE_SETTINGS, readCompareSettings } from '../../../../src/vscode/compare/compareSettings';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'package.json'), 'utf8'));
const declared: Record<string, { type: string; default: unknown }> = pkg.contributes.configuration.properties;

describe('vscode/compare/compareSettings', () => {
  it('declares exactly its settings in package.json, with the same defaults (the prices are core\'s)', () => {
    const mine = Object.keys(declared).filter((k) => k.startsWith('foundryLab.compare.'));
    assert.deepStrictEqual(mine.sort(), COMPARE_SETTING_KEYS.map((k) => `foundryLab.${k}`).sort());
    for (const key of COMPARE_SETTING_KEYS) assert.deepStrictEqual(declared[`foundryLab.${key}`].default, DEFAULT_COMPARE_SETTINGS[key], key);
    assert.deepStrictEqual(declared['foundryLab.compare.prices'].default, DEFAULT_PRICES);
  });

  it('reads defaults without warnings: example prices, no energy simulation', () => {
    const { settings, warnings } = readCompareSettings(() => undefined);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(settings.prices, DEFAULT_PRICES);
    assert.deepStrictEqual(settings.energy, {});
  });

  it('keeps valid values, and the energy figures only with a device power', () => {
    const values: Record<string, unknown> = {
      'compare.prices': [{ name: 'Mine', inputPerMTok: 1, outputPerMTok: 2 }],
      'compare.devicePowerWatts': 35,
      'compare.electricityPricePerKWh': 0.4,
    };
    const { settings, warnings } = readCompareSettings((k) => values[k]);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(settings.prices, [{ name: 'Mine', inputPerMTok: 1, outputPerMTok: 2 }]);
    assert.deepStrictEqual(settings.energy, { devicePowerWatts: 35, pricePerKWh: 0.4 });
  });

  it('drops malformed price entries and wrong numbers, with a warning naming the setting', () => {
    const values: Record<string, unknown> = {
      'compare.prices': [{ name: 'Good', inputPerMTok: 1, outputPerMTok: 2 }, { name: 'Bad', inputPerMTok: -1, outputPerMTok: 2 }, 'junk'],
      'compare.devicePowerWatts': 'lots',
      'compare.electricityPricePerKWh': -3,
    };
    const { settings, warnings } = readCompareSettings((k) => values[k]);
    assert.deepStrictEqual(settings.prices.map((p) => p.name), ['Good']);
    assert.deepStrictEqual(settings.energy, {});
    assert.strictEqual(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings[0].includes('foundryLab.compare.prices'));
    assert.ok(warnings.some((w) => w.includes('foundryLab.compare.devicePowerWatts') && w.includes('"lots"')));
    const none = readCompareSettings((k) => (k === 'compare.prices' ? { not: 'a list' } : undefined));
    assert.deepStrictEqual(none.settings.prices, DEFAULT_PRICES);
    assert.match(none.warnings[0], /is not a list; using the example prices/);
  });
});
