// Steps shared by `npm start` and `npm test`. Node built-ins only: these run before dependencies are installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function log(message) {
  process.stderr.write(`[foundry-lab] ${message}\n`);
}

/** Runs a command in the repo, inheriting stdio; throws with the command line when it fails. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}

/** npm ci when node_modules is missing or older than the lock file (a fresh clone, or a pulled dependency change). */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function compile() {
  log('type-checking and compiling (tsc)…');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
}

export function packageVsix() {
  log('bundling (esbuild) and packaging the VSIX (vsce package)…');
  run('npm', ['run', '-s', 'package']);
  const vsix = join(root, 'dist', 'foundry-local-lab.vsix');
  if (!existsSync(vsix)) throw new Error('vsce produced no dist/foundry-local-lab.vsix');
  return vsix;
}

export function packageJson() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

/**
 * Starts the Foundry Local emulator (compiled by `compile()`) as its own process group; resolves with the child and
 * the base URL it prints first. The caller stops it (stopProcessTree in codeServer.mjs).
 */
export function startEmulatorProcess(args) {
  const child = spawn(process.execPath, [join(root, 'out', 'test', 'emulator', 'main.js'), '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: process.platform !== 'win32',
  });
  const url = new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0].trim());
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  return { child, url };
}
