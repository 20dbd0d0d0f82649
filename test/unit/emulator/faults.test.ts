import * as assert from 'assert';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { call, load, oneModel, PHI_CPU, rawRequest, streamChat, user, waitFor } from './helpers';

const MODEL = 'test-model-cpu:1';
const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: MODEL, messages: user('fault test'), max_tokens: 10, ...extra });

describe('emulator: fault injection, aborts and control routes', function () {
  this.timeout(10000);
  let emu: RunningEmulator;
  // 10 ms TTFT and 200 tok/s: fast, yet slow enough that an abort lands mid-stream.
  before(async () => {
    emu = await startEmulator({ generation: 'g3', profile: oneModel({ ttftMs: 10, tokensPerSecond: 200 }) });
    await load(emu, MODEL);
  });
  after(() => emu.close());
  afterEach(() => emu.clearFaults());
  const lastChat = () => [...emu.requests].reverse().find((r) => r.path === '/v1/chat/completions')!;

  it('reset: destroys the socket without an answer', async () => {
    emu.injectFault({ kind: 'reset' });
    const r = await rawRequest(`${emu.url}/v1/chat/completions`, 'POST', chatBody({ stream: true }));
    assert.strictEqual(r.outcome, 'reset');
    assert.strictEqual(lastChat().fault, 'reset');
  });

  it('http-500 / http-503: OpenAI-shaped JSON errors', async () => {
    emu.injectFault({ kind: 'http-500' });
    emu.injectFault({ kind: 'http-503' });
    const a = await call(emu, '/v1/chat/completions', { raw: chatBody({ stream: true }) });
    assert.strictEqual(a.status, 500);
    assert.strictEqual(a.json.error.type, 'server_error');
    const b = await call(emu, '/v1/chat/completions', { raw: chatBody({ stream: true }) });
    assert.strictEqual(b.status, 503);
    assert.strictEqual(b.json.error.type, 'server_error');
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 200, 'each fault is consumed once');
  });

  it('http-500-plain: a plain-text body', async () => {
    emu.injectFault({ kind: 'http-500-plain' });
    const r = await call(emu, '/v1/chat/completions', { raw: chatBody() });
    assert.strictEqual(r.status, 500);
    assert.match(r.headers.get('content-type')!, /^text\/plain/);
    assert.strictEqual(r.json, undefined);
  });

  it('hang: never answers; the client abort is recorded server-side', async () => {
    emu.injectFault({ kind: 'hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(call(emu, '/v1/chat/completions', { raw: chatBody({ stream: true }), signal: ac.signal }));
    assert.ok(await waitFor(() => lastChat().aborted, 1000));
    assert.strictEqual(lastChat().finished, false);
  });

  it('drop-after: N tokens then the socket is destroyed (no [DONE])', async () => {
    emu.injectFault({ kind: 'drop-after', afterTokens: 4 });
    const s = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10 });
    assert.ok(s.error, 'the body read fails');
    assert.strictEqual(s.tokens.length, 4);
    assert.strictEqual(s.done, false);
  });

  it('malformed: one data line that is not JSON after N tokens, then the stream goes on', async () => {
    emu.injectFault({ kind: 'malformed', afterTokens: 3 });
    const s = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10 });
    const bad = s.events.findIndex((e) => e.data !== '[DONE]' && e.json === undefined);
    assert.strictEqual(bad, 1 + 3, 'after the role chunk and 3 tokens');
    assert.strictEqual(s.done, true);
  });

  it('slow-first-token: delayMs added before the first token only', async () => {
    emu.injectFault({ kind: 'slow-first-token', delayMs: 300 });
    const slow = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 5 });
    const fast = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 5 });
    const first = (s: typeof slow) => s.events.find((e) => e.json?.choices?.[0]?.delta?.content)!.at;
    assert.ok(first(slow) >= 300, `slow first token at ${first(slow)}`);
    assert.ok(first(fast) < 200, `fast first token at ${first(fast)}`);
    assert.ok(slow.events[slow.events.length - 1].at - first(slow) < 200, 'the rest is not slowed');
  });

  it('stall-after: N tokens, then silence on an open socket until the client gives up', async () => {
    emu.injectFault({ kind: 'stall-after', afterTokens: 2 });
    const ac = new AbortController();
    const s = streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10 }, ac.signal);
    setTimeout(() => ac.abort(), 400);
    const r = await s;
    assert.strictEqual(r.tokens.length, 2);
    assert.ok(r.error);
    assert.ok(await waitFor(() => lastChat().aborted, 1000));
  });

  it('finish-length: the answer is cut with finish_reason "length"', async () => {
    emu.injectFault({ kind: 'finish-length', afterTokens: 5 });
    const s = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10, stream_options: { include_usage: true } });
    assert.strictEqual(s.tokens.length, 5);
    assert.strictEqual(s.finishReason, 'length');
    assert.strictEqual(s.usage.completion_tokens, 5);
  });

  it('no-usage: no usage chunk even when asked', async () => {
    emu.injectFault({ kind: 'no-usage' });
    const s = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10, stream_options: { include_usage: true } });
    assert.strictEqual(s.usage, undefined);
    assert.strictEqual(s.done, true);
  });

  it('context-too-long: the context-length error text', async () => {
    emu.injectFault({ kind: 'context-too-long' });
    const r = await call(emu, '/v1/chat/completions', { raw: chatBody({ stream: true, max_tokens: 100 }) });
    assert.strictEqual(r.status, 400);
    assert.match(r.json.error.message, /^This request requires (\d+) total tokens \((\d+) input \+ 100 output\), which exceeds the model's maximum context length of \d+ tokens\.$/);
  });

  it('error-event: a data: {"error": …} event mid-stream, then the end', async () => {
    emu.injectFault({ kind: 'error-event', afterTokens: 3 });
    const s = await streamChat(emu, { model: MODEL, messages: user('fault test'), max_tokens: 10 });
    assert.strictEqual(s.tokens.length, 3);
    const last = s.events[s.events.length - 1];
    assert.strictEqual(last.json.error.type, 'server_error');
    assert.strictEqual(s.done, false);
    assert.strictEqual(s.error, undefined, 'the stream ends cleanly');
  });

  it('non-streaming requests honour the stream faults too', async () => {
    emu.injectFault({ kind: 'drop-after', afterTokens: 2 });
    assert.strictEqual((await rawRequest(`${emu.url}/v1/chat/completions`, 'POST', chatBody())).outcome, 'reset');
    emu.injectFault({ kind: 'error-event' });
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 500);
    emu.injectFault({ kind: 'malformed' });
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).json, undefined);
  });

  it('matches faults by model, route and times', async () => {
    emu.injectFault({ kind: 'http-500', model: 'other-model:1' });
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 200, 'another model is not affected');
    emu.clearFaults();
    emu.injectFault({ kind: 'http-503', times: 2 });
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 503);
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 503);
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 200);
    emu.injectFault({ kind: 'http-500', route: 'models' });
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 200, 'a models fault leaves chat alone');
    assert.strictEqual((await call(emu, '/v1/models')).status, 500);
    emu.injectFault({ kind: 'http-503', route: 'load' });
    assert.strictEqual((await call(emu, `/models/load/${MODEL}`)).status, 503);
    emu.injectFault({ kind: 'http-500', route: 'any', times: 2 });
    assert.strictEqual((await call(emu, '/v1/models')).status, 500);
    assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 500);
  });

  it('survives malformed requests (bad %-escape in the path)', async () => {
    const r = await rawRequest(`${emu.url}/models/load/%E0%A4%A`, 'GET');
    assert.strictEqual(r.status, 404);
    assert.strictEqual((await call(emu, '/v1/models')).status, 200);
  });

  it('stops generating at once when the client disconnects, and records aborted: true', async () => {
    const e = await startEmulator({ generation: 'g3', profile: oneModel({ ttftMs: 10, tokensPerSecond: 50 }) });
    try {
      await load(e, MODEL);
      const ac = new AbortController();
      const s = streamChat(e, { model: MODEL, messages: user('abort me'), max_tokens: 100 }, ac.signal);
      await new Promise((r) => setTimeout(r, 120));
      ac.abort();
      const r = await s;
      assert.ok(r.tokens.length > 0 && r.tokens.length < 20, `${r.tokens.length} tokens before the abort`);
      const rec = e.requests.find((q) => q.path === '/v1/chat/completions')!;
      assert.ok(await waitFor(() => rec.aborted, 500), 'the abort reached the server');
      assert.strictEqual(rec.finished, false);
      assert.strictEqual((e as any).timers.size, 0, 'no timer left running');
    } finally {
      await e.close();
    }
  });

  describe('control routes (for tests in other processes)', () => {
    it('POST/DELETE /__emulator/faults, GET /__emulator/requests and /__emulator/state', async () => {
      const before = emu.requests.length;
      assert.strictEqual((await call(emu, '/__emulator/faults', { body: [{ kind: 'http-503' }, { kind: 'http-500' }] })).status, 200);
      assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 503);
      assert.strictEqual((await call(emu, '/__emulator/faults', { method: 'DELETE' })).status, 200);
      assert.strictEqual((await call(emu, '/v1/chat/completions', { raw: chatBody() })).status, 200);
      assert.strictEqual((await call(emu, '/__emulator/faults', { body: { nokind: true } })).status, 400);
      assert.strictEqual((await call(emu, '/__emulator/faults', { body: [{ kind: 'http-500' }, { kind: 'http-5000' }] })).status, 400, 'a typo is refused');
      assert.throws(() => emu.injectFault({ kind: 'drop' as any }), /unknown fault kind/);
      const reqs = (await call(emu, '/__emulator/requests')).json;
      assert.strictEqual(reqs.length, before + 2, 'control requests are not recorded');
      assert.strictEqual(reqs[reqs.length - 1].model, MODEL);
      assert.deepStrictEqual(reqs[reqs.length - 1].body.model, MODEL);
      const state = (await call(emu, '/__emulator/state')).json;
      assert.strictEqual(state.generation, 'g3');
      assert.deepStrictEqual(state.loaded, [MODEL]);
      assert.strictEqual(state.profile.models[0].id, MODEL);
    });

    it('POST /__emulator/restart answers the new url; the old port refuses', async () => {
      const e = await startEmulator({ generation: 'g3', timeScale: 0.01 });
      try {
        const old = e.url;
        await load(e, PHI_CPU);
        const r = await call(e, '/__emulator/restart', { method: 'POST' });
        assert.strictEqual(r.status, 200);
        assert.notStrictEqual(r.json.url, old);
        assert.strictEqual(r.json.url, e.url);
        await assert.rejects(fetch(`${old}/v1/models`));
        assert.strictEqual((await call(e, '/v1/models')).status, 200);
        assert.strictEqual(e.loaded.size, 0, 'a restart unloads every model');
      } finally {
        await e.close();
      }
    });
  });
});
