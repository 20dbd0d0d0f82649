// The in-editor tests: the VSIX built by `vsce package`, installed into a real VS Code (code-server), driven by
// headless Chromium through playwright-core, against the Foundry Local emulator. Starts and stops every server it
// uses (also on failure or Ctrl-C) and ends with "N passed, N failed". Needs `npm run build:test` and the VSIX first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAptPackages, ensureCodeServer, installExtension, startCodeServer, stopProcessTree, writeUserSettings } from './codeServer.mjs';
import { log, root, startEmulatorProcess } from './steps.mjs';

const vsix = join(root, 'dist', 'foundry-local-lab.vsix');
const children = [];
const cleanup = () => children.forEach(stopProcessTree);
process.on('SIGINT', () => (cleanup(), process.exit(130)));
process.on('SIGTERM', () => (cleanup(), process.exit(143)));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startEmulator(stateFile) {
  const { child, url } = startEmulatorProcess(['--generation', 'g3', '--state-file', stateFile, '--time-scale', '0.5']);
  children.push(child);
  return url;
}

async function main() {
  if (!existsSync(vsix)) throw new Error('dist/foundry-local-lab.vsix is missing: run `npm run package` first');
  if (!existsSync(join(root, 'out', 'test', 'e2e'))) throw new Error('out/test/e2e is missing: run `npm run build:test` first');
  ensureAptPackages(['chromium'], 'the in-editor tests');
  ensureCodeServer();

  const work = mkdtempSync(join(tmpdir(), 'foundry-lab-e2e-'));
  const userDataDir = join(work, 'user-data');
  const extensionsDir = join(work, 'extensions');
  const workspace = join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'notes.md'), '# Notes\n\nRetrieval augmented generation grounds answers in documents.\n');
  writeFileSync(join(workspace, 'brief.txt'), 'Quarterly update: revenue grew eight percent; costs stayed flat.\n');
  const stateFile = join(work, 'emulator-state.json');
  const emulatorUrl = await startEmulator(stateFile);
  // An explicit endpoint first; the discovery test clears it, and the fake foundry CLI then finds the emulator.
  writeUserSettings(userDataDir, { 'foundryLab.endpoint': emulatorUrl, 'foundryLab.foundryPath': join(root, 'test', 'emulator', 'bin', 'foundry') });
  installExtension(vsix, extensionsDir);
  const port = await freePort();
  // The fake foundry CLI finds the emulator through this state file (discovery test).
  const cs = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, env: { FOUNDRY_LAB_EMULATOR_STATE: stateFile, FOUNDRY_LOCAL_ENDPOINT: '' } });
  children.push(cs.child);
  log(`code-server at ${cs.url}, emulator at ${emulatorUrl}`);

  const { default: Mocha } = await import(join(root, 'node_modules', 'mocha', 'index.js'));
  process.env.E2E_CODE_SERVER_URL = cs.url;
  process.env.E2E_EMULATOR_URL = emulatorUrl;
  process.env.E2E_EMULATOR_STATE = stateFile;
  process.env.E2E_WORKSPACE = workspace;
  process.env.E2E_USER_DATA = userDataDir;
  process.env.E2E_FAKE_FOUNDRY = join(root, 'test', 'emulator', 'bin', 'foundry');
  process.env.E2E_RESULTS = join(root, 'test-results');
  const mocha = new Mocha({ timeout: 120000, reporter: 'spec', bail: false });
  const specs = spawnSync('sh', ['-c', `ls ${join(root, 'out', 'test', 'e2e')}/*.e2e.test.js`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const f of specs) mocha.addFile(f);
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  cleanup();
  await new Promise((r) => setTimeout(r, 500)); // let code-server release its files
  rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  process.stdout.write(`${stats.passes} passed, ${stats.failures} failed\n`);
  return stats.failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`in-editor tests could not run: ${e.message}`);
    cleanup();
    process.exit(2);
  },
);
