import * as assert from 'assert';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { startEmulator, RunningEmulator } from '../../../emulator/server';
import { parseEndpointUrl } from '../../../../src/core/runtime/endpoint';
import { LabError } from '../../../../src/core/runtime/errors';
import { DownloadStreamParser, RuntimeClient } from '../../../../src/core/runtime/runtimeClient';
import type { RuntimeKind } from '../../../../src/core/runtime/types';

const PHI_GPU = 'Phi-4-mini-instruct-generic-gpu:5';
const PHI_CPU = 'Phi-4-mini-instruct-generic-cpu:5';
const OSS_CUDA = 'gpt-oss-20b-cuda-gpu:1';
const OSS_CPU = 'gpt-oss-20b-generic-cpu:1'; // not downloaded in the default profile
const QWEN3 = 'qwen3-0.6b-generic-cpu:1';
const ALL_IDS = [PHI_GPU, PHI_CPU, OSS_CUDA, OSS_CPU, QWEN3];

const clientFor = (url: string, opts: ConstructorParameters<typeof RuntimeClient>[1] = {}) => new RuntimeClient(parseEndpointUrl(url, 'setting'), opts);

function isLab(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LabError, `expected a LabError, got ${String(e)}`);
    assert.strictEqual(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    assert.ok(!/\n\s+at /.test(e.message), 'no stack traces in messages');
    return true;
  };
}

const waitFor = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cond();
};

/** A small real HTTP server for shapes the emulator does not produce. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const KINDS: Record<'g1' | 'g2' | 'g3' | 'openai', RuntimeKind> = { g1: 'foundry-g1', g2: 'foundry-g2', g3: 'foundry-g3', openai: 'openai-compatible' };

describe('core/runtime/runtimeClient against the emulator', function () {
  this.timeout(20000);

  for (const generation of ['g1', 'g2', 'g3', 'openai'] as const) {
    describe(`${generation} runtime`, () => {
      let emu: RunningEmulator;
      let client: RuntimeClient;
      const foundry = generation !== 'openai';
      before(async () => {
        emu = await startEmulator({ generation, timeScale: 0.05 });
      });
      beforeEach(() => {
        emu.loaded.clear();
        emu.clearFaults();
        client = clientFor(emu.url);
      });
      after(() => emu.close());

      it(`detects ${KINDS[generation]} once, labelled as emulated`, async () => {
        assert.strictEqual(await client.detectRuntime(), KINDS[generation]);
        const before = emu.requests.length;
        assert.strictEqual(await client.detectRuntime(), KINDS[generation]);
        assert.strictEqual(await client.isEmulated(), true);
        assert.strictEqual(emu.requests.length, before, 'the generation is probed only once per client');
      });

      it('lists every variant with the id the chat API takes', async () => {
        const models = await client.listModels();
        if (generation === 'g1') {
          assert.deepStrictEqual(models.map((m) => m.id), ALL_IDS);
        } else {
          assert.deepStrictEqual(new Set(models.map((m) => m.id)), new Set(ALL_IDS));
        }
        const phiCpu = models.find((m) => m.id === PHI_CPU)!;
        const oss = models.find((m) => m.id === OSS_CUDA)!;
        if (foundry) {
          assert.strictEqual(phiCpu.alias, 'phi-4-mini');
          assert.strictEqual(phiCpu.device, 'CPU');
          assert.strictEqual(oss.alias, 'gpt-oss-20b');
          assert.strictEqual(oss.device, 'GPU');
          assert.strictEqual(models.find((m) => m.id === QWEN3)!.alias, 'qwen3-0.6b');
        } else {
          assert.strictEqual(phiCpu.alias, PHI_CPU, 'an OpenAI-compatible server has no aliases');
          assert.strictEqual(phiCpu.device, 'unknown');
        }
        if (generation === 'g1') {
          // /foundry/list carries the runtime, sizes and limits; /openai/models (ids without version) says what is downloaded
          assert.strictEqual(oss.executionProvider, 'CUDAExecutionProvider');
          assert.strictEqual(models.find((m) => m.id === PHI_GPU)!.executionProvider, 'WebGpuExecutionProvider');
          assert.strictEqual(oss.fileSizeMb, 9882);
          assert.strictEqual(oss.maxOutputTokens, 4096);
          assert.strictEqual(oss.cached, true);
          assert.strictEqual(models.find((m) => m.id === OSS_CPU)!.cached, false);
          assert.ok(emu.requests.some((r) => r.path === '/openai/models'));
        }
      });

      it('caches the model list for a short while', async () => {
        await client.listModels();
        const n = emu.requests.length;
        await client.listModels();
        assert.strictEqual(emu.requests.length, n);
      });

      if (foundry) {
        it('resolves an alias to the preferred variant, by device, and ids as given', async () => {
          const r = await client.resolveModel('phi-4-mini');
          assert.strictEqual(r.id, PHI_GPU);
          assert.strictEqual(r.requested, 'phi-4-mini');
          assert.strictEqual(r.device, 'GPU');
          assert.strictEqual((await client.resolveModel('phi-4-mini', { device: 'CPU' })).id, PHI_CPU);
          assert.strictEqual((await client.resolveModel('gpt-oss-20b')).id, OSS_CUDA);
          assert.strictEqual((await client.resolveModel('phi-4-mini-instruct-generic-cpu')).id, PHI_CPU);
          assert.strictEqual((await client.resolveModel(QWEN3.toUpperCase())).id, QWEN3);
        });

        if (generation === 'g1') {
          it('prefers the downloaded variant of an alias (gpt-oss-20b on CPU is not downloaded)', async () => {
            await assert.doesNotReject(client.resolveModel('gpt-oss-20b', { device: 'CPU' }));
            const oss = (await client.listModels()).filter((m) => m.alias === 'gpt-oss-20b');
            assert.deepStrictEqual(oss.map((m) => m.cached), [true, false]);
          });
        }
      } else {
        it('resolves ids as-is; aliases mean nothing to an OpenAI-compatible server', async () => {
          assert.strictEqual((await client.resolveModel(PHI_CPU)).id, PHI_CPU);
          await assert.rejects(client.resolveModel('phi-4-mini'), isLab('model-not-found', /phi-4-mini/));
        });
      }

      it('says model-not-found for an unknown name and lists known ones', async () => {
        await assert.rejects(client.resolveModel('phi-5-mega'), isLab('model-not-found', foundry ? /No model 'phi-5-mega'.*Known: phi-4-mini, gpt-oss-20b, qwen3-0\.6b/ : /No model 'phi-5-mega'.*Known: /));
      });

      if (foundry) {
        it('loads, reports loaded models, finds it already loaded, and unloads', async () => {
          assert.deepStrictEqual(await client.listLoaded(), []);
          const first = await client.loadModel(PHI_CPU);
          assert.strictEqual(first.status, 'loaded');
          assert.ok(first.ms >= 0);
          assert.deepStrictEqual(await client.listLoaded(), [PHI_CPU]);
          assert.deepStrictEqual([...emu.loaded], [PHI_CPU]);
          const loadPath = emu.requests.filter((r) => /load\//.test(r.path) && !/unload/.test(r.path)).pop()!.path;
          if (generation === 'g1') assert.strictEqual(loadPath, '/openai/load/Phi-4-mini-instruct-generic-cpu%3A5?ttl=600');
          else assert.strictEqual(loadPath, '/models/load/Phi-4-mini-instruct-generic-cpu%3A5');
          if (generation !== 'g1') assert.strictEqual((await client.loadModel(PHI_CPU)).status, 'already_loaded');
          await client.unloadModel(PHI_CPU);
          assert.deepStrictEqual(await client.listLoaded(), []);
          const unloadPath = emu.requests.filter((r) => /unload\//.test(r.path)).pop()!.path;
          assert.strictEqual(unloadPath, generation === 'g1' ? '/openai/unload/Phi-4-mini-instruct-generic-cpu%3A5?force=true' : '/models/unload/Phi-4-mini-instruct-generic-cpu%3A5');
        });

        if (generation === 'g1') {
          it('passes a ttl to G1 loads', async () => {
            await client.loadModel(QWEN3, { ttlSeconds: 30 });
            assert.ok(emu.requests.some((r) => r.path === '/openai/load/qwen3-0.6b-generic-cpu%3A1?ttl=30'));
          });
        }

        it('ensureLoaded loads only what is not loaded yet', async () => {
          const model = await client.resolveModel('qwen3-0.6b');
          const cold = await client.ensureLoaded(model);
          assert.strictEqual(cold.alreadyLoaded, false);
          assert.ok(typeof cold.loadMs === 'number' && cold.loadMs >= 0);
          const loads = emu.requests.filter((r) => /\/load\//.test(r.path)).length;
          const warm = await client.ensureLoaded(model);
          assert.deepStrictEqual(warm, { alreadyLoaded: true });
          assert.strictEqual(emu.requests.filter((r) => /\/load\//.test(r.path)).length, loads, 'no second load request');
        });

        it('says model-not-cached for a model that is not downloaded', async () => {
          await assert.rejects(client.loadModel(OSS_CPU), isLab('model-not-cached', /not downloaded.*foundry model download/));
        });

        it('says model-not-found for an id the runtime does not know', async () => {
          await assert.rejects(client.loadModel('no-such-model-generic-cpu:1'), isLab('model-not-found', /no-such-model/));
        });

        it('a load has no short timeout but stops when cancelled', async () => {
          const slow = clientFor(emu.url, { requestTimeoutMs: 100 });
          emu.injectFault({ kind: 'hang', route: 'load' });
          const ac = new AbortController();
          const p = slow.loadModel(PHI_GPU, { signal: ac.signal });
          assert.ok(await waitFor(() => emu.requests.some((r) => /load\/Phi-4-mini-instruct-generic-gpu/.test(r.path))));
          await new Promise((r) => setTimeout(r, 300)); // longer than requestTimeoutMs: a load must not time out
          ac.abort();
          await assert.rejects(p, isLab('aborted'));
          const rec = emu.requests.filter((r) => /load\/Phi-4-mini-instruct-generic-gpu/.test(r.path)).pop()!;
          assert.ok(await waitFor(() => rec.aborted), 'the emulator saw the request go away');
        });

        it('a load failure in the service is a server-error with its text', async () => {
          emu.injectFault({ kind: 'http-500', route: 'load' });
          await assert.rejects(client.loadModel(PHI_GPU), isLab('server-error', /HTTP 500/));
        });
      } else {
        it('has nothing to load: load/ensureLoaded are no-ops, nothing is loaded', async () => {
          assert.deepStrictEqual(await client.listLoaded(), []);
          assert.deepStrictEqual(await client.loadModel(PHI_CPU), { status: 'already_loaded', ms: 0 });
          assert.deepStrictEqual(await client.ensureLoaded(await client.resolveModel(PHI_CPU)), { alreadyLoaded: true });
          await client.unloadModel(PHI_CPU);
          assert.ok(!emu.requests.some((r) => /\/(load|unload)\//.test(r.path)));
        });
      }

      it(generation === 'g1' ? 'counts prompt tokens without inference' : 'has no token count endpoint', async () => {
        const n = await client.countTokens({ model: PHI_CPU, messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
        if (generation === 'g1') assert.ok(typeof n === 'number' && n > 0, String(n));
        else assert.strictEqual(n, undefined);
      });

      it('reads the service status where there is one', async () => {
        const s = await client.serviceStatus();
        if (generation === 'g1') assert.strictEqual(s?.modelCachePath, '/emulator/.foundry/cache/models');
        else if (generation === 'g3') {
          assert.strictEqual(s?.modelCachePath, '/emulator/.foundry/cache/models');
          assert.strictEqual(s?.pid, process.pid);
        } else assert.strictEqual(s, undefined);
      });

      if (generation !== 'g1') {
        it('has no download API: says to use the foundry CLI', async () => {
          await assert.rejects(client.downloadModel({ id: OSS_CPU, alias: 'gpt-oss-20b', device: 'CPU', requested: 'gpt-oss-20b' }, () => {}), isLab('bad-request', /foundry model download gpt-oss-20b/));
        });
      }

      it('maps failures: HTTP 500 → server-error, a hang → timeout', async () => {
        emu.injectFault({ kind: 'http-500', route: 'models' });
        await assert.rejects(client.listModels(), isLab('server-error'));
        const quick = clientFor(emu.url, { requestTimeoutMs: 200 });
        await quick.detectRuntime();
        emu.injectFault({ kind: 'hang', route: 'models' });
        await assert.rejects(quick.listModels(), isLab('timeout', /did not answer/));
      });
    });
  }

  describe('G1 downloads', () => {
    let emu: RunningEmulator;
    before(async () => (emu = await startEmulator({ generation: 'g1', timeScale: 0.02 })));
    after(() => emu.close());

    it('POSTs the SDK body, reports streamed progress, then the model is downloaded and loads', async () => {
      const client = clientFor(emu.url);
      const model = await client.resolveModel(OSS_CPU);
      assert.strictEqual(model.cached, false);
      const progress: number[] = [];
      await client.downloadModel(model, (p) => progress.push(p));
      assert.ok(progress.length >= 5, progress.join(','));
      assert.strictEqual(progress[progress.length - 1], 100);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], `progress never goes back: ${progress.join(',')}`);
      const post = emu.requests.find((r) => r.method === 'POST' && r.path === '/openai/download')!;
      const body = post.body as any;
      assert.strictEqual(body.model.Name, OSS_CPU);
      assert.strictEqual(body.model.ProviderType, 'AzureFoundryLocal');
      assert.match(body.model.Uri, /^azureml:\/\/registries\/azureml\/models\/gpt-oss-20b-generic-cpu\/versions\/1$/);
      assert.strictEqual(body.model.Publisher, 'Foundry Local Lab emulator');
      assert.strictEqual(body.IgnorePipeReport, true);
      assert.strictEqual((await client.listModels()).find((m) => m.id === OSS_CPU)!.cached, true, 'the catalog is read again');
      assert.strictEqual((await client.loadModel(OSS_CPU)).status, 'loaded');
    });

    it('reports a failed download with its reason', async () => {
      const client = clientFor(emu.url);
      await assert.rejects(client.downloadModel({ id: 'ghost-generic-cpu:1', device: 'CPU', requested: 'ghost' }, () => {}), isLab('server-error', /ghost-generic-cpu:1 failed: Model not found/));
    });
  });

  describe('a stopped runtime', () => {
    it('says not-running (connection refused) with the address', async () => {
      const emu = await startEmulator({ generation: 'g3' });
      const client = clientFor(emu.url);
      await emu.close();
      await assert.rejects(client.detectRuntime(), isLab('not-running', /Nothing is listening at http:\/\/127\.0\.0\.1:\d+/));
      await assert.rejects(client.listModels(), isLab('not-running'));
    });

    it('says not-running, not a socket error, when a used connection goes away (keep-alive to a stopped service)', async () => {
      const emu = await startEmulator({ generation: 'g2' });
      const client = clientFor(emu.url);
      assert.deepStrictEqual(await client.listLoaded(), []);
      await emu.close();
      await assert.rejects(client.listLoaded(), isLab('not-running'));
    });
  });

  describe('shapes the emulator does not make (a small loopback server)', () => {
    it('G1 without /openai/loadedmodels falls back to /models/loaded', async () => {
      const srv = await serve((req, res) => {
        if (req.url === '/openai/status') return void res.end(JSON.stringify({ modelDirPath: '/m' }));
        if (req.url === '/models/loaded') return void res.end(JSON.stringify(['Phi-4-mini-instruct-generic-cpu:5']));
        res.statusCode = 404;
        res.end();
      });
      try {
        const client = clientFor(srv.url);
        assert.strictEqual(await client.detectRuntime(), 'foundry-g1');
        assert.strictEqual(await client.isEmulated(), false);
        assert.deepStrictEqual(await client.listLoaded(), ['Phi-4-mini-instruct-generic-cpu:5']);
      } finally {
        await srv.close();
      }
    });

    it('a server that answers every path with an HTML page is OpenAI-compatible, not Foundry Local', async () => {
      const srv = await serve((req, res) => {
        if (req.url === '/v1/models') return void res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama3.2:3b', object: 'model' }] }));
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><title>app</title>');
      });
      try {
        const client = clientFor(srv.url);
        assert.strictEqual(await client.detectRuntime(), 'openai-compatible');
        assert.deepStrictEqual(await client.listModels(), [{ id: 'llama3.2:3b', alias: 'llama3.2:3b', device: 'unknown', contextLength: undefined, publisher: undefined }]);
        assert.strictEqual((await client.resolveModel('llama3.2:3b')).id, 'llama3.2:3b');
      } finally {
        await srv.close();
      }
    });

    it('G1 download: percentages split across writes, then {"Success": false, "ErrorMessage": …}', async () => {
      const srv = await serve((req, res) => {
        if (req.url === '/openai/status') return void res.end('{"modelDirPath":"/m"}');
        if (req.url === '/foundry/list') return void res.end('[]');
        if (req.url === '/openai/download') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const parts = ['Total 1', '2.5% Downloading a.onnx\rTotal 50', '.0% Downloading', ' a.onnx\r', '{"Success": false, ', '"ErrorMessage": "Disk full"}'];
          let i = 0;
          const next = () => (i < parts.length ? (res.write(parts[i++]), setTimeout(next, 15)) : res.end());
          return next();
        }
        res.statusCode = 404;
        res.end();
      });
      try {
        const progress: number[] = [];
        await assert.rejects(clientFor(srv.url).downloadModel({ id: 'x-generic-cpu:1', device: 'CPU', requested: 'x' }, (p) => progress.push(p)), isLab('server-error', /Disk full/));
        assert.deepStrictEqual([...new Set(progress)], [12.5, 50]);
      } finally {
        await srv.close();
      }
    });

    it('G1 download that ends without a result is stream-broken', async () => {
      const srv = await serve((req, res) => {
        if (req.url === '/openai/status') return void res.end('{"modelDirPath":"/m"}');
        if (req.url === '/foundry/list') return void res.end('[]');
        if (req.url === '/openai/download') return void res.end('Total 10.0% Downloading');
        res.statusCode = 404;
        res.end();
      });
      try {
        await assert.rejects(clientFor(srv.url).downloadModel({ id: 'x-generic-cpu:1', device: 'CPU', requested: 'x' }, () => {}), isLab('stream-broken', /try again/));
      } finally {
        await srv.close();
      }
    });
  });
});

describe('core/runtime/runtimeClient DownloadStreamParser', () => {
  const STREAM = 'Total 0.0% Downloading m/model.onnx.data\nTotal 12.5% Downloading m/model.onnx.data\nTotal 37.5% Downloading m/model.onnx.data\nTotal 100.0% Downloading m/model.onnx.data\n{"success":true,"error":null}';

  it('reports every percentage when fed byte by byte, and the result', () => {
    const seen: number[] = [];
    const p = new DownloadStreamParser((n) => seen.push(n));
    for (const ch of STREAM) p.push(ch);
    assert.deepStrictEqual(seen, [0, 12.5, 37.5, 100]);
    assert.deepStrictEqual(p.result(), { success: true, error: undefined });
  });

  it('reports the latest whole percentage of each chunk, however the stream is split', () => {
    for (let cut1 = 1; cut1 < STREAM.length; cut1++) {
      for (const cut2 of [cut1 + 1, cut1 + 7, STREAM.length - 3]) {
        if (cut2 <= cut1 || cut2 >= STREAM.length) continue;
        const seen: number[] = [];
        const p = new DownloadStreamParser((n) => seen.push(n));
        for (const part of [STREAM.slice(0, cut1), STREAM.slice(cut1, cut2), STREAM.slice(cut2)]) p.push(part);
        const where = `cut at ${cut1}/${cut2}: ${seen.join(',')}`;
        assert.ok(seen.every((n) => [0, 12.5, 37.5, 100].includes(n)), where);
        assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), where);
        assert.strictEqual(seen[seen.length - 1], 100, where);
        assert.deepStrictEqual(p.result(), { success: true, error: undefined }, where);
      }
    }
  });

  it('reads the documented PascalCase result and an error', () => {
    const p = new DownloadStreamParser(() => {});
    p.push('("genai_config.json", 0.2)\n');
    p.push('{"Success": false, "ErrorMessage": "No space left"}');
    assert.deepStrictEqual(p.result(), { success: false, error: 'No space left' });
  });

  it('takes a chunk that starts with { as the result (the SDK rule), even after a trailing digit', () => {
    const seen: number[] = [];
    const p = new DownloadStreamParser((n) => seen.push(n));
    p.push('Downloading 3');
    p.push('{"success": true}');
    assert.deepStrictEqual(seen, []);
    assert.deepStrictEqual(p.result(), { success: true, error: undefined });
  });

  it('has no result when none or broken JSON arrived', () => {
    const p = new DownloadStreamParser(() => {});
    p.push('Total 50% ...');
    assert.strictEqual(p.result(), undefined);
    p.push('\n{"success": tr');
    assert.strictEqual(p.result(), undefined);
  });
});
