import { connect, EMULATOR_NOTE, RUNTIME_NAMES, SOURCE_NAMES } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, EXIT_OK, EXIT_RUNTIME } from '../output';

export async function runStatusCommand(global: GlobalOptions, io: CliIO): Promise<number> {
  const discovery = await connect(global, io).refresh(io.signal);
  if (global.json) {
    io.stdout(JSON.stringify(discovery, null, 2) + '\n');
    return discovery.state === 'found' ? EXIT_OK : EXIT_RUNTIME;
  }
  switch (discovery.state) {
    case 'found': {
      const e = discovery.endpoint;
      const lines = [
        `Runtime:     running — ${RUNTIME_NAMES[discovery.runtime] ?? discovery.runtime}`,
        ...(discovery.emulated ? [`             ${EMULATOR_NOTE}`] : []),
        `Endpoint:    ${e.serviceUrl} (found via ${SOURCE_NAMES[e.source] ?? e.source})`,
        `OpenAI base: ${e.openaiBaseUrl}`,
        ...(e.isLoopback ? [] : [`Note:        this endpoint is not on this machine — prompts and workspace text are sent to ${new URL(e.serviceUrl).host}`]),
        `Loaded:      ${discovery.loadedModels.length ? discovery.loadedModels.join(', ') : 'no model loaded'}`,
      ];
      io.stdout(lines.join('\n') + '\n');
      return EXIT_OK;
    }
    case 'not-installed':
      io.stderr(`Foundry Local was not found: ${discovery.detail}\n  Install Foundry Local, or pass --endpoint URL / set FOUNDRY_LOCAL_ENDPOINT for another OpenAI-compatible server.\n`);
      return EXIT_RUNTIME;
    case 'stopped':
      io.stderr(`Foundry Local is installed but not running.\n  Start it with \`foundry ${discovery.cli} start\`.${discovery.detail ? `\n  (${discovery.detail})` : ''}\n`);
      return EXIT_RUNTIME;
    case 'unreachable':
      io.stderr(`Nothing answers at ${discovery.url} (from ${SOURCE_NAMES[discovery.source] ?? discovery.source}): ${discovery.detail}\n  Check that the server runs there, or fix the URL.\n`);
      return EXIT_RUNTIME;
  }
}
