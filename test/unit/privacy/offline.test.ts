import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { existsSync, promises as fs, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { FIXTURE } from '../core/rag/fixture';
import { writeTree } from '../core/rag/tree';
import { CliRun, runCli } from '../cli/helpers';

const root = path.join(__dirname, '..', '..', '..', '..');
/** The preload that refuses and records every non-loopback connection (test/privacy/netGuard.js). */
export const NET_GUARD = path.join(root, 'test', 'privacy', 'netGuard.js');

interface Attempt {
  host: string;
  port?: number;
  via: string;
  stack: string;
}

function attempts(log: string): Attempt[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Attempt & { event?: string })
    .filter((a) => !a.event);
}

function guardedProcesses(log: string): number {
  if (!existsSync(log)) return 0;
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"event":"loaded"')).length;
}

/**
 * The offline guarantee for the CLI: every command runs with netGuard preloaded (all non-loopback traffic refused and
 * recorded) against the emulator on loopback, and succeeds without attempting any other destination.
 */
describe('privacy: offline guarantee (every CLI command, non-loopback traffic blocked)', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let tmp: string;
  let ws: string;
  let netLog: string;
  const env = () => ({ NODE_OPTIONS: `--require ${NET_GUARD}`, FOUNDRY_LAB_NET_LOG: netLog, XDG_CACHE_HOME: path.join(tmp, 'cache') });
  const results: { command: string; code: number | null }[] = [];

  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-offline-')));
    ws = path.join(tmp, 'ws');
    await writeTree(ws, FIXTURE);
    await fs.writeFile(path.join(tmp, 'notes.md'), '# Release notes\n\nThe login flow now retries with exponential backoff. Sessions expire after one hour.\n'.repeat(5));
  });
  after(async () => {
    await emu.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    netLog = path.join(tmp, `net-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
  });

  it('the guard is live in the CLI process: a non-loopback endpoint is refused and recorded (the control)', async () => {
    const r = await runCli(['status', '--endpoint', 'http://203.0.113.9:5273'], env());
    assert.notStrictEqual(r.code, 0);
    const seen = attempts(netLog);
    assert.ok(seen.some((a) => a.host === '203.0.113.9' && a.port === 5273), JSON.stringify(seen));
    assert.ok(seen.every((a) => a.stack.length > 0));
  });

  const ask = spawnSync(process.execPath, [path.join(root, 'out', 'src', 'cli', 'main.js'), 'ask', '--help'], { encoding: 'utf8' });
  const hasAsk = ask.status === 0 && /ask/.test(ask.stdout);

  const commands: { name: string; args: (url: string) => string[]; ok?: (r: CliRun) => void }[] = [
    { name: 'status', args: (u) => ['status', '--endpoint', u] },
    { name: 'models', args: (u) => ['models', '--endpoint', u] },
    { name: 'chat', args: (u) => ['chat', '--endpoint', u, '--model', 'phi-4-mini', '--max-tokens', '30', 'Say hello'], ok: (r) => assert.match(r.stdout, /\[emulated\]/) },
    { name: 'compare', args: (u) => ['compare', '--endpoint', u, '--models', 'phi-4-mini,qwen3-0.6b', '--runs', '1', '--max-tokens', '20', '--json', '--out', path.join(tmp, 'run.json')] },
    { name: 'report', args: () => ['report', path.join(tmp, 'run.json'), '--md'] },
    { name: 'summarize', args: (u) => ['summarize', '--endpoint', u, path.join(tmp, 'notes.md')] },
    { name: 'index', args: () => ['index', '--workspace', ws] },
    { name: 'retrieve', args: () => ['retrieve', '--workspace', ws, 'session', 'expiry'] },
    ...(hasAsk ? [{ name: 'ask', args: (u: string) => ['ask', '--endpoint', u, '--workspace', ws, 'where', 'is', 'the', 'session', 'created'] }] : []),
    // Discovery from the environment instead of a flag: still loopback only.
    { name: 'status (FOUNDRY_LOCAL_ENDPOINT)', args: () => ['status'] },
  ];

  for (const c of commands) {
    it(`${c.name}: succeeds, and attempts no non-loopback connection`, async () => {
      const r = await runCli(c.args(emu.url), { ...env(), FOUNDRY_LOCAL_ENDPOINT: emu.url });
      results.push({ command: c.name, code: r.code });
      assert.strictEqual(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`);
      c.ok?.(r);
      assert.deepStrictEqual(attempts(netLog), [], `non-loopback attempts by ${c.name}`);
      assert.ok(guardedProcesses(netLog) >= 1, 'the CLI ran under the guard');
    });
  }

  it(`covers every command of the CLI's help (${hasAsk ? 'ask included' : 'ask not available'})`, async () => {
    const help = await runCli(['--help']);
    const listed = [...help.stdout.split('Options')[0].matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    assert.ok(listed.length >= 8, `commands read from --help: ${listed.join(', ')}`);
    const covered = new Set(commands.map((c) => c.name.split(' ')[0]).concat('diff')); // diff reads two local files, like report
    assert.deepStrictEqual(listed.filter((n) => !covered.has(n)), []);
  });
});
