// `npm start`: builds and packages the extension, installs it into a real VS Code (code-server) and opens it on this
// repository. It uses Foundry Local when it is found (setting-free discovery, as the extension does); otherwise it
// starts the Foundry Local emulator — and everything then says EMULATOR. Ctrl-C stops it all.
// Options: --port N (default 18080, or $PORT), --emulator (use the emulator even when Foundry Local is found).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cacheDir, ensureCodeServer, installExtension, startCodeServer, stopProcessTree, writeUserSettings } from './codeServer.mjs';
import { compile, ensureDependencies, log, packageVsix, root, startEmulatorProcess } from './steps.mjs';

const args = process.argv.slice(2);
const port = Number(args.includes('--port') ? args[args.indexOf('--port') + 1] : process.env.PORT || 18080);
const forceEmulator = args.includes('--emulator');
const children = [];

function cleanup() {
  for (const c of children) stopProcessTree(c);
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(0);
});
process.on('SIGTERM', () => {
  cleanup();
  process.exit(0);
});

function startEmulator() {
  const { child, url } = startEmulatorProcess(['--generation', 'g3']);
  children.push(child);
  return url;
}

async function main() {
  ensureDependencies();
  compile();
  const vsix = packageVsix();
  let env = {};
  let useEmulator = forceEmulator;
  if (!forceEmulator) {
    const status = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'status', '--json'], { encoding: 'utf8', timeout: 30000 });
    let found;
    try {
      found = JSON.parse(status.stdout);
    } catch {
      found = undefined;
    }
    if (found?.state === 'found' && !found.emulated) {
      log(`Foundry Local found at ${found.endpoint.serviceUrl} (${found.endpoint.source}); the extension will discover it the same way.`);
    } else {
      const why = found?.state === 'stopped' ? 'it is installed but not running' : found?.state === 'unreachable' ? `nothing answers at ${found.url}` : 'it is not installed here';
      log(`Foundry Local was not found (${why}): starting the Foundry Local emulator instead, so that everything can be tried here.`);
      useEmulator = true;
    }
  }
  if (useEmulator) {
    env = { FOUNDRY_LOCAL_ENDPOINT: await startEmulator() };
    log(`EMULATOR running at ${env.FOUNDRY_LOCAL_ENDPOINT} — its answers are synthetic, and the extension labels them EMULATOR.`);
  }

  ensureCodeServer();
  const userDataDir = join(cacheDir(), 'start', 'user-data');
  const extensionsDir = join(cacheDir(), 'start', 'extensions');
  writeUserSettings(userDataDir);
  installExtension(vsix, extensionsDir);
  const { child, url } = await startCodeServer({ port, userDataDir, extensionsDir, folder: root, env });
  children.push(child);
  process.stdout.write(`\nFoundry Local Lab is running in VS Code: open ${url}?folder=${encodeURIComponent(root)}\n` + `Then: Command Palette → "Foundry Local Lab: Open Panel". Ctrl-C stops everything.\n`);
  await new Promise((resolve) => child.on('exit', resolve));
  cleanup();
}

main().catch((e) => {
  log(`npm start failed: ${e.message}`);
  cleanup();
  process.exit(1);
});
