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

export { RUNTIME_NAMES, SOURCE_NAMES } from '../core/runtime/names';

export const EMULATOR_NOTE = 'EMULATOR — answers come from the Foundry Local Lab test emulator, not from a model';
