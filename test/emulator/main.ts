/**
 * `npm run emulator -- --port 0 [--generation g1|g2|g3|openai] [--profile FILE] [--state-file FILE] [--time-scale X]
 * [--memory-scale X]`: starts the Foundry Local emulator and prints its base URL as the first line of stdout.
 */
import { readFileSync } from 'fs';
import { parseArgs } from 'util';
import { validateProfile } from './profile';
import { Generation, startEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      generation: { type: 'string', default: 'g3' },
      profile: { type: 'string' },
      'state-file': { type: 'string' },
      'time-scale': { type: 'string', default: '1' },
      'memory-scale': { type: 'string', default: '0' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const generation = values.generation as Generation;
  if (!['g1', 'g2', 'g3', 'openai'].includes(generation)) throw new Error(`--generation must be g1, g2, g3 or openai, not ${generation}`);
  const profile = values.profile ? validateProfile(JSON.parse(readFileSync(values.profile, 'utf8'))) : undefined;
  const emu = await startEmulator({
    port: Number(values.port),
    host: values.host,
    generation,
    profile,
    stateFile: values['state-file'],
    timeScale: Number(values['time-scale']),
    memoryScale: Number(values['memory-scale']),
    standalone: true,
    log: values.quiet ? undefined : (line) => process.stderr.write(`[emulator] ${line}\n`),
  });
  process.stdout.write(`${emu.url}\n`);
  const shutdown = () => {
    emu.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e) => {
  process.stderr.write(`emulator: ${(e as Error).message}\n`);
  process.exit(2);
});
