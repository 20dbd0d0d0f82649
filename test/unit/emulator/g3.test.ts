import * as assert from 'assert';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { countPromptTokens } from '../../emulator/tokens';
import { call, GPT_OSS, GPT_OSS_CPU, load, PHI_CPU, PHI_GPU, QWEN3, streamChat, user } from './helpers';

describe('emulator: G3 (SDK 2.x open-source service)', function () {
  this.timeout(10000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.01 });
  });
  after(() => emu.close());
  afterEach(() => emu.clearFaults());

  describe('management routes', () => {
    it('listens on a dynamic loopback port and marks every answer as emulated', async () => {
      assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notStrictEqual(emu.port, 0);
      for (const path of ['/v1/models', '/status', '/nope']) {
        const r = await call(emu, path);
        assert.strictEqual(r.headers.get('x-foundry-lab-emulator'), '1', path);
      }
    });

    it('lists every catalog variant in /v1/models without `parent`', async () => {
      const r = await call(emu, '/v1/models');
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.json.object, 'list');
      const ids = r.json.data.map((m: any) => m.id);
      for (const id of [PHI_GPU, PHI_CPU, GPT_OSS, GPT_OSS_CPU, QWEN3]) assert.ok(ids.includes(id), id);
      for (const m of r.json.data) {
        assert.deepStrictEqual(Object.keys(m).sort(), ['created', 'id', 'object', 'owned_by']);
        assert.strictEqual(m.object, 'model');
        assert.strictEqual(m.owned_by, 'Foundry Local Lab emulator');
      }
    });

    it('serves one model at /v1/models/{id} and 404 for an unknown one', async () => {
      const r = await call(emu, `/v1/models/${encodeURIComponent(PHI_CPU)}`);
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.json.id, PHI_CPU);
      const miss = await call(emu, '/v1/models/nope:1');
      assert.strictEqual(miss.status, 404);
      assert.strictEqual(miss.json.error.type, 'invalid_request_error');
    });

    it('answers /status with the cache path, endpoints and pid', async () => {
      const r = await call(emu, '/status');
      assert.strictEqual(r.status, 200);
      assert.strictEqual(typeof r.json.modelCachePath, 'string');
      assert.deepStrictEqual(r.json.endpoints, [emu.url]);
      assert.strictEqual(r.json.pid, process.pid);
    });

    it('has no /openai/* or /foundry/list routes (404, OpenAI-shaped)', async () => {
      for (const path of ['/openai/status', '/openai/models', '/openai/loadedmodels', '/foundry/list', `/openai/load/${PHI_CPU}`]) {
        const r = await call(emu, path);
        assert.strictEqual(r.status, 404, path);
        assert.ok(r.json?.error?.message, path);
      }
    });

    it('loads (loaded, then already_loaded), lists, and unloads (unloaded, then not_loaded)', async () => {
      assert.deepStrictEqual((await call(emu, `/models/load/${encodeURIComponent(PHI_GPU)}`)).json, { status: 'loaded' });
      assert.deepStrictEqual((await call(emu, `/models/load/${encodeURIComponent(PHI_GPU)}`)).json, { status: 'already_loaded' });
      assert.ok((await call(emu, '/models/loaded')).json.includes(PHI_GPU));
      assert.ok(emu.loaded.has(PHI_GPU));
      assert.deepStrictEqual((await call(emu, `/models/unload/${encodeURIComponent(PHI_GPU)}`)).json, { status: 'unloaded' });
      assert.deepStrictEqual((await call(emu, `/models/unload/${encodeURIComponent(PHI_GPU)}`)).json, { status: 'not_loaded' });
      assert.ok(!(await call(emu, '/models/loaded')).json.includes(PHI_GPU));
    });

    it('refuses to load a model that is not cached (400) or unknown (404)', async () => {
      const notCached = await call(emu, `/models/load/${encodeURIComponent(GPT_OSS_CPU)}`);
      assert.strictEqual(notCached.status, 400);
      assert.strictEqual(notCached.json.error.message, 'Model not cached');
      const unknown = await call(emu, '/models/load/nope:1');
      assert.strictEqual(unknown.status, 404);
      assert.match(unknown.json.error.message, /^Model not found: No model matching 'nope:1'$/);
    });
  });

  describe('chat completions', () => {
    before(async () => {
      for (const id of [PHI_CPU, GPT_OSS, QWEN3]) await load(emu, id);
    });

    it('answers non-streaming with an emulated text, a finish reason and usage', async () => {
      const messages = user('What is on-device inference?');
      const r = await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages } });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.json.object, 'chat.completion');
      assert.strictEqual(r.json.model, PHI_CPU);
      const c = r.json.choices[0];
      assert.strictEqual(c.message.role, 'assistant');
      assert.ok(c.message.content.startsWith('[emulated] '));
      assert.strictEqual(c.finish_reason, 'stop');
      assert.strictEqual(r.json.usage.prompt_tokens, countPromptTokens(messages));
      assert.strictEqual(r.json.usage.total_tokens, r.json.usage.prompt_tokens + r.json.usage.completion_tokens);
    });

    it('streams SSE: role chunk, one word-ish token per event, finish chunk, [DONE]; no usage unless asked', async () => {
      const s = await streamChat(emu, { model: PHI_CPU, messages: user('Stream please.') });
      assert.strictEqual(s.status, 200);
      assert.strictEqual(s.contentType, 'text/event-stream');
      assert.match(s.raw, /^data: \{.*\}\n\n/);
      assert.ok(s.raw.endsWith('data: [DONE]\n\n'));
      assert.deepStrictEqual(s.events[0].json.choices[0].delta, { role: 'assistant', content: '' });
      assert.ok(s.content.startsWith('[emulated]'));
      assert.ok(s.tokens.length >= 40 && s.tokens.length <= 160, `${s.tokens.length} tokens`);
      for (const t of s.tokens.slice(1)) assert.match(t, /^(\.\n\n|\. |, | )[a-z]+$/);
      const last = s.events[s.events.length - 2].json;
      assert.strictEqual(last.choices[0].finish_reason, 'stop');
      assert.strictEqual(s.usage, undefined);
      assert.ok(s.events.every((e) => e.data === '[DONE]' || e.json.id === s.events[0].json.id));
    });

    it('emits a usage chunk (choices: []) only with stream_options.include_usage', async () => {
      const s = await streamChat(emu, { model: PHI_CPU, messages: user('Usage please.'), stream_options: { include_usage: true } });
      const usageEvent = s.events[s.events.length - 2].json;
      assert.deepStrictEqual(usageEvent.choices, []);
      assert.strictEqual(usageEvent.usage.completion_tokens, s.tokens.length);
      assert.strictEqual(usageEvent.usage.prompt_tokens, countPromptTokens(user('Usage please.')));
    });

    it('is deterministic per (model, messages) and differs across them', async () => {
      const a = await streamChat(emu, { model: PHI_CPU, messages: user('same question') });
      const b = await streamChat(emu, { model: PHI_CPU, messages: user('same question') });
      const c = await streamChat(emu, { model: PHI_CPU, messages: user('other question') });
      const n = await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages: user('same question') } });
      assert.deepStrictEqual(a.tokens, b.tokens);
      assert.notStrictEqual(a.content, c.content);
      assert.strictEqual(n.json.choices[0].message.content, a.content);
    });

    it('cuts at max_tokens with finish_reason "length"', async () => {
      const s = await streamChat(emu, { model: PHI_CPU, messages: user('Long answer.'), max_tokens: 7, stream_options: { include_usage: true } });
      assert.strictEqual(s.tokens.length, 7);
      assert.strictEqual(s.finishReason, 'length');
      assert.strictEqual(s.usage.completion_tokens, 7);
      const n = await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages: user('Long answer.'), max_completion_tokens: 5 } });
      assert.strictEqual(n.json.choices[0].finish_reason, 'length');
      assert.strictEqual(n.json.usage.completion_tokens, 5);
    });

    it('gpt-oss: raw Harmony markup inside content, markers split across events, reasoning tokens counted', async () => {
      const s = await streamChat(emu, { model: GPT_OSS, messages: user('Think first.'), max_tokens: 1000, stream_options: { include_usage: true } });
      assert.match(s.content, /^<\|channel\|>analysis<\|message\|>\(emulated thinking\).*<\|end\|><\|start\|>assistant<\|channel\|>final<\|message\|>\[emulated\] .*<\|return\|>$/s);
      // No single event carries a whole "<|message|>" marker for the analysis channel: clients must be stream-safe.
      assert.ok(s.tokens.some((t) => t.endsWith('<|mess')), s.tokens.slice(0, 4).join(' | '));
      const answerTokens = s.content.split('final<|message|>')[1].replace('<|return|>', '');
      assert.ok(answerTokens.startsWith('[emulated]'));
      assert.strictEqual(s.usage.completion_tokens, s.tokens.length);
      assert.ok(s.usage.completion_tokens_details.reasoning_tokens > 10);
      assert.ok(s.usage.completion_tokens_details.reasoning_tokens < s.usage.completion_tokens);
    });

    it('gpt-oss with a small max_tokens stops inside the analysis channel', async () => {
      const s = await streamChat(emu, { model: GPT_OSS, messages: user('Think first.'), max_tokens: 8 });
      assert.ok(s.content.startsWith('<|channel|>analysis'));
      assert.ok(!s.content.includes('final'));
      assert.strictEqual(s.finishReason, 'length');
    });

    it('qwen3: the service drops <think> reasoning from chat completions but it still counts and takes time', async () => {
      const s = await streamChat(emu, { model: QWEN3, messages: user('Think.'), max_tokens: 1000, stream_options: { include_usage: true } });
      assert.ok(s.content.startsWith('[emulated]'));
      assert.ok(!/think/.test(s.content));
      const reasoning = s.usage.completion_tokens_details.reasoning_tokens;
      assert.ok(reasoning > 10);
      assert.strictEqual(s.usage.completion_tokens, s.tokens.length + reasoning);
    });

    describe('errors (OpenAI-shaped, like chat_completions_handler.cc)', () => {
      const expectError = (r: { status: number; json?: any }, status: number, message: string | RegExp, type = 'invalid_request_error') => {
        assert.strictEqual(r.status, status);
        assert.deepStrictEqual(Object.keys(r.json.error).sort(), ['code', 'message', 'param', 'type']);
        assert.strictEqual(r.json.error.type, type);
        assert.strictEqual(r.json.error.param, null);
        assert.strictEqual(r.json.error.code, null);
        if (typeof message === 'string') assert.strictEqual(r.json.error.message, message);
        else assert.match(r.json.error.message, message);
      };

      it('400 Invalid JSON', async () => {
        expectError(await call(emu, '/v1/chat/completions', { raw: '{"model": ' }), 400, 'Invalid JSON');
      });

      it('400 Missing required field: model / messages', async () => {
        expectError(await call(emu, '/v1/chat/completions', { body: { messages: user('x') } }), 400, 'Missing required field: model');
        expectError(await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU } }), 400, 'Missing required field: messages');
      });

      it('404 for an alias: chat takes variant ids only', async () => {
        expectError(await call(emu, '/v1/chat/completions', { body: { model: 'phi-4-mini', messages: user('x') } }), 404, "Model not found: No model matching 'phi-4-mini'");
      });

      it('400 Model not loaded for a known variant that is not loaded', async () => {
        expectError(await call(emu, '/v1/chat/completions', { body: { model: PHI_GPU, messages: user('x') } }), 400, `Model not loaded: Model '${PHI_GPU}' must be loaded before inference`);
      });

      it('400 when a message content is not a string', async () => {
        const parts = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }];
        expectError(await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages: parts } }), 400, '[json.exception.type_error.302] type must be string, but is array');
        const nul = [{ role: 'assistant', content: null }];
        expectError(await call(emu, '/v1/chat/completions', { body: { model: PHI_CPU, messages: nul } }), 400, '[json.exception.type_error.302] type must be string, but is null');
      });

      it('400 when prompt + max_tokens exceed the context length (gpt-oss: 8192)', async () => {
        const messages = user('Summarize.');
        const prompt = countPromptTokens(messages);
        const r = await call(emu, '/v1/chat/completions', { body: { model: GPT_OSS, messages, max_tokens: 8190, stream: true } });
        expectError(r, 400, `This request requires ${prompt + 8190} total tokens (${prompt} input + 8190 output), which exceeds the model's maximum context length of 8192 tokens.`);
      });

      it('404 for unknown routes', async () => {
        expectError(await call(emu, '/v1/completions', { body: {} }), 404, /Not found/);
      });
    });
  });

  describe('POST /shutdown', () => {
    it('answers, then stops listening', async () => {
      const e = await startEmulator({ generation: 'g3' });
      const r = await call(e, '/shutdown', { method: 'POST' });
      assert.strictEqual(r.status, 200);
      await new Promise((res) => setTimeout(res, 50));
      await assert.rejects(fetch(`${e.url}/v1/models`));
      await e.close();
    });
  });
});
