import * as assert from 'assert';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { countPromptTokens } from '../../emulator/tokens';
import { call, GPT_OSS, GPT_OSS_CPU, load, PHI_CPU, PHI_GPU, QWEN3, streamChat, user } from './helpers';

describe('emulator: G1 (CLI/service ≤ 0.8, legacy SDK routes)', function () {
  this.timeout(10000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'g1', timeScale: 0.01 });
  });
  after(() => emu.close());

  it('GET /foundry/list: a bare array of catalog items in the service shape', async () => {
    const r = await call(emu, '/foundry/list');
    assert.ok(Array.isArray(r.json));
    const phi = r.json.find((m: any) => m.name === PHI_GPU);
    for (const k of ['name', 'displayName', 'alias', 'version', 'uri', 'publisher', 'providerType', 'task', 'license', 'fileSizeMb', 'supportsToolCalling', 'promptTemplate', 'modelSettings', 'runtime', 'maxOutputTokens']) assert.ok(k in phi, k);
    assert.strictEqual(phi.alias, 'phi-4-mini');
    assert.strictEqual(phi.version, '5');
    assert.deepStrictEqual(phi.runtime, { deviceType: 'GPU', executionProvider: 'WebGpuExecutionProvider' });
    assert.strictEqual(phi.publisher, 'Foundry Local Lab emulator');
    assert.strictEqual(phi.task, 'chat-completion');
    const oss = r.json.find((m: any) => m.name === GPT_OSS);
    assert.deepStrictEqual(oss.runtime, { deviceType: 'GPU', executionProvider: 'CUDAExecutionProvider' });
    // The service lists variants grouped by alias, preferred variant first.
    assert.deepStrictEqual(r.json.filter((m: any) => m.alias === 'phi-4-mini').map((m: any) => m.runtime.deviceType), ['GPU', 'CPU']);
  });

  it('GET /openai/status: camelCase endpoints, modelDirPath, pipeName', async () => {
    const r = await call(emu, '/openai/status');
    assert.deepStrictEqual(Object.keys(r.json).sort(), ['endpoints', 'modelDirPath', 'pipeName']);
    assert.deepStrictEqual(r.json.endpoints, [emu.url]);
  });

  it('GET /openai/models lists the cached models; /v1/models wraps them in the service envelope', async () => {
    const cached = (await call(emu, '/openai/models')).json;
    assert.ok(Array.isArray(cached) && cached.every((id: unknown) => typeof id === 'string'));
    assert.ok(cached.includes('Phi-4-mini-instruct-generic-cpu'));
    assert.ok(!cached.some((id: string) => id.startsWith('gpt-oss-20b-generic-cpu')), 'not downloaded');
    const v1 = (await call(emu, '/v1/models')).json;
    assert.deepStrictEqual([v1.IsDelta, v1.Successful, v1.HttpStatusCode, v1.object], [false, true, 0, 'list']);
    assert.ok(v1.data.some((m: any) => m.id === PHI_CPU));
  });

  it('load (200, empty body) / loadedmodels / unload / unloadall', async () => {
    const r = await call(emu, `/openai/load/${encodeURIComponent(PHI_CPU)}?ttl=600`);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.text, '');
    assert.strictEqual((await call(emu, `/openai/load/${encodeURIComponent(PHI_GPU)}?ttl=600&ep=cuda`)).status, 200);
    assert.deepStrictEqual((await call(emu, '/openai/loadedmodels')).json.sort(), [PHI_CPU, PHI_GPU].sort());
    assert.strictEqual((await call(emu, `/openai/unload/${encodeURIComponent(PHI_GPU)}?force=false`)).status, 200);
    assert.deepStrictEqual((await call(emu, '/openai/loadedmodels')).json, [PHI_CPU]);
    assert.strictEqual((await call(emu, '/openai/unloadall')).status, 200);
    assert.deepStrictEqual((await call(emu, '/openai/loadedmodels')).json, []);
  });

  it('load of a model that is not downloaded: 400 plain text "No OpenAIService provider found for modelName"', async () => {
    const r = await call(emu, `/openai/load/${encodeURIComponent(GPT_OSS_CPU)}?ttl=600`);
    assert.strictEqual(r.status, 400);
    assert.match(r.headers.get('content-type')!, /^text\/plain/);
    assert.match(r.text, /No OpenAIService provider found for modelName/);
  });

  it('POST /openai/download streams NN.N% progress lines, then {"success":true,"error":null}, and caches the model', async () => {
    const body = { model: { Name: GPT_OSS_CPU, Uri: 'azureml://x', Publisher: 'Microsoft', ProviderType: 'AzureFoundryLocal', PromptTemplate: {} }, IgnorePipeReport: true };
    const r = await call(emu, '/openai/download', { body });
    assert.strictEqual(r.status, 200);
    const lines = r.text.trim().split('\n');
    const last = lines.pop()!;
    assert.deepStrictEqual(JSON.parse(last), { success: true, error: null });
    const pcts = lines.map((l) => Number(/(\d+\.\d)%/.exec(l)![1]));
    assert.ok(pcts.length >= 3);
    assert.deepStrictEqual(pcts, [...pcts].sort((a, b) => a - b));
    assert.strictEqual(pcts[pcts.length - 1], 100);
    assert.ok((await call(emu, '/openai/models')).json.includes('gpt-oss-20b-generic-cpu'));
    assert.strictEqual((await call(emu, `/openai/load/${encodeURIComponent(GPT_OSS_CPU)}`)).status, 200);
  });

  it('POST /v1/chat/completions/tokenizer/encode/count → {tokenCount}', async () => {
    const messages = user('How many tokens is this?');
    const r = await call(emu, '/v1/chat/completions/tokenizer/encode/count', { body: { model: PHI_CPU, messages } });
    assert.deepStrictEqual(r.json, { tokenCount: countPromptTokens(messages) });
  });

  it('streams non-standard chunks: duplicate message, id "chat.id.1", role in every chunk, no finish_reason, no usage', async () => {
    await load(emu, PHI_CPU);
    const s = await streamChat(emu, { model: PHI_CPU, messages: user('G1 stream'), max_tokens: 12, stream_options: { include_usage: true } });
    assert.strictEqual(s.status, 200);
    assert.ok(s.done);
    const chunks = s.events.filter((e) => e.json).map((e) => e.json);
    assert.strictEqual(chunks.length, 12, 'one chunk per token, no role/finish/usage chunks');
    for (const c of chunks) {
      assert.strictEqual(c.id, 'chat.id.1');
      assert.deepStrictEqual([c.IsDelta, c.Successful, c.HttpStatusCode, c.object], [false, true, 0, 'chat.completion.chunk']);
      assert.strictEqual(typeof c.CreatedAt, 'string');
      const ch = c.choices[0];
      assert.strictEqual(ch.delta.role, 'assistant');
      assert.deepStrictEqual(ch.message, ch.delta);
      assert.deepStrictEqual(ch.delta.tool_calls, []);
      assert.ok(!('finish_reason' in ch));
      assert.ok(!('usage' in c));
    }
    assert.ok(s.content.startsWith('[emulated]'));
  });

  it('accepts the un-versioned id that /openai/models reports', async () => {
    const r = await call(emu, '/v1/chat/completions', { body: { model: 'Phi-4-mini-instruct-generic-cpu', messages: user('hi'), max_tokens: 3 } });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.json.usage.completion_tokens, 3);
  });

  it('errors are plain text: not loaded / alias → 400 No OpenAIService provider; bad JSON → 400', async () => {
    for (const model of [PHI_GPU, 'phi-4-mini']) {
      const r = await call(emu, '/v1/chat/completions', { body: { model, messages: user('hi') } });
      assert.strictEqual(r.status, 400);
      assert.match(r.headers.get('content-type')!, /^text\/plain/);
      assert.match(r.text, /No OpenAIService provider found for modelName/);
    }
    const bad = await call(emu, '/v1/chat/completions', { raw: '{' });
    assert.strictEqual(bad.status, 400);
    assert.strictEqual(bad.json, undefined);
  });

  it('has no G2/G3 routes', async () => {
    for (const path of ['/models/loaded', '/status', `/models/load/${PHI_CPU}`]) assert.strictEqual((await call(emu, path)).status, 404, path);
  });
});

describe('emulator: G2 (CLI 0.10 / SDK 1.x Core)', function () {
  this.timeout(10000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'g2', timeScale: 0.01 });
  });
  after(() => emu.close());

  it('/v1/models lists every variant with parent = alias', async () => {
    const data = (await call(emu, '/v1/models')).json.data;
    const phi = data.filter((m: any) => m.parent === 'phi-4-mini').map((m: any) => m.id);
    assert.deepStrictEqual(phi, [PHI_GPU, PHI_CPU]);
    assert.ok(data.every((m: any) => m.object === 'model' && m.owned_by === 'Foundry Local Lab emulator'));
  });

  it('has /models/* but neither /openai/* nor /status or /shutdown', async () => {
    assert.strictEqual((await call(emu, '/models/loaded')).status, 200);
    for (const path of ['/openai/status', '/openai/models', '/foundry/list', '/status']) assert.strictEqual((await call(emu, path)).status, 404, path);
    assert.strictEqual((await call(emu, '/shutdown', { method: 'POST' })).status, 404);
  });

  it('streams with finish_reason and ALWAYS a final usage chunk', async () => {
    await load(emu, QWEN3);
    const s = await streamChat(emu, { model: QWEN3, messages: user('G2 stream'), max_tokens: 2000 });
    assert.strictEqual(s.finishReason, 'stop');
    const usageEvent = s.events[s.events.length - 2].json;
    assert.deepStrictEqual(usageEvent.choices, []);
    assert.strictEqual(usageEvent.usage.completion_tokens, s.tokens.length);
    assert.ok(usageEvent.usage.completion_tokens_details.reasoning_tokens > 0);
    // qwen3 thinks inline here: <think>…</think>, then the answer.
    assert.match(s.content, /^<think>\n\(emulated thinking\).*\n<\/think>\n\n\[emulated\] /s);
    assert.ok(s.tokens.includes('\n</th'), 'the closing tag is split across events');
  });

  it('chat errors are OpenAI-shaped (not loaded, alias)', async () => {
    const notLoaded = await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages: user('x') } });
    assert.strictEqual(notLoaded.status, 400);
    assert.match(notLoaded.json.error.message, /^Model not loaded/);
    const alias = await call(emu, '/v1/chat/completions', { body: { model: 'qwen3-0.6b', messages: user('x') } });
    assert.strictEqual(alias.status, 404);
    assert.strictEqual(alias.json.error.message, "Model not found: No model matching 'qwen3-0.6b'");
  });
});

describe('emulator: OpenAI-compatible server (Ollama, LM Studio, llama.cpp)', function () {
  this.timeout(10000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'openai', timeScale: 0.01 });
  });
  after(() => emu.close());

  it('serves /v1/models in the plain OpenAI list shape and nothing Foundry-specific', async () => {
    const r = (await call(emu, '/v1/models')).json;
    assert.strictEqual(r.object, 'list');
    assert.ok(r.data.every((m: any) => Object.keys(m).sort().join() === 'created,id,object,owned_by'));
    for (const path of ['/models/loaded', '/status', '/openai/status', '/foundry/list']) assert.strictEqual((await call(emu, path)).status, 404, path);
  });

  it('chats without a load step; usage only with include_usage', async () => {
    const a = await streamChat(emu, { model: PHI_CPU, messages: user('no load'), max_tokens: 5 });
    assert.strictEqual(a.tokens.length, 5);
    assert.strictEqual(a.finishReason, 'length');
    assert.strictEqual(a.usage, undefined);
    const b = await streamChat(emu, { model: PHI_CPU, messages: user('no load'), max_tokens: 5, stream_options: { include_usage: true } });
    assert.strictEqual(b.usage.completion_tokens, 5);
  });

  it('reasoning models put their thinking in a reasoning_content delta field', async () => {
    for (const model of [GPT_OSS, QWEN3]) {
      const s = await streamChat(emu, { model, messages: user('think'), max_tokens: 2000, stream_options: { include_usage: true } });
      const reasoning = s.events.map((e) => e.json?.choices?.[0]?.delta?.reasoning_content ?? '').join('');
      assert.ok(reasoning.startsWith('(emulated thinking)'), model);
      assert.ok(s.content.startsWith('[emulated]'), model);
      assert.ok(!/<\||<think>/.test(s.content), model);
      assert.ok(s.usage.completion_tokens_details.reasoning_tokens > 0);
      const n = await call(emu, '/v1/chat/completions', { body: { model, messages: user('think'), max_tokens: 2000 } });
      assert.strictEqual(n.json.choices[0].message.reasoning_content, reasoning);
      assert.strictEqual(n.json.choices[0].message.content, s.content);
    }
  });

  it('an unknown model is a 404 with an OpenAI-shaped error', async () => {
    const r = await call(emu, '/v1/chat/completions', { body: { model: 'nope', messages: user('x') } });
    assert.strictEqual(r.status, 404);
    assert.strictEqual(r.json.error.type, 'invalid_request_error');
  });
});
