import type { EndpointSource, RuntimeKind } from './types';

/** How runtimes and endpoint sources are named to users, in the CLI and the editor alike (plain text, no Markdown). */
export const RUNTIME_NAMES: Record<RuntimeKind, string> = {
  'foundry-g1': 'Foundry Local service ≤ 0.8 (/foundry/list, /openai/*)',
  'foundry-g2': 'Foundry Local 0.10 / SDK 1.x (/models/*)',
  'foundry-g3': 'Foundry Local 0.11 / SDK 2.x (/models/*, /status)',
  'openai-compatible': 'OpenAI-compatible server',
};

export const SOURCE_NAMES: Record<EndpointSource, string> = {
  flag: '--endpoint',
  setting: 'the foundryLab.endpoint setting',
  env: 'FOUNDRY_LOCAL_ENDPOINT',
  'foundry-server-status': 'foundry server status',
  'foundry-service-status': 'foundry service status',
};
