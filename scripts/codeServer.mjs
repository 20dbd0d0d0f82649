// code-server (VS Code in the browser) for `npm start`: installed on demand by scripts/e2e-env.mjs (shared with the
// in-editor tests), then a throwaway profile, the VSIX, and the server on loopback. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { cacheDir, ensureCodeServer } from './e2e-env.mjs';
import { codeServerDir } from './e2e-env.mjs';

const codeServerBin = () => join(codeServerDir(), 'node_modules', '.bin', 'code-server');

/** A throwaway VS Code profile: without these settings a workspace-trust dialog blocks every click. */
export function writeUserSettings(userDataDir, settings = {}) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, ...settings }, null, 2),
  );
}

export function installExtension(vsix, extensionsDir) {
  mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(codeServerBin(), ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--force'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`code-server could not install ${vsix}: ${r.stderr || r.stdout}`);
  const installed = readdirSync(extensionsDir).filter((d) => d.startsWith('foundry-local-lab.'));
  if (!installed.length) throw new Error(`the VSIX did not install into ${extensionsDir}`);
}

/** Starts code-server on loopback; resolves when it answers. */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env = {}, stdio = 'ignore' }) {
  const child = spawn(
    codeServerBin(),
    ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, folder],
    { env: { ...process.env, ...env }, stdio, detached: process.platform !== 'win32' },
  );
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      stopProcessTree(child);
      throw new Error('code-server did not answer within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, url };
}

/** Ends a detached child and everything it started. */
export function stopProcessTree(child) {
  if (!child || child.exitCode !== null) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
    else child.kill();
  } catch {
    child.kill('SIGKILL');
  }
}
