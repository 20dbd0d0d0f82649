// What the in-editor tests need on this machine, installed when missing: Debian packages (the browser, ripgrep and
// the build dependencies of VS Code's native modules), and code-server (VS Code served to a browser) plus a fallback
// playwright-core in a cache folder outside the repo. Node built-ins only, so that it runs on a fresh machine.
//
//   import { ensureE2eEnvironment } from './e2e-env.mjs'  →  { codeServerBin, chromium, playwrightCore, cacheDir }
//   node scripts/e2e-env.mjs [--force]                     installs what is missing (everything with --force), prints
//                                                          the same object as JSON on stdout
//
// Cache: $FOUNDRY_LAB_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/foundry-lab; code-server goes to <cache>/code-server.
// Browser: $E2E_CHROMIUM, else /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // the newest that runs on Node 20 (VS Code 1.100)
const RIPGREP_MODULE_VERSION = '1.15.11'; // @vscode/ripgrep in code-server 4.100.3
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'; // the file that module looks for
const APT_PACKAGES = ['libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'ripgrep', 'chromium'];
// Native modules VS Code's server loads on Linux; their absence means code-server's install scripts did not run.
const NATIVE_MODULES = ['node-pty/build/Release/pty.node', '@vscode/spdlog/build/Release/spdlog.node', 'native-watchdog/build/Release/watchdog.node'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function cacheDir() {
  return process.env.FOUNDRY_LAB_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'foundry-lab');
}

export function codeServerDir() {
  return join(cacheDir(), 'code-server');
}

export function chromiumPath() {
  return process.env.E2E_CHROMIUM || '/usr/bin/chromium';
}

function log(message) {
  process.stderr.write(`[e2e-env] ${message}\n`);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function aptMissing(packages) {
  return packages.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true);
}

/**
 * apt-get update + install of the Debian packages, when the browser or ripgrep is missing (or, before building
 * code-server, any build dependency is). As root only; otherwise the error says which command to run.
 */
export function ensureSystemPackages({ forCodeServerBuild = false, force = false } = {}) {
  const needed = force || !executable(chromiumPath()) || !which('rg') || (forCodeServerBuild && aptMissing(APT_PACKAGES.slice(0, 4)).length > 0);
  if (!needed) return;
  const missing = force ? APT_PACKAGES : aptMissing(APT_PACKAGES);
  if (!missing.length) {
    if (!executable(chromiumPath())) throw new Error(`no browser at ${chromiumPath()} (set E2E_CHROMIUM to a Chromium executable)`);
    return;
  }
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (!which('apt-get')) throw new Error(`the in-editor tests need these packages, which this system lacks: ${missing.join(' ')}`);
  if (process.getuid?.() !== 0) throw new Error(`the in-editor tests need system packages; run: sudo ${command}`);
  log(`installing ${missing.join(' ')} (${command})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['update'], { stdio: ['ignore', 2, 2], env }).status !== 0) throw new Error('apt-get update failed');
  if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: ['ignore', 2, 2], env }).status !== 0) {
    throw new Error(`apt-get install ${missing.join(' ')} failed`);
  }
  if (!executable(chromiumPath())) throw new Error(`apt-get installed chromium but there is no browser at ${chromiumPath()}`);
  if (!which('rg')) throw new Error('apt-get installed ripgrep but rg is not on PATH');
}

/**
 * code-server's ripgrep module downloads its binary from GitHub while installing, which fails offline: put Debian's
 * rg into the module's download cache under the file name it looks for.
 */
export function seedRipgrepCache() {
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is missing');
  const dir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_MODULE_VERSION}`);
  const archive = join(dir, RIPGREP_ASSET);
  if (existsSync(archive)) return archive;
  const stage = join(tmpdir(), `foundry-lab-rg-${process.pid}`);
  mkdirSync(stage, { recursive: true });
  mkdirSync(dir, { recursive: true });
  try {
    if (spawnSync('cp', [rg, join(stage, 'rg')]).status !== 0) throw new Error(`could not copy ${rg}`);
    // Written under a temporary name first: a half-written archive would be taken as a good one next time.
    const r = spawnSync('tar', ['czf', `${archive}.tmp`, '-C', stage, 'rg']);
    if (r.status !== 0) throw new Error(`could not create ${archive}`);
    renameSync(`${archive}.tmp`, archive);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return archive;
}

function installedVersion(dir, pkg) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Why the code-server install in `dir` cannot be used, or '' when it can. */
export function codeServerProblem(dir = codeServerDir()) {
  const version = installedVersion(dir, 'code-server');
  if (!version) return 'not installed';
  if (version !== CODE_SERVER_VERSION) return `version ${version} installed, ${CODE_SERVER_VERSION} wanted`;
  const vscodeModules = join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  const missing = NATIVE_MODULES.filter((m) => !existsSync(join(vscodeModules, m)));
  if (missing.length) return `native modules were not built (${missing.join(', ')}): its install scripts did not run`;
  if (!existsSync(join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg'))) return 'its ripgrep binary is missing';
  if (!existsSync(join(dir, 'node_modules', '.bin', 'code-server'))) return 'node_modules/.bin/code-server is missing';
  return '';
}

function playwrightVersion() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['playwright-core'];
}

/**
 * Installs code-server (and playwright-core, the fallback when the repo's node_modules lacks it) into
 * <cache>/code-server. The install happens in a sibling folder that is renamed into place only when it works, so an
 * interrupted install is never mistaken for a good one.
 */
export function ensureCodeServer({ force = false } = {}) {
  const dir = codeServerDir();
  const problem = force ? 'reinstall asked for' : codeServerProblem(dir);
  if (!problem) return join(dir, 'node_modules', '.bin', 'code-server');
  log(`code-server ${CODE_SERVER_VERSION} in ${dir}: ${problem}; installing it (about a minute)…`);
  ensureSystemPackages({ forCodeServerBuild: true });
  seedRipgrepCache();
  const staging = `${dir}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'foundry-lab-code-server', private: true }, null, 2));
  const r = spawnSync(
    'npm',
    ['install', '--save-exact', '--no-audit', '--no-fund', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`, `playwright-core@${playwrightVersion()}`],
    {
      cwd: staging,
      stdio: ['ignore', 2, 2],
      // As root, npm needs these two for code-server's install scripts (they build its native modules).
      env: { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' },
    },
  );
  const stagedProblem = r.status === 0 ? codeServerProblem(staging) : `npm install exited with ${r.status ?? r.signal}`;
  if (stagedProblem) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`installing code-server ${CODE_SERVER_VERSION} failed: ${stagedProblem} (see npm's output above)`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staging, dir);
  log(`code-server ${CODE_SERVER_VERSION} installed in ${dir}`);
  return join(dir, 'node_modules', '.bin', 'code-server');
}

/** playwright-core: the project's devDependency, else the copy installed next to code-server. */
export function resolvePlaywrightCore() {
  for (const base of [root, codeServerDir()]) {
    try {
      return createRequire(join(base, 'package.json')).resolve('playwright-core');
    } catch {
      /* try the next place */
    }
  }
  // The repo's node_modules lacks it and the cache has none: the cache install brings it.
  ensureCodeServer({ force: true });
  return createRequire(join(codeServerDir(), 'package.json')).resolve('playwright-core');
}

/** Everything the in-editor tests need; installs what is missing. */
export function ensureE2eEnvironment({ force = false } = {}) {
  ensureSystemPackages({ force });
  const codeServerBin = ensureCodeServer({ force });
  return { cacheDir: cacheDir(), codeServerBin, chromium: chromiumPath(), playwrightCore: resolvePlaywrightCore() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`${JSON.stringify(ensureE2eEnvironment({ force: process.argv.includes('--force') }), null, 2)}\n`);
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
