import * as assert from 'assert';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startEmulator, RunningEmulator } from '../../../emulator/server';
import { discoveryError, RuntimeConnection } from '../../../../src/core/runtime/connection';
import { LabError } from '../../../../src/core/runtime/errors';
import type { RuntimeClient } from '../../../../src/core/runtime/runtimeClient';

const FAKE_FOUNDRY = join(__dirname, '..', '..', '..', '..', '..', 'test', 'emulator', 'bin', 'foundry');

function isLab(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LabError, `expected a LabError, got ${String(e)}`);
    assert.strictEqual(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

describe('core/runtime/connection', function () {
  this.timeout(30000);
  let dir: string;
  let stateFile: string;
  let cliOpts: { env: NodeJS.ProcessEnv; foundryPath: string };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flab-connection-'));
    stateFile = join(dir, 'state.json');
    cliOpts = { env: { FOUNDRY_LAB_EMULATOR_STATE: stateFile }, foundryPath: FAKE_FOUNDRY };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('discovery caching', () => {
    let emu: RunningEmulator;
    before(async () => (emu = await startEmulator({ generation: 'g3', stateFile, timeScale: 0 })));
    after(() => emu.close());

    it('discovers lazily once and reuses the client', async () => {
      const conn = new RuntimeConnection({ ...cliOpts });
      assert.strictEqual(emu.requests.filter((r) => r.path === '/v1/models').length, 0, 'nothing before the first use');
      const [a, b] = await Promise.all([conn.client(), conn.client()]);
      const c = await conn.client();
      assert.strictEqual(a, b);
      assert.strictEqual(a, c);
      assert.strictEqual(emu.requests.filter((r) => r.path === '/v1/models').length, 1, 'one probe for concurrent and later calls');
      const cur = await conn.current();
      assert.strictEqual(cur.discovery.state, 'found');
      assert.strictEqual(cur.client, a);
    });

    it('refresh discovers again; setOptions makes the next call use the new options', async () => {
      const conn = new RuntimeConnection({ ...cliOpts });
      const first = await conn.client();
      const d = await conn.refresh();
      assert.strictEqual(d.state, 'found');
      assert.notStrictEqual(await conn.client(), first);
      conn.setOptions({ endpoint: 'http://127.0.0.1:9', endpointSource: 'setting', env: {} });
      await assert.rejects(conn.client(), isLab('unreachable', /http:\/\/127\.0\.0\.1:9 \(from the foundryLab\.endpoint setting\)/));
      assert.strictEqual(conn.options.endpoint, 'http://127.0.0.1:9');
    });

    it('one caller cancelling does not fail another waiting for the same discovery', async () => {
      const conn = new RuntimeConnection({ ...cliOpts });
      const ac = new AbortController();
      const cancelled = conn.client(ac.signal);
      const other = conn.client();
      ac.abort();
      await assert.rejects(cancelled, isLab('aborted'));
      assert.strictEqual((await other).endpoint.serviceUrl, emu.url);
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(conn.client(pre.signal), isLab('aborted'));
    });

    it('does not cache a failed discovery: a runtime started later is found', async () => {
      await emu.stop();
      const conn = new RuntimeConnection({ ...cliOpts });
      await assert.rejects(conn.client(), isLab('not-running', /Foundry Local is not running — start it \(`foundry server start`\) or set an endpoint/));
      await emu.restart();
      const client = await conn.client();
      assert.strictEqual(client.endpoint.serviceUrl, emu.url);
    });
  });

  describe('errors for each discovery state', () => {
    it('not installed', async () => {
      const conn = new RuntimeConnection({ env: {}, foundryPath: join(dir, 'missing-foundry') });
      await assert.rejects(conn.client(), isLab('not-installed', /Foundry Local was not found — install it, or set an endpoint/));
    });
    it('unreachable names the URL and where it came from', async () => {
      const conn = new RuntimeConnection({ env: { FOUNDRY_LOCAL_ENDPOINT: 'http://127.0.0.1:9/v1' } });
      await assert.rejects(conn.client(), isLab('unreachable', /Nothing answers at http:\/\/127\.0\.0\.1:9 \(from FOUNDRY_LOCAL_ENDPOINT\)/));
    });
    it('stopped names the command of its CLI family', () => {
      assert.match(discoveryError({ state: 'stopped', cli: 'service', detail: '' }).message, /`foundry service start`/);
      assert.strictEqual(discoveryError({ state: 'stopped', cli: 'service', detail: '' }).code, 'not-running');
      assert.match(discoveryError({ state: 'unreachable', url: 'http://h:1', source: 'flag', detail: 'x' }).message, /--endpoint/);
    });
  });

  for (const generation of ['g1', 'g3'] as const) {
    describe(`withRediscovery (${generation}, found through the fake foundry CLI)`, () => {
      let emu: RunningEmulator;
      beforeEach(async () => (emu = await startEmulator({ generation, stateFile, timeScale: 0 })));
      afterEach(() => emu.close());

      it('survives a restart on a new port: re-discovers once and retries once', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        const oldUrl = emu.url;
        assert.ok((await conn.withRediscovery((c) => c.listModels())).length > 0);
        const newUrl = await emu.restart();
        assert.notStrictEqual(newUrl, oldUrl);
        const seen: string[] = [];
        const loaded = await conn.withRediscovery(async (c) => {
          seen.push(c.endpoint.serviceUrl);
          return c.listLoaded();
        });
        assert.deepStrictEqual(loaded, []);
        assert.deepStrictEqual(seen, [oldUrl, newUrl]);
        assert.strictEqual((await conn.client()).endpoint.serviceUrl, newUrl, 'the new client is kept');
      });

      it('load → restart → ensureLoaded loads again on the new port', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        const model = await conn.withRediscovery((c) => c.resolveModel('qwen3-0.6b'));
        assert.strictEqual((await conn.withRediscovery((c) => c.ensureLoaded(model))).alreadyLoaded, false);
        await emu.restart();
        const again = await conn.withRediscovery((c) => c.ensureLoaded(model));
        assert.strictEqual(again.alreadyLoaded, false, 'the restarted service lost its loaded models');
        assert.deepStrictEqual([...emu.loaded], ['qwen3-0.6b-generic-cpu:1']);
      });

      it('retries only once', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        let calls = 0;
        await assert.rejects(
          conn.withRediscovery(async () => {
            calls++;
            throw new LabError('not-running', 'refused');
          }),
          isLab('not-running'),
        );
        assert.strictEqual(calls, 2);
      });

      it('does not retry other failures', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        let calls = 0;
        await assert.rejects(
          conn.withRediscovery(async (c: RuntimeClient) => {
            calls++;
            return c.resolveModel('no-such-model');
          }),
          isLab('model-not-found'),
        );
        assert.strictEqual(calls, 1);
      });

      it('reports the stopped service when it is gone for good', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        await conn.client();
        await emu.stop();
        await assert.rejects(conn.withRediscovery((c) => c.listModels()), isLab('not-running', generation === 'g1' ? /foundry service start/ : /foundry server start/));
      });

      it('does not retry after a cancel', async () => {
        const conn = new RuntimeConnection({ ...cliOpts });
        await conn.client();
        const ac = new AbortController();
        let calls = 0;
        await assert.rejects(
          conn.withRediscovery(async () => {
            calls++;
            ac.abort();
            throw new LabError('not-running', 'refused');
          }, ac.signal),
        );
        assert.strictEqual(calls, 1);
      });
    });
  }

  describe('withRediscovery with an explicit endpoint', () => {
    it('does not wander off to another runtime: the endpoint the user set is unreachable', async () => {
      const emu = await startEmulator({ generation: 'g3', timeScale: 0 });
      const other = await startEmulator({ generation: 'g1', stateFile, timeScale: 0 });
      try {
        const conn = new RuntimeConnection({ endpoint: emu.url, endpointSource: 'setting', ...cliOpts });
        await conn.client();
        await emu.restart();
        await assert.rejects(conn.withRediscovery((c) => c.listModels()), isLab('unreachable', /the foundryLab\.endpoint setting/));
      } finally {
        await emu.close();
        await other.close();
      }
    });
  });
});
