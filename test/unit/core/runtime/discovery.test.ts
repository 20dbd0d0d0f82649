import * as assert from 'assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { startEmulator, RunningEmulator } from '../../../emulator/server';
import { discover, discoverEndpoint, startFoundryService } from '../../../../src/core/runtime/discovery';
import { runFoundry } from '../../../../src/core/runtime/foundryCli';
import type { DiscoveryResult } from '../../../../src/core/runtime/types';

/** The fake `foundry` CLI that ships with the emulator; it reads the emulator's state file. */
const FAKE_FOUNDRY = join(__dirname, '..', '..', '..', '..', '..', 'test', 'emulator', 'bin', 'foundry');

function found(d: DiscoveryResult): Extract<DiscoveryResult, { state: 'found' }> {
  assert.strictEqual(d.state, 'found', JSON.stringify(d));
  return d as Extract<DiscoveryResult, { state: 'found' }>;
}

describe('core/runtime/discovery', function () {
  this.timeout(30000);
  let dir: string;
  let stateFile: string;
  let cliEnv: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flab-discovery-'));
    stateFile = join(dir, 'state.json');
    cliEnv = { FOUNDRY_LAB_EMULATOR_STATE: stateFile };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('an explicit endpoint (flag or setting)', () => {
    let emu: RunningEmulator;
    before(async () => (emu = await startEmulator({ generation: 'g3', timeScale: 0 })));
    after(() => emu.close());

    it('is confirmed with GET /v1/models and described: runtime, emulator, loaded models', async () => {
      emu.loaded.clear();
      await fetch(`${emu.url}/models/load/${encodeURIComponent('qwen3-0.6b-generic-cpu:1')}`);
      const d = found(await discoverEndpoint({ endpoint: `${emu.url}/v1/`, endpointSource: 'flag', env: {} }));
      assert.deepStrictEqual(d.endpoint, { serviceUrl: emu.url, openaiBaseUrl: `${emu.url}/v1`, source: 'flag', isLoopback: true });
      assert.strictEqual(d.runtime, 'foundry-g3');
      assert.strictEqual(d.emulated, true);
      assert.deepStrictEqual(d.loadedModels, ['qwen3-0.6b-generic-cpu:1']);
      assert.ok(emu.requests.some((r) => r.path === '/v1/models'));
    });

    it('defaults to the setting as source and wins over FOUNDRY_LOCAL_ENDPOINT and the CLI', async () => {
      const d = found(await discoverEndpoint({ endpoint: emu.url, env: { FOUNDRY_LOCAL_ENDPOINT: 'http://127.0.0.1:9/v1' }, foundryPath: join(dir, 'missing') }));
      assert.strictEqual(d.endpoint.source, 'setting');
    });

    it('that does not answer is unreachable, naming its source — no silent fall-through', async () => {
      const gone = await startEmulator({ generation: 'g3' });
      const url = gone.url;
      await gone.close();
      // A working CLI-discoverable runtime exists (emu via the state file), and an env endpoint too: neither is used.
      writeFileSync(stateFile, JSON.stringify({ url: emu.url, running: true, generation: 'g3' }));
      const d = await discoverEndpoint({ endpoint: url, endpointSource: 'setting', env: { ...cliEnv, FOUNDRY_LOCAL_ENDPOINT: emu.url }, foundryPath: FAKE_FOUNDRY });
      assert.strictEqual(d.state, 'unreachable');
      if (d.state !== 'unreachable') return;
      assert.strictEqual(d.url, url);
      assert.strictEqual(d.source, 'setting');
      assert.match(d.detail, /Nothing is listening|connection refused/);
    });

    it('an invalid URL is unreachable with the reason', async () => {
      const d = await discoverEndpoint({ endpoint: 'ftp://127.0.0.1:21', endpointSource: 'flag', env: {} });
      assert.strictEqual(d.state, 'unreachable');
      if (d.state === 'unreachable') {
        assert.strictEqual(d.source, 'flag');
        assert.match(d.detail, /not an http\(s\) URL/);
      }
    });

    it('a probe that hangs ends after probeTimeoutMs', async () => {
      emu.injectFault({ kind: 'hang', route: 'models' });
      const d = await discoverEndpoint({ endpoint: emu.url, env: {}, probeTimeoutMs: 200 });
      emu.clearFaults();
      assert.strictEqual(d.state, 'unreachable');
      if (d.state === 'unreachable') assert.match(d.detail, /did not answer in/);
    });

    it('a server without /v1/models is not taken for a runtime', async () => {
      const srv = createServer((_req, res) => {
        res.statusCode = 404;
        res.end('not here');
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      try {
        const d = await discoverEndpoint({ endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, env: {} });
        assert.strictEqual(d.state, 'unreachable');
        if (d.state === 'unreachable') assert.match(d.detail, /\/v1\/models/);
      } finally {
        srv.closeAllConnections();
        srv.close();
      }
    });

    it('also returns a ready client for the endpoint', async () => {
      const r = await discover({ endpoint: emu.url, env: {} });
      assert.ok(r.client);
      assert.strictEqual(r.client!.endpoint.serviceUrl, emu.url);
      assert.strictEqual(await r.client!.detectRuntime(), 'foundry-g3');
    });

    it('is abortable', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(discoverEndpoint({ endpoint: emu.url, env: {}, signal: ac.signal }), (e: any) => e.code === 'aborted');
    });
  });

  describe('FOUNDRY_LOCAL_ENDPOINT', () => {
    it('is used when no endpoint is set, with the workshop /v1 form', async () => {
      const emu = await startEmulator({ generation: 'g2', timeScale: 0 });
      try {
        const d = found(await discoverEndpoint({ env: { FOUNDRY_LOCAL_ENDPOINT: `${emu.url}/v1` }, foundryPath: join(dir, 'missing') }));
        assert.strictEqual(d.endpoint.source, 'env');
        assert.strictEqual(d.runtime, 'foundry-g2');
      } finally {
        await emu.close();
      }
    });

    it('that does not answer is unreachable from env, without asking the CLI', async () => {
      const d = await discoverEndpoint({ env: { FOUNDRY_LOCAL_ENDPOINT: 'http://127.0.0.1:9/v1' }, foundryPath: join(dir, 'missing') });
      assert.strictEqual(d.state, 'unreachable');
      if (d.state === 'unreachable') {
        assert.strictEqual(d.source, 'env');
        assert.strictEqual(d.url, 'http://127.0.0.1:9');
      }
    });

    it('blank counts as unset', async () => {
      const d = await discoverEndpoint({ env: { FOUNDRY_LOCAL_ENDPOINT: '  ' }, foundryPath: join(dir, 'missing') });
      assert.strictEqual(d.state, 'not-installed');
    });
  });

  describe('the foundry CLI', () => {
    it('not installed: foundryPath names no file', async () => {
      const d = await discoverEndpoint({ env: {}, foundryPath: join(dir, 'no', 'foundry') });
      assert.strictEqual(d.state, 'not-installed');
      if (d.state === 'not-installed') assert.match(d.detail, /not found/);
    });

    for (const generation of ['g1', 'g2', 'g3'] as const) {
      const kind = { g1: 'foundry-g1', g2: 'foundry-g2', g3: 'foundry-g3' }[generation];
      const source = generation === 'g1' ? 'foundry-service-status' : 'foundry-server-status';
      const cli = generation === 'g1' ? 'service' : 'server';

      describe(`${generation} (\`foundry ${cli} status\`)`, () => {
        let emu: RunningEmulator;
        beforeEach(async () => (emu = await startEmulator({ generation, stateFile, timeScale: 0 })));
        afterEach(() => emu.close());

        it(`finds the running service (source ${source}) and confirms it`, async () => {
          const d = found(await discoverEndpoint({ env: cliEnv, foundryPath: FAKE_FOUNDRY }));
          assert.strictEqual(d.endpoint.serviceUrl, emu.url);
          assert.strictEqual(d.endpoint.source, source);
          assert.strictEqual(d.runtime, kind);
          assert.strictEqual(d.emulated, true);
          assert.ok(emu.requests.some((r) => r.path === '/v1/models'), 'confirmed by HTTP, not by the CLI text');
        });

        it(`reports a stopped service with the ${cli} command family`, async () => {
          await emu.stop();
          const d = await discoverEndpoint({ env: cliEnv, foundryPath: FAKE_FOUNDRY });
          assert.deepStrictEqual({ state: d.state, cli: d.state === 'stopped' ? d.cli : undefined }, { state: 'stopped', cli });
          if (d.state === 'stopped' && generation === 'g1') assert.match(d.detail, /not running/);
        });

        it('follows the service to its new port after a restart', async () => {
          const before = found(await discoverEndpoint({ env: cliEnv, foundryPath: FAKE_FOUNDRY }));
          const url = await emu.restart();
          assert.notStrictEqual(url, before.endpoint.serviceUrl);
          const after = found(await discoverEndpoint({ env: cliEnv, foundryPath: FAKE_FOUNDRY }));
          assert.strictEqual(after.endpoint.serviceUrl, url);
        });

        if (generation !== 'g1') {
          it('does not trust a stale "running" flag: probes the URL and says stopped', async () => {
            await emu.stop();
            const d = await discoverEndpoint({ env: { ...cliEnv, FOUNDRY_LAB_FAKE_CLI_STALE: '1' }, foundryPath: FAKE_FOUNDRY });
            assert.strictEqual(d.state, 'stopped');
            if (d.state === 'stopped') {
              assert.strictEqual(d.cli, 'server');
              assert.match(d.detail, /says it runs at http:\/\/127\.0\.0\.1:\d+, but nothing answers there \(a stale status\)/);
            }
          });

          it('reads the text status when a CLI prints text despite `-o json`', async function () {
            if (process.platform === 'win32') this.skip();
            const textOnly = join(dir, 'foundry-text');
            writeFileSync(
              textOnly,
              `#!/usr/bin/env node\nconst r = require('child_process').spawnSync(process.execPath, [${JSON.stringify(FAKE_FOUNDRY)}, ...process.argv.slice(2).filter((a, i, all) => a !== '-o' && all[i - 1] !== '-o')], { stdio: 'inherit' });\nprocess.exit(r.status);\n`,
            );
            chmodSync(textOnly, 0o755);
            const out = await runFoundry(textOnly, ['server', 'status', '-o', 'json'], { env: cliEnv });
            assert.match(out.stdout, /^Web URLs\s+http/m);
            assert.doesNotMatch(out.stdout, /\{/);
            const d = found(await discoverEndpoint({ env: cliEnv, foundryPath: textOnly }));
            assert.strictEqual(d.endpoint.serviceUrl, emu.url);
            assert.strictEqual(d.endpoint.source, 'foundry-server-status');
          });
        }
      });
    }
  });

  describe('startFoundryService', function () {
    this.timeout(60000);
    for (const generation of ['g1', 'g3'] as const) {
      it(`starts ${generation} with the command its CLI knows and waits until it answers`, async () => {
        const file = join(dir, `start-${generation}.json`);
        writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9', running: false, generation, timeScale: 0 }));
        const env = { FOUNDRY_LAB_EMULATOR_STATE: file };
        let d: DiscoveryResult | undefined;
        try {
          d = await startFoundryService({ env, foundryPath: FAKE_FOUNDRY, waitMs: 30000 });
          const f = found(d);
          assert.strictEqual(f.runtime, generation === 'g1' ? 'foundry-g1' : 'foundry-g3');
          assert.strictEqual(f.endpoint.source, generation === 'g1' ? 'foundry-service-status' : 'foundry-server-status');
        } finally {
          // stop the detached emulator the fake CLI started
          await runFoundry(FAKE_FOUNDRY, [generation === 'g1' ? 'service' : 'server', 'stop'], { env });
        }
        const stopped = await discoverEndpoint({ env, foundryPath: FAKE_FOUNDRY });
        assert.strictEqual(stopped.state, 'stopped');
      });
    }

    it('says not-installed when there is no foundry command', async () => {
      const d = await startFoundryService({ env: {}, foundryPath: join(dir, 'nothing-here') });
      assert.strictEqual(d.state, 'not-installed');
    });
  });
});
