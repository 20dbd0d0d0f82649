import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

/**
 * What run.ts tells the test files, through environment variables (so a test file can also be pointed at servers
 * started by hand). Every name is read when asked for: a missing one says how to run the suite.
 */
export const E2E_ENV = {
  codeServerUrl: 'E2E_CODE_SERVER_URL', // http://127.0.0.1:PORT/
  emulatorUrl: 'E2E_EMULATOR_URL', // http://127.0.0.1:PORT (no /v1)
  emulatorState: 'E2E_EMULATOR_STATE', // the emulator's state file (the fake foundry CLI reads it)
  workspace: 'E2E_WORKSPACE', // the folder code-server opens
  userDataDir: 'E2E_USER_DATA', // code-server's --user-data-dir
  fakeFoundry: 'E2E_FAKE_FOUNDRY', // test/emulator/bin/foundry
  results: 'E2E_RESULTS', // screenshots go here (test-results/, git-ignored)
  chromium: 'E2E_CHROMIUM', // the browser executable
  playwright: 'E2E_PLAYWRIGHT', // the playwright-core module to load
} as const;

/** Used when the variable is not set: the browser and playwright-core have sensible places. */
const DEFAULTS: Partial<Record<keyof typeof E2E_ENV, () => string>> = {
  chromium: () => '/usr/bin/chromium',
  playwright: () => require.resolve('playwright-core'),
};

export function e2eEnv(key: keyof typeof E2E_ENV): string {
  const name = E2E_ENV[key];
  const value = process.env[name] || DEFAULTS[key]?.();
  if (!value) throw new Error(`${name} is not set: run the in-editor tests through out/test/e2e/run.js (npm run test:e2e)`);
  return value;
}

/** The profile settings every test starts from: without them a workspace-trust dialog blocks every click. */
export const BASE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
};

/**
 * Replaces the user settings with the base ones plus the case's (foundryLab.*). Written before a workbench opens, so
 * the extension starts with them; VS Code also applies a change to the file while it runs.
 */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
}

/** The settings for one describe block (written into the running code-server's profile). */
export function useSettings(settings: Record<string, unknown>): void {
  writeUserSettings(e2eEnv('userDataDir'), settings);
}
