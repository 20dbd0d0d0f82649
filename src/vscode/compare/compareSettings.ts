/**
 * The Compare view's settings (`foundryLab.compare.*`): the price table and the energy figures of the cost
 * simulation. Checked here, without the VS Code API (unit-tested against package.json's declarations).
 */
import { DEFAULT_PRICES, EnergySettings, PriceEntry, validPrices } from '../../core/compare/cost';

export interface CompareSettings {
  prices: PriceEntry[];
  energy: EnergySettings;
}

/** Setting names after `foundryLab.` — quoted, as package.json spells them. */
export const COMPARE_SETTING_KEYS = ['compare.prices', 'compare.devicePowerWatts', 'compare.electricityPricePerKWh'] as const;
export type CompareSettingKey = (typeof COMPARE_SETTING_KEYS)[number];

export const DEFAULT_COMPARE_SETTINGS = {
  'compare.prices': DEFAULT_PRICES,
  /** 0 = not set: no energy simulation. */
  'compare.devicePowerWatts': 0,
  'compare.electricityPricePerKWh': 0.15,
} as const;

/**
 * Reads the settings through `get` (undefined = not set). A wrong value falls back to its default with a warning
 * naming the setting; price entries that are malformed are dropped one by one (the rest are kept).
 */
export function readCompareSettings(get: (key: CompareSettingKey) => unknown): { settings: CompareSettings; warnings: string[] } {
  const warnings: string[] = [];
  const rawPrices = get('compare.prices');
  let prices: PriceEntry[] = DEFAULT_PRICES;
  if (rawPrices !== undefined && rawPrices !== null) {
    prices = validPrices(rawPrices);
    const given = Array.isArray(rawPrices) ? rawPrices.length : 0;
    if (!Array.isArray(rawPrices) || (prices === DEFAULT_PRICES && given > 0) || (prices !== DEFAULT_PRICES && prices.length < given)) {
      warnings.push(
        `Setting foundryLab.compare.prices: ${Array.isArray(rawPrices) ? 'some entries are not {name, inputPerMTok ≥ 0, outputPerMTok ≥ 0}' : 'is not a list'}; ` +
          (prices === DEFAULT_PRICES ? 'using the example prices.' : 'those entries are ignored.'),
      );
    }
  }
  const number = (key: CompareSettingKey, fallback: number): number => {
    const v = get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    warnings.push(`Setting foundryLab.${key} = ${JSON.stringify(v)} is not a number ≥ 0; using ${fallback}.`);
    return fallback;
  };
  const watts = number('compare.devicePowerWatts', DEFAULT_COMPARE_SETTINGS['compare.devicePowerWatts']);
  const perKWh = number('compare.electricityPricePerKWh', DEFAULT_COMPARE_SETTINGS['compare.electricityPricePerKWh']);
  return { settings: { prices, energy: watts > 0 ? { devicePowerWatts: watts, pricePerKWh: perKWh } : {} }, warnings };
}
