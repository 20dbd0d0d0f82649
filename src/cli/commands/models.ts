import { connect } from '../connect';
import type { GlobalOptions } from '../main';
import { CliIO, EXIT_OK } from '../output';

export async function runModelsCommand(global: GlobalOptions, io: CliIO): Promise<number> {
  const conn = connect(global, io);
  const [models, loaded] = await conn.withRediscovery(async (c) => Promise.all([c.listModels(io.signal), c.listLoaded(io.signal)]), io.signal);
  const loadedSet = new Set(loaded.map((id) => id.toLowerCase()));
  const rows = models.map((m) => ({ ...m, loaded: loadedSet.has(m.id.toLowerCase()) }));
  if (global.json) {
    io.stdout(JSON.stringify({ models: rows }, null, 2) + '\n');
    return EXIT_OK;
  }
  const table = [['Alias', 'Device', 'Size', 'State', 'Variant id']];
  for (const m of rows) {
    const size = m.fileSizeMb ? `${(m.fileSizeMb / 1024).toFixed(2)} GB` : '';
    const state = m.loaded ? 'loaded' : m.cached ? 'cached' : m.cached === false ? '' : '';
    table.push([m.alias ?? '', m.device, size, state, m.id]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  io.stdout(table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
  return EXIT_OK;
}
