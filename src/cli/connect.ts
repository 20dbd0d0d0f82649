import { RuntimeConnection } from '../core/runtime/connection';
import type { GlobalOptions } from './main';
import type { CliIO } from './output';

/** The CLI's runtime connection: --endpoint, then FOUNDRY_LOCAL_ENDPOINT, then the foundry CLI (core discovery). */
export function connect(global: GlobalOptions, io: CliIO): RuntimeConnection {
  return new RuntimeConnection({
    endpoint: global.endpoint,
    endpointSource: global.endpoint ? 'flag' : undefined,
    env: io.env,
    foundryPath: global.foundryPath ?? io.env.FOUNDRY_LAB_FOUNDRY_PATH,
    signal: io.signal,
  });
}

export const RUNTIME_NAMES: Record<string, string> = {
  'foundry-g1': 'Foundry Local (service ≤ 0.8: /foundry/list, /openai/*)',
  'foundry-g2': 'Foundry Local (CLI 0.10 / SDK 1.x: /models/*)',
  'foundry-g3': 'Foundry Local (CLI 0.11 / SDK 2.x: /models/*, /status)',
  'openai-compatible': 'OpenAI-compatible server',
};

export const SOURCE_NAMES: Record<string, string> = {
  flag: '--endpoint',
  setting: 'the foundryLab.endpoint setting',
  env: 'FOUNDRY_LOCAL_ENDPOINT',
  'foundry-server-status': '`foundry server status`',
  'foundry-service-status': '`foundry service status`',
};

export const EMULATOR_NOTE = 'EMULATOR — answers come from the Foundry Local Lab test emulator, not from a model';
