import * as assert from 'assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LabError } from '../../../../src/core/runtime/errors';
import {
  isUnknownCommand,
  parseServerStatusJson,
  parseServerStatusText,
  parseServiceStatus,
  parseStartOutput,
  runFoundry,
  saysUnknownCommand,
} from '../../../../src/core/runtime/foundryCli';

/** The fake `foundry` CLI that ships with the emulator (test/emulator/bin/foundry). */
const FAKE_FOUNDRY = join(__dirname, '..', '..', '..', '..', '..', 'test', 'emulator', 'bin', 'foundry');

describe('core/runtime/foundryCli', () => {
  describe('G1 `foundry service status` (≤ 0.8)', () => {
    it('takes the URL from the running line, without the /openai/status path', () => {
      const out = [
        '🟢 Model management service is running on http://127.0.0.1:55064/openai/status',
        'EP autoregistration status: Successfully downloaded and registered the following EPs: OpenVINOExecutionProvider, NvTensorRTRTXExecutionProvider, CUDAExecutionProvider.',
        'Valid EPs: CPUExecutionProvider, WebGpuExecutionProvider, OpenVINOExecutionProvider, NvTensorRTRTXExecutionProvider, CUDAExecutionProvider',
      ].join('\r\n');
      assert.deepStrictEqual(parseServiceStatus(out), { running: true, url: 'http://127.0.0.1:55064' });
    });
    it('reads the legacy SDK fixture with localhost', () => {
      assert.deepStrictEqual(parseServiceStatus('Model management service is running on http://localhost:5273/openai/status'), { running: true, url: 'http://localhost:5273' });
    });
    it('reads "not running" as stopped, even though the hint names a command', () => {
      const out = '🔴 Model management service is not running!\nTo start the service, run the following command: foundry service start\n';
      assert.deepStrictEqual(parseServiceStatus(out), { running: false });
      assert.deepStrictEqual(parseServiceStatus('Model management service is not running!'), { running: false });
    });
    it('reads output without a URL as stopped', () => {
      assert.deepStrictEqual(parseServiceStatus(''), { running: false });
      assert.deepStrictEqual(parseServiceStatus('Exception: something odd'), { running: false });
    });
  });

  describe('start outputs', () => {
    it('reads the URL of every known start line', () => {
      assert.strictEqual(parseStartOutput('🟢 Service is Started on http://127.0.0.1:64646/, PID 17000!'), 'http://127.0.0.1:64646');
      assert.strictEqual(parseStartOutput('🟢 Service is already running on http://127.0.0.1:64646/.'), 'http://127.0.0.1:64646');
      assert.strictEqual(parseStartOutput('🟢 Service is Started on http://localhost:5273, PID 19296!'), 'http://localhost:5273');
      assert.strictEqual(parseStartOutput('■ Starting Foundry Local server\n● success: Server ready (http://127.0.0.1:51454)\n'), 'http://127.0.0.1:51454');
      assert.strictEqual(parseStartOutput('Failed to start the service.'), undefined);
    });
  });

  describe('G2/G3 `foundry server status -o json` (0.10+)', () => {
    it('takes webUrls[0] from the JSON', () => {
      assert.deepStrictEqual(parseServerStatusJson('{"running": true, "webUrls": ["http://127.0.0.1:62911"]}'), { running: true, url: 'http://127.0.0.1:62911' });
    });
    it('skips status lines printed before the JSON and pretty-printed JSON', () => {
      const out = 'Checking Foundry Local server status...\n■ Loading\n{\n  "running": true,\n  "state": "Ready",\n  "webUrls": [\n    "http://127.0.0.1:62911/"\n  ],\n  "pid": 4242\n}\n';
      assert.deepStrictEqual(parseServerStatusJson(out), { running: true, url: 'http://127.0.0.1:62911' });
    });
    it('reports the stale shape as it is: running with a URL (discovery probes it)', () => {
      assert.deepStrictEqual(parseServerStatusJson('{"running":true,"webUrls":["http://127.0.0.1:1"]}'), { running: true, url: 'http://127.0.0.1:1' });
    });
    it('reads a stopped server', () => {
      assert.deepStrictEqual(parseServerStatusJson('{"running": false, "webUrls": []}'), { running: false, url: undefined });
      assert.deepStrictEqual(parseServerStatusJson('{"running": false}'), { running: false, url: undefined });
    });
    it('keeps the URL even when `running` says false (the flag is not trusted either way)', () => {
      assert.deepStrictEqual(parseServerStatusJson('{"running": false, "webUrls": ["http://127.0.0.1:5000"]}'), { running: false, url: 'http://127.0.0.1:5000' });
    });
    it('accepts PascalCase keys', () => {
      assert.deepStrictEqual(parseServerStatusJson('{"Running": true, "WebUrls": ["http://127.0.0.1:7"]}'), { running: true, url: 'http://127.0.0.1:7' });
    });
    it('returns undefined for text without JSON or with broken JSON (the text parser takes over)', () => {
      assert.strictEqual(parseServerStatusJson('State     Ready\nWeb URLs  http://127.0.0.1:62911'), undefined);
      assert.strictEqual(parseServerStatusJson('{"running": tr'), undefined);
    });
  });

  describe('G2/G3 `foundry server status` text', () => {
    it('takes the Web URLs line', () => {
      const out = 'State       Ready\nPID         31337\nWeb URLs  http://127.0.0.1:62911\nCLI version 0.10.3\nFoundry Local Core: 1.0.0\nCheck http://example.com:80 for docs';
      assert.deepStrictEqual(parseServerStatusText(out), { running: true, url: 'http://127.0.0.1:62911' });
      assert.deepStrictEqual(parseServerStatusText('Web URLs: http://127.0.0.1:64198'), { running: true, url: 'http://127.0.0.1:64198' });
    });
    it('reads a stopped server', () => {
      assert.deepStrictEqual(parseServerStatusText('State     Stopped\nRun `foundry server start` to start the server.'), { running: false });
    });
  });

  describe('unknown commands', () => {
    it('recognises the other generation rejecting a command family', () => {
      assert.strictEqual(isUnknownCommand({ code: 1, stdout: '', stderr: "Unknown command 'server'.\n" }), true);
      assert.strictEqual(isUnknownCommand({ code: 1, stdout: "Unrecognized command or argument 'service'.", stderr: '' }), true);
      assert.strictEqual(saysUnknownCommand({ code: 1, stdout: '', stderr: "Unknown command 'service'." }), true);
    });
    it('treats a failure without a URL as unusable, and a normal status as known', () => {
      assert.strictEqual(isUnknownCommand({ code: 2, stdout: 'Exception: boom', stderr: '' }), true);
      assert.strictEqual(saysUnknownCommand({ code: 2, stdout: 'Exception: boom', stderr: '' }), false);
      assert.strictEqual(isUnknownCommand({ code: 0, stdout: '{"running": false, "webUrls": []}', stderr: '' }), false);
      assert.strictEqual(isUnknownCommand({ code: 0, stdout: '🔴 Model management service is not running!', stderr: '' }), false);
    });
  });

  describe('runFoundry', function () {
    this.timeout(20000);
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'flab-cli-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('says not-installed, with what to do, when the command does not exist', async () => {
      await assert.rejects(runFoundry(join(dir, 'no-such-foundry'), ['server', 'status']), (e: unknown) => {
        assert.ok(e instanceof LabError);
        assert.strictEqual(e.code, 'not-installed');
        assert.match(e.message, /not found/);
        assert.match(e.message, /foundryPath|endpoint/);
        return true;
      });
    });

    it('runs the fake CLI without a shell and passes the environment it is given', async () => {
      const state = join(dir, 'state.json');
      writeFileSync(state, JSON.stringify({ url: 'http://127.0.0.1:1', running: false, generation: 'g1' }));
      const r = await runFoundry(FAKE_FOUNDRY, ['service', 'status'], { env: { FOUNDRY_LAB_EMULATOR_STATE: state } });
      assert.strictEqual(r.code, 0);
      assert.deepStrictEqual(parseServiceStatus(r.stdout), { running: false });
      const rejected = await runFoundry(FAKE_FOUNDRY, ['server', 'status', '-o', 'json'], { env: { FOUNDRY_LAB_EMULATOR_STATE: state } });
      assert.strictEqual(rejected.code, 1);
      assert.strictEqual(isUnknownCommand(rejected), true);
    });

    it('passes arguments with spaces and quotes through unchanged', async function () {
      if (process.platform === 'win32') this.skip();
      const echo = join(dir, 'echo-args');
      writeFileSync(echo, '#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
      chmodSync(echo, 0o755);
      const args = ['model', 'info', 'a b', 'quote"d', '$(echo no)', '; rm -rf /'];
      const r = await runFoundry(echo, args);
      assert.deepStrictEqual(JSON.parse(r.stdout), args);
    });

    it('ends a command that hangs with a timeout error, and is abortable', async function () {
      if (process.platform === 'win32') this.skip();
      const slow = join(dir, 'slow');
      writeFileSync(slow, '#!/usr/bin/env node\nsetTimeout(() => {}, 60000);\n');
      chmodSync(slow, 0o755);
      await assert.rejects(runFoundry(slow, ['server', 'status'], { timeoutMs: 300 }), (e: unknown) => e instanceof LabError && e.code === 'timeout' && /did not finish/.test(e.message));
      const ac = new AbortController();
      const p = runFoundry(slow, ['server', 'status'], { signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(p, (e: unknown) => e instanceof LabError && e.code === 'aborted');
    });
  });
});
