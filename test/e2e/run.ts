/**
 * The in-editor tests' entry point: the VSIX built by `vsce package`, installed into a real VS Code (code-server),
 * driven by headless Chromium through playwright-core, against the Foundry Local emulator.
 *
 *   node out/test/e2e/run.js [--grep <regexp>] [--timeout <seconds>] [--keep] [--vsix <file>]
 *
 * Before it: `npm run build:test` (tsc → out/, which holds the emulator and these tests) and `npm run package`
 * (→ dist/foundry-local-lab.vsix). It fails with a message saying so when either is missing.
 *
 * What it does, in order:
 *   1. installs what is missing (scripts/e2e-env.mjs): Debian packages (chromium, ripgrep, native build deps) with
 *      apt-get, code-server 4.100.3 into $FOUNDRY_LAB_CACHE or ${XDG_CACHE_HOME:-~/.cache}/foundry-lab/code-server;
 *   2. in a temp folder: a workspace with two files, a throwaway profile, the VSIX installed into its own extensions dir;
 *   3. starts the emulator (out/test/emulator/main.js, dynamic port, a state file the fake foundry CLI reads) and
 *      code-server on 127.0.0.1 with a free port;
 *   4. runs mocha (in this process) on out/test/e2e/**\/*.e2e.test.js; the servers' addresses reach the tests as
 *      E2E_* environment variables (suiteContext.ts);
 *   5. stops every process it started and deletes the temp folder — also on failure, on the overall timeout and on
 *      SIGINT/SIGTERM/SIGHUP. A run killed with SIGKILL leaves a pid file that the next run uses to clean up.
 *
 * Options: --grep runs the matching tests only; --timeout bounds the whole run (default 900 s, env E2E_TIMEOUT_S);
 * --keep keeps the temp folder (its path is printed); --vsix tests another VSIX than dist/foundry-local-lab.vsix.
 * Env: E2E_TIME_SCALE (emulator delays, default 0.25), E2E_CHROMIUM (browser, default /usr/bin/chromium),
 * FOUNDRY_LAB_CACHE (where code-server is installed).
 *
 * Output: mocha's spec report on stdout, harness messages on stderr ("[e2e] …"), logs of the servers and
 * screenshots in test-results/ (git-ignored). The last stdout line is "N passed, N failed" (a harness failure or the
 * timeout counts as failed tests). Exit code: 0 all passed, 1 a test failed, 2 the harness could not run the tests,
 * 124 the overall timeout, 128+n on signal n.
 */
import { ChildProcess, spawnSync } from 'child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import Mocha from 'mocha';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';
import { pathToFileURL } from 'url';
import { firstLine, freePort, ProcessGroup, waitForHttp } from './processes';
import { E2E_ENV, writeUserSettings } from './suiteContext';
import { closeAllBrowsers } from './workbench';

const root = join(__dirname, '..', '..', '..');
const emulatorMain = join(root, 'out', 'test', 'emulator', 'main.js');
const fakeFoundry = join(root, 'test', 'emulator', 'bin', 'foundry');
const resultsDir = join(root, 'test-results');
const WORK_PREFIX = 'foundry-lab-e2e-';

interface Options {
  vsix: string;
  grep?: string;
  timeoutS: number;
  keep: boolean;
}

interface E2eEnvironment {
  codeServerBin: string;
  chromium: string;
  playwrightCore: string;
}

function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { vsix: join(root, 'dist', 'foundry-local-lab.vsix'), timeoutS: Number(process.env.E2E_TIMEOUT_S) || 900, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep') opts.grep = argv[++i];
    else if (a === '--timeout') opts.timeoutS = Number(argv[++i]);
    else if (a === '--keep') opts.keep = true;
    else if (a === '--vsix') opts.vsix = resolve(argv[++i] ?? '');
    else throw new HarnessError(`unknown option ${a} (see the top of test/e2e/run.ts)`);
  }
  if (!(opts.timeoutS > 0)) throw new HarnessError('--timeout wants a number of seconds');
  return opts;
}

class HarnessError extends Error {}

/** The run's state, so that every way out (end, error, timeout, signal) can report and clean up. */
class Run {
  readonly processes = new ProcessGroup();
  workDir?: string;
  runner?: Mocha.Runner;
  private finishing = false;

  constructor(readonly opts: Options) {}

  /** The tally; a run cut short (harness error, timeout, signal) counts its unfinished tests, at least one, as failed. */
  counts(cutShort: boolean): { passed: number; failed: number } {
    const s = this.runner?.stats;
    const passed = s?.passes ?? 0;
    const failed = s?.failures ?? 0;
    if (!cutShort) return { passed, failed };
    const unfinished = this.runner && s ? this.runner.total - passed - failed - s.pending : 0;
    return { passed, failed: failed + Math.max(1, unfinished) };
  }

  /** Stops everything, prints the summary and exits. The first way out wins; later ones are ignored. */
  async finish(code: number, cutShort = false): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    const { passed, failed } = this.counts(cutShort);
    if (cutShort) this.runner?.abort();
    await closeAllBrowsers();
    await this.processes.stopAll();
    const left = this.processes.alive();
    if (left.length) log(`still running after SIGKILL: ${left.join(', ')}`);
    this.keepProfileLogs();
    if (this.opts.keep && this.workDir) log(`kept ${this.workDir}`);
    else this.removeWorkDir();
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    process.exit(code === 0 && failed > 0 ? 1 : code);
  }

  /** code-server's logs (the extension host's, ours among them) outlive the work folder, in test-results/e2e-logs/. */
  private keepProfileLogs(): void {
    if (!this.workDir) return;
    const from = join(this.workDir, 'user-data', 'logs');
    if (!existsSync(from)) return;
    try {
      const to = join(resultsDir, 'e2e-logs', 'code-server-profile-logs');
      rmSync(to, { recursive: true, force: true });
      cpSync(from, to, { recursive: true });
    } catch (e) {
      log(`could not keep code-server's logs: ${(e as Error).message}`);
    }
  }

  removeWorkDir(): void {
    if (!this.workDir || this.opts.keep) return;
    try {
      rmSync(this.workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (e) {
      log(`could not remove ${this.workDir}: ${(e as Error).message}`);
    }
  }

  get isFinishing(): boolean {
    return this.finishing;
  }
}

async function loadE2eEnvironment(): Promise<E2eEnvironment> {
  // A real import(): scripts/e2e-env.mjs is an ES module, and tsc would turn import() into require().
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ ensureE2eEnvironment: () => E2eEnvironment }>;
  const mod = await importEsm(pathToFileURL(join(root, 'scripts', 'e2e-env.mjs')).href);
  return mod.ensureE2eEnvironment();
}

function checkBuilt(vsix: string): void {
  if (!existsSync(vsix)) throw new HarnessError(`${vsix} is missing: run \`npm run package\` first (vsce package)`);
  if (!existsSync(emulatorMain)) throw new HarnessError(`${relative(root, emulatorMain)} is missing: run \`npm run build:test\` first (tsc)`);
  const sources = ['src', 'webview-ui'].map((d) => newestMtime(join(root, d)));
  if (Math.max(...sources) > statSync(vsix).mtimeMs) log(`warning: ${relative(root, vsix)} is older than the sources; run \`npm run package\` to test the current code`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Cleans up after a run that was killed outright (SIGKILL gives no chance to clean up): its pid file names the
 * process groups it started; they are stopped when their command line still mentions that run's folder.
 */
function reapAbandonedRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(WORK_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let pids: { runner: number; groups: number[] };
    try {
      pids = JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(pids.runner)) continue;
    for (const pid of pids.groups) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.includes(dir)) continue;
      log(`stopping process group ${pid} left by an interrupted run (${dir})`);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function recordPids(run: Run, children: ChildProcess[]): void {
  writeFileSync(join(run.workDir!, 'pids.json'), JSON.stringify({ runner: process.pid, groups: children.map((c) => c.pid).filter(Boolean) }));
}

function prepareWorkspace(workDir: string): string {
  const workspace = join(workDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'notes.md'), '# Notes\n\nRetrieval augmented generation grounds answers in documents.\n');
  writeFileSync(join(workspace, 'brief.txt'), 'Quarterly update: revenue grew eight percent; costs stayed flat.\n');
  return workspace;
}

async function installVsix(vsix: string, codeServerBin: string, userDataDir: string, extensionsDir: string, logFile: string): Promise<void> {
  const r = spawnSync(codeServerBin, ['--install-extension', vsix, '--force', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir], { encoding: 'utf8', timeout: 120000 });
  writeFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}`);
  const installed = existsSync(extensionsDir) ? readdirSync(extensionsDir).filter((d) => d.startsWith('foundry-local-lab.foundry-local-lab-')) : [];
  if (r.status !== 0 || !installed.length) {
    throw new HarnessError(`code-server --install-extension ${relative(root, vsix)} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim().slice(-500)}`);
  }
}

function findSpecs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findSpecs(p));
    else if (e.name.endsWith('.e2e.test.js')) out.push(p);
  }
  return out.sort();
}

async function main(run: Run): Promise<number> {
  const started = Date.now();
  checkBuilt(run.opts.vsix);
  const specs = findSpecs(__dirname);
  if (!specs.length) throw new HarnessError(`no *.e2e.test.js in ${relative(root, __dirname)}: run \`npm run build:test\``);
  reapAbandonedRuns();
  const env = await loadE2eEnvironment();

  run.workDir = mkdtempSync(join(tmpdir(), WORK_PREFIX));
  const logs = join(resultsDir, 'e2e-logs');
  mkdirSync(logs, { recursive: true });
  // Screenshots of failures are this run's only: an old one would point at a failure that no longer happens.
  for (const f of readdirSync(resultsDir)) if (/^e2e-failed-.*\.png$/.test(f)) rmSync(join(resultsDir, f));
  const userDataDir = join(run.workDir, 'user-data');
  const extensionsDir = join(run.workDir, 'extensions');
  const workspace = prepareWorkspace(run.workDir);
  const stateFile = join(run.workDir, 'emulator-state.json');

  log('installing the VSIX into a fresh extensions folder…');
  await installVsix(run.opts.vsix, env.codeServerBin, userDataDir, extensionsDir, join(logs, 'install-extension.log'));

  const timeScale = process.env.E2E_TIME_SCALE ?? '0.25';
  const emulator = run.processes.spawn('emulator', process.execPath, [emulatorMain, '--port', '0', '--generation', 'g3', '--state-file', stateFile, '--time-scale', timeScale], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  emulator.stderr!.pipe(createWriteStream(join(logs, 'emulator.log')));
  recordPids(run, [emulator]);
  const emulatorUrl = await firstLine(emulator, 'the emulator', 20000);
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(emulatorUrl)) throw new HarnessError(`the emulator's first line is not its address: ${emulatorUrl}`);
  // Keep draining its stdout so that it never blocks on a full pipe.
  emulator.stdout!.resume();

  // The default profile: the emulator named by an explicit endpoint. Each test file writes its own settings.
  writeUserSettings(userDataDir, { 'foundryLab.endpoint': emulatorUrl });
  const port = await freePort((p) => p >= 18090 && p <= 18099);
  const configFile = join(run.workDir, 'code-server.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const codeServerEnv: NodeJS.ProcessEnv = { ...process.env, FOUNDRY_LAB_EMULATOR_STATE: stateFile };
  // Discovery must not find the runtime through the environment (the discovery test wants the foundry CLI).
  delete codeServerEnv.FOUNDRY_LOCAL_ENDPOINT;
  // --- Privacy --- E2E_NET_GUARD=1: code-server (and the extension host it starts) runs with test/privacy/netGuard.js
  // preloaded — every non-loopback connection refused and recorded in E2E_NET_LOG — for test/e2e/privacy.e2e.test.ts.
  if (process.env.E2E_NET_GUARD === '1') {
    const netLog = join(logs, 'net-guard.jsonl');
    rmSync(netLog, { force: true });
    codeServerEnv.NODE_OPTIONS = `${codeServerEnv.NODE_OPTIONS ?? ''} --require ${join(root, 'test', 'privacy', 'netGuard.js')}`.trim();
    codeServerEnv.FOUNDRY_LAB_NET_LOG = netLog;
    process.env.E2E_NET_LOG = netLog;
    process.env.E2E_EXTENSIONS_DIR = extensionsDir;
    log(`net guard on: non-loopback attempts go to ${relative(root, netLog)}`);
  }
  // --- end Privacy ---
  const codeServer = run.processes.spawn(
    'code-server',
    env.codeServerBin,
    [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      workspace,
    ],
    { env: codeServerEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const codeServerLog = createWriteStream(join(logs, 'code-server.log'));
  codeServer.stdout!.pipe(codeServerLog);
  codeServer.stderr!.pipe(codeServerLog);
  recordPids(run, [emulator, codeServer]);
  const codeServerUrl = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${codeServerUrl}healthz`, codeServer, 'code-server', 60000);
  log(`code-server ${codeServerUrl} · emulator ${emulatorUrl} · ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // A server that dies under the tests explains every failure after it: say so where it shows.
  for (const [name, child] of [['the emulator', emulator], ['code-server', codeServer]] as const) {
    child.once('exit', (code, signal) => {
      if (run.isFinishing) return;
      log(`${name} exited during the tests (${signal ?? `exit code ${code}`}) at ${new Date().toISOString()}; its log: ${relative(root, logs)}/`);
      const file = join(logs, name === 'code-server' ? 'code-server.log' : 'emulator.log');
      // Once its pipes have drained: the end of its log says why, and the next run overwrites the file.
      setTimeout(() => log(`the end of ${relative(root, file)}:\n${tail(file, 20)}`), 500);
    });
  }

  const vars: Record<keyof typeof E2E_ENV, string> = {
    codeServerUrl,
    emulatorUrl,
    emulatorState: stateFile,
    workspace,
    userDataDir,
    fakeFoundry,
    results: resultsDir,
    chromium: env.chromium,
    playwright: env.playwrightCore,
  };
  for (const [key, value] of Object.entries(vars)) process.env[E2E_ENV[key as keyof typeof E2E_ENV]] = value;

  const mocha = new Mocha({ timeout: 120000, slow: 15000, reporter: 'spec', grep: run.opts.grep });
  for (const f of specs) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => {
    run.runner = mocha.run((n) => resolve(n));
  });
  adoptEmulatorStartedByCli(run, stateFile, emulator.pid);
  log(`tests finished after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
  } catch {
    return '    (no log)';
  }
}

/** An emulator that `foundry server start` (the fake CLI) started while the tests ran is ours to stop as well. */
function adoptEmulatorStartedByCli(run: Run, stateFile: string, ourPid: number | undefined): void {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid?: number; standalone?: boolean };
    if (state.pid && state.pid !== ourPid && state.standalone) run.processes.adopt(state.pid);
  } catch {
    /* no state file */
  }
}

function start(): void {
  let run: Run;
  try {
    run = new Run(parseArgs(process.argv.slice(2)));
  } catch (e) {
    log((e as Error).message);
    process.stdout.write('\n0 passed, 1 failed\n');
    process.exit(2);
  }
  const onSignal = (signal: NodeJS.Signals, n: number) => {
    if (run.isFinishing) {
      // A second Ctrl-C: no more waiting.
      process.exit(128 + n); // the 'exit' handler kills what is left
    }
    log(`${signal}: stopping the servers…`);
    void run.finish(128 + n, true);
  };
  process.on('SIGINT', () => onSignal('SIGINT', 2));
  process.on('SIGTERM', () => onSignal('SIGTERM', 15));
  process.on('SIGHUP', () => onSignal('SIGHUP', 1));
  // The synchronous last resort, whatever the way out.
  process.on('exit', () => {
    run.processes.killAllNow();
    run.removeWorkDir();
  });
  const watchdog = setTimeout(() => {
    log(`the run took longer than ${run.opts.timeoutS} s: stopping it`);
    void run.finish(124, true);
  }, run.opts.timeoutS * 1000);
  watchdog.unref();
  main(run).then(
    (code) => run.finish(code),
    (e) => {
      log(`the in-editor tests could not run: ${e instanceof HarnessError ? e.message : (e as Error).stack}`);
      if (run.workDir) log(`the servers' logs: ${relative(root, join(resultsDir, 'e2e-logs'))}/`);
      return run.finish(2, true);
    },
  );
}

start();
