import * as assert from 'assert';
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { call, oneModel } from './helpers';

/** The executable script itself (shebang + mode), as the discovery code will run it. */
const FOUNDRY = join(__dirname, '..', '..', '..', '..', 'test', 'emulator', 'bin', 'foundry');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function foundry(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(FOUNDRY, args, { env: { PATH: process.env.PATH, ...env }, timeout: 8000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const URL_RE = /http:\/\/127\.0\.0\.1:\d+/;

/** Spawned emulators must not outlive the tests, whatever fails. */
function killLater(pids: number[]) {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

describe('emulator: fake foundry CLI', function () {
  this.timeout(15000);
  const dir = mkdtempSync(join(tmpdir(), 'flab-cli-'));
  const spawned: number[] = [];
  after(() => killLater(spawned));

  describe('G1 CLI: foundry service …', () => {
    let emu: RunningEmulator;
    const state = join(dir, 'g1.json');
    const env = { FOUNDRY_LAB_EMULATOR_STATE: state };
    before(async () => {
      emu = await startEmulator({ generation: 'g1', stateFile: state, timeScale: 0.01, profile: oneModel() });
    });
    after(() => emu.close());

    it('service status: the running line with the /openai/status URL', async () => {
      const r = await foundry(['service', 'status'], env);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stdout.split('\n')[0], `🟢 Model management service is running on ${emu.url}/openai/status`);
    });

    it("rejects `server …` as the real ≤ 0.8 CLI does", async () => {
      const r = await foundry(['server', 'status', '-o', 'json'], env);
      assert.strictEqual(r.code, 1);
      assert.match(r.stdout + r.stderr, /Unknown command 'server'\./);
    });

    it('service start while running: "already running" with the URL', async () => {
      const r = await foundry(['service', 'start'], env);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stdout.trim(), `🟢 Service is already running on ${emu.url}/.`);
    });

    it('service stop stops the in-process emulator (not the test process); status then says not running', async () => {
      const stop = await foundry(['service', 'stop'], env);
      assert.strictEqual(stop.code, 0);
      await assert.rejects(fetch(`${emu.url}/openai/status`));
      const r = await foundry(['service', 'status'], env);
      assert.strictEqual(r.stdout, '🔴 Model management service is not running!\nTo start the service, run the following command: foundry service start\n');
    });

    it('service start spawns a detached emulator on a new port with the same generation and profile', async () => {
      const r = await foundry(['service', 'start'], env);
      assert.strictEqual(r.code, 0, r.stderr);
      const m = /^🟢 Service is Started on (http:\/\/127\.0\.0\.1:\d+)\/, PID (\d+)!$/.exec(r.stdout.trim());
      assert.ok(m, r.stdout);
      spawned.push(Number(m![2]));
      assert.notStrictEqual(m![1], emu.url);
      const list = await call(m![1], '/foundry/list');
      assert.deepStrictEqual(list.json.map((x: any) => x.name), ['test-model-cpu:1']);
      const st = JSON.parse(readFileSync(state, 'utf8'));
      assert.deepStrictEqual([st.url, st.running, st.pid, st.generation], [m![1], true, Number(m![2]), 'g1']);
      assert.match((await foundry(['service', 'status'], env)).stdout, new RegExp(`running on ${m![1]}/openai/status`));
      // Stopping a spawned emulator ends its process.
      assert.strictEqual((await foundry(['service', 'stop'], env)).code, 0);
      await assert.rejects(fetch(`${m![1]}/v1/models`));
      assert.strictEqual(JSON.parse(readFileSync(state, 'utf8')).running, false);
    });
  });

  describe('G2/G3 CLI: foundry server …', () => {
    let emu: RunningEmulator;
    const state = join(dir, 'g3.json');
    const env = { FOUNDRY_LAB_EMULATOR_STATE: state };
    before(async () => {
      emu = await startEmulator({ generation: 'g3', stateFile: state, timeScale: 0.01, profile: oneModel() });
    });
    after(() => emu.close());

    it('server status: text with "Web URLs  <url>"', async () => {
      const r = await foundry(['server', 'status'], env);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Web URLs  ${emu.url}$`, 'm'));
    });

    it('server status -o json: a status line, then JSON with running and webUrls', async () => {
      const r = await foundry(['server', 'status', '-o', 'json'], env);
      assert.strictEqual(r.code, 0);
      const brace = r.stdout.indexOf('{');
      assert.ok(brace > 0, 'text precedes the JSON, as with the real CLI');
      const j = JSON.parse(r.stdout.slice(brace));
      assert.strictEqual(j.running, true);
      assert.deepStrictEqual(j.webUrls, [emu.url]);
    });

    it("rejects `service …` as the real 0.10+ CLI does", async () => {
      const r = await foundry(['service', 'status'], env);
      assert.strictEqual(r.code, 1);
      assert.match(r.stdout + r.stderr, /Unknown command 'service'\./);
    });

    it('FOUNDRY_LAB_FAKE_CLI_STALE=1: status claims running while nothing listens', async () => {
      await emu.stop();
      const honest = JSON.parse((await foundry(['server', 'status', '-o', 'json'], env)).stdout.replace(/^[^{]*/, ''));
      assert.deepStrictEqual([honest.running, honest.webUrls], [false, []]);
      const stale = JSON.parse((await foundry(['server', 'status', '-o', 'json'], { ...env, FOUNDRY_LAB_FAKE_CLI_STALE: '1' })).stdout.replace(/^[^{]*/, ''));
      assert.strictEqual(stale.running, true);
      assert.match(stale.webUrls[0], URL_RE);
      await assert.rejects(fetch(`${stale.webUrls[0]}/v1/models`));
    });

    it('server start: "● success: Server ready (<url>)" with a G3 emulator behind it; server stop ends it', async () => {
      const r = await foundry(['server', 'start'], env);
      assert.strictEqual(r.code, 0, r.stderr);
      const m = /● success: Server ready \((http:\/\/127\.0\.0\.1:\d+)\)/.exec(r.stdout);
      assert.ok(m, r.stdout);
      const st = JSON.parse(readFileSync(state, 'utf8'));
      spawned.push(st.pid);
      assert.strictEqual(st.url, m![1]);
      assert.strictEqual((await call(m![1], '/status')).status, 200, 'a G3 service');
      assert.match((await foundry(['server', 'start'], env)).stdout, /already running/);
      assert.strictEqual((await foundry(['server', 'stop'], env)).code, 0);
      await assert.rejects(fetch(`${m![1]}/v1/models`));
    });
  });

  it('starts a G1 service from nothing (no state file yet) with FOUNDRY_LAB_FAKE_CLI_GENERATION', async () => {
    const env = { FOUNDRY_LAB_EMULATOR_STATE: join(dir, 'fresh.json'), FOUNDRY_LAB_FAKE_CLI_GENERATION: 'g1' };
    assert.match((await foundry(['service', 'status'], env)).stdout, /not running/);
    const r = await foundry(['service', 'start'], env);
    const m = /Started on (http:\/\/127\.0\.0\.1:\d+)\/, PID (\d+)!/.exec(r.stdout);
    assert.ok(m, r.stdout + r.stderr);
    spawned.push(Number(m![2]));
    assert.strictEqual((await call(m![1], '/openai/status')).status, 200);
    await foundry(['service', 'stop'], env);
  });

  it('exits 3 with a message when FOUNDRY_LAB_EMULATOR_STATE is not set', async () => {
    const r = await foundry(['service', 'status'], {});
    assert.strictEqual(r.code, 3);
    assert.match(r.stderr, /FOUNDRY_LAB_EMULATOR_STATE/);
  });
});
