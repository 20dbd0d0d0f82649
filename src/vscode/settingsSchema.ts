/**
 * The extension's settings, their defaults and their checks, without the VS Code API (so they can be unit-tested).
 * Must match `contributes.configuration` in package.json (a test compares them).
 */
export interface LabSettings {
  /** Empty: discover. */
  endpoint: string;
  foundryPath: string;
  smallModel: string;
  largeModel: string;
  maxTokens: number;
  temperature: number;
  idleTimeoutSeconds: number;
  autoLoadModels: boolean;
}

export const SETTINGS_SECTION = 'foundryLab';

export const DEFAULT_SETTINGS: LabSettings = {
  endpoint: '',
  foundryPath: 'foundry',
  smallModel: 'phi-4-mini',
  largeModel: 'gpt-oss-20b',
  maxTokens: 300,
  temperature: 0.5,
  idleTimeoutSeconds: 600,
  autoLoadModels: true,
};

type Check = (value: unknown) => string | undefined;

const string: Check = (v) => (typeof v === 'string' ? undefined : 'is not a string');
const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim() ? undefined : 'is not a non-empty string');
const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `is not an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`;
const number = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? undefined : `is not a number from ${min} to ${max}`;
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'is not true or false');

// Keys quoted: they are the setting names as package.json spells them (after `foundryLab.`).
const CHECKS: Record<keyof LabSettings, Check> = {
  'endpoint': string,
  'foundryPath': nonEmptyString,
  'smallModel': nonEmptyString,
  'largeModel': nonEmptyString,
  'maxTokens': integer(1, 32768),
  'temperature': number(0, 2),
  'idleTimeoutSeconds': integer(1),
  'autoLoadModels': boolean,
};

export const SETTING_KEYS = Object.keys(CHECKS) as (keyof LabSettings)[];

/**
 * Reads every setting through `get` (undefined = not set); a value of the wrong type or out of range falls back to
 * its default and yields a warning that says which setting and why.
 */
export function validateSettings(get: (key: keyof LabSettings) => unknown): { settings: LabSettings; warnings: string[] } {
  const settings = { ...DEFAULT_SETTINGS } as Record<keyof LabSettings, unknown>;
  const warnings: string[] = [];
  for (const key of SETTING_KEYS) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    const problem = CHECKS[key](value);
    if (problem) {
      warnings.push(`Setting ${SETTINGS_SECTION}.${key} = ${JSON.stringify(value)} ${problem}; using the default ${JSON.stringify(DEFAULT_SETTINGS[key])}.`);
      continue;
    }
    settings[key] = typeof value === 'string' ? value.trim() : value;
  }
  return { settings: settings as unknown as LabSettings, warnings };
}
