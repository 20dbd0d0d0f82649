// code-server (VS Code in the browser) for `npm start` and the in-editor tests: installed from the npm registry into a
// cache folder outside the repo when missing, with the Debian packages its native modules need. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './steps.mjs';

export const CODE_SERVER_VERSION = '4.100.3'; // the newest that runs on Node 20 (VS Code 1.100)
export const cacheDir = process.env.FOUNDRY_LAB_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'foundry-lab');
const installDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = join(installDir, 'node_modules', '.bin', 'code-server');

const APT_PACKAGES = ['libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'ripgrep'];

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs Debian packages that are missing (as root, with apt-get); says what to do otherwise. */
export function ensureAptPackages(packages, why) {
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  if (!have('apt-get')) throw new Error(`${why} needs these packages, which this system lacks: ${missing.join(' ')}`);
  if (process.getuid && process.getuid() !== 0) throw new Error(`${why} needs: sudo apt-get install -y ${missing.join(' ')}`);
  log(`installing ${missing.join(' ')} with apt-get (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error('apt-get update failed');
  r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
}

/**
 * code-server's ripgrep module downloads a binary at install time, which fails without internet: seed its cache
 * with Debian's ripgrep (the file name is what the module looks for).
 */
function seedRipgrepCache() {
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep (rg) is missing');
  const stage = join(tmpdir(), 'foundry-lab-rg');
  mkdirSync(stage, { recursive: true });
  spawnSync('cp', [rg, join(stage, 'rg')]);
  for (const v of ['1.15.11', '1.15.9', '1.15.10', '1.15.12']) {
    const dir = join(tmpdir(), `vscode-ripgrep-cache-${v}`);
    mkdirSync(dir, { recursive: true });
    for (const name of ['ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz', 'ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz']) {
      if (!existsSync(join(dir, name))) spawnSync('tar', ['czf', join(dir, name), '-C', stage, 'rg']);
    }
  }
}

function nativeModulesBuilt() {
  const dir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  if (!existsSync(dir)) return false;
  const find = spawnSync('sh', ['-c', `find "${dir}" -name '*.node' -path '*Release*' | head -1`], { encoding: 'utf8' });
  return !!find.stdout.trim();
}

export function ensureCodeServer() {
  if (existsSync(codeServerBin) && nativeModulesBuilt()) return codeServerBin;
  ensureAptPackages(APT_PACKAGES, 'code-server');
  seedRipgrepCache();
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'foundry-lab-code-server', private: true }));
  log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (about a minute)…`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: installDir,
    stdio: 'inherit',
    // As root, npm needs these for code-server's install scripts.
    env: { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' },
  });
  if (r.status !== 0 || !existsSync(codeServerBin)) throw new Error('installing code-server failed (see the npm output above)');
  if (!nativeModulesBuilt()) throw new Error('code-server installed but its native modules were not built (check the build dependencies above)');
  return codeServerBin;
}

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
  const r = spawnSync(codeServerBin, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--force'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`code-server could not install ${vsix}: ${r.stderr || r.stdout}`);
  const installed = readdirSync(extensionsDir).filter((d) => d.startsWith('foundry-local-lab.'));
  if (!installed.length) throw new Error(`the VSIX did not install into ${extensionsDir}`);
}

/** Starts code-server on loopback; resolves when it answers. */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env = {}, stdio = 'ignore' }) {
  const child = spawn(
    codeServerBin,
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
