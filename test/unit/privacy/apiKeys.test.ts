import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Logger } from '../../../src/core/log';
import { runChat } from '../../../src/core/runtime/chat';
import { RuntimeConnection } from '../../../src/core/runtime/connection';
import { fetchWithApiKeys, requestText } from '../../../src/core/runtime/http';
import { streamChat } from '../../../src/core/runtime/streamChat';
import { ApiKeyStore, KEYED_ENDPOINTS } from '../../../src/vscode/privacy/apiKeyStore';
import { KEY, keyedServer } from './keyedServer';

const root = join(__dirname, '..', '..', '..', '..');

/** A Logger that keeps every line, as the LogOutputChannel would show it. */
function recordingLogger(): Logger & { text: () => string } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`[${level}] ${m}`);
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), text: () => lines.join('\n') };
}

class MemoryMemento {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

class MemorySecrets {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

describe('privacy: API keys', () => {
  let server: Awaited<ReturnType<typeof keyedServer>>;
  beforeEach(async () => (server = await keyedServer()));
  afterEach(() => server.close());

  it('management requests carry the bearer token (HttpOptions.apiKey)', async () => {
    assert.strictEqual((await requestText(`${server.url}/v1/models`)).status, 401);
    const r = await requestText(`${server.url}/v1/models`, { apiKey: KEY });
    assert.strictEqual(r.status, 200);
    assert.match(r.text, /remote-model/);
  });

  it('a connection with a key for the endpoint discovers it, lists its models and streams a chat; the log never shows the key', async () => {
    const log = recordingLogger();
    const secrets = new MemorySecrets();
    const memento = new MemoryMemento();
    const store = new ApiKeyStore(secrets, memento, log);
    await store.set(server.url, KEY);

    const conn = new RuntimeConnection({ endpoint: server.url, endpointSource: 'setting', env: {}, log });
    // Without the key, the endpoint refuses to list its models.
    const without = await conn.current();
    await assert.rejects(async () => {
      if (!without.client) throw new Error('not found');
      await without.client.listModels();
    });

    // A new window: the key comes back from SecretStorage.
    const reloaded = new ApiKeyStore(secrets, memento, log);
    await reloaded.load();
    conn.setApiKeys((url) => reloaded.get(url));
    const { discovery, client } = await conn.current();
    assert.strictEqual(discovery.state, 'found', JSON.stringify(discovery));
    const models = await client!.listModels();
    assert.deepStrictEqual(models.map((m) => m.id), ['remote-model']);

    const apiKey = conn.apiKeyFor(client!.endpoint.openaiBaseUrl);
    assert.strictEqual(apiKey, KEY);
    const chat = await streamChat({ model: 'remote-model', messages: [{ role: 'user', content: 'hi' }] }, { baseUrl: client!.endpoint.openaiBaseUrl, apiKey });
    assert.strictEqual(chat.error, undefined, chat.error?.message);
    assert.strictEqual(chat.text, 'hello from afar');

    // every request after the key was set carried it
    const afterKey = server.hits.slice(server.hits.findIndex((h) => h.auth));
    assert.ok(afterKey.length >= 2);
    assert.ok(afterKey.every((h) => h.auth === `Bearer ${KEY}`), JSON.stringify(afterKey));

    // a failure's message does not show it either
    const failed = await streamChat({ model: 'remote-model', messages: [{ role: 'user', content: 'hi' }] }, { baseUrl: `${server.url}/v1`, apiKey: 'wrong' });
    assert.ok(failed.error);
    log.error(failed.error.message);

    await reloaded.clear(server.url);
    assert.strictEqual(reloaded.get(server.url), undefined);
    assert.strictEqual(secrets.values.size, 0);
    assert.ok(log.text().length > 0);
    assert.ok(!log.text().includes(KEY), log.text());
    assert.ok(!log.text().includes(KEY.slice(0, 12)), 'not even a prefix of the key is logged');
  });

  it('runChat (Compare, Summarize, Ask) sends the connection\'s key on chat requests', async () => {
    const conn = new RuntimeConnection({ endpoint: server.url, endpointSource: 'setting', env: {} });
    conn.setApiKeys((url) => (url.startsWith(server.url) ? KEY : undefined));
    const { result } = await runChat(conn, { model: 'remote-model', messages: [{ role: 'user', content: 'hi' }], autoLoad: false });
    assert.strictEqual(result.error, undefined, result.error?.message);
    assert.strictEqual(result.text, 'hello from afar');
    const chat = server.hits.filter((h) => h.path === '/v1/chat/completions');
    assert.strictEqual(chat.length, 1);
    assert.strictEqual(chat[0].auth, `Bearer ${KEY}`);
  });

  it('a key is sent only to URLs under its endpoint', async () => {
    const seen: { url: string; auth: string | null }[] = [];
    const base = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
      return new Response('{}');
    }) as typeof fetch;
    const conn = new RuntimeConnection({ env: {} });
    conn.setApiKeys((u) => (u === 'https://gpu-box.lan:5273/proxy' ? KEY : undefined));
    const f = fetchWithApiKeys((u) => conn.apiKeyFor(u), base);
    await f('https://gpu-box.lan:5273/proxy/v1/models');
    await f('https://gpu-box.lan:5273/proxy');
    await f('https://gpu-box.lan:5273/other/v1/models');
    await f('https://gpu-box.lan:5274/proxy/v1/models');
    await f('http://gpu-box.lan:5273/proxy/v1/models');
    await f('https://evil.example/proxy/v1/models');
    assert.deepStrictEqual(
      seen.map((s) => s.auth),
      [`Bearer ${KEY}`, `Bearer ${KEY}`, null, null, null, null],
    );
  });

  it('keys live in SecretStorage only: never in globalState, never a setting', async () => {
    const secrets = new MemorySecrets();
    const memento = new MemoryMemento();
    await new ApiKeyStore(secrets, memento, recordingLogger()).set('https://gpu-box.lan:5273', KEY);
    assert.deepStrictEqual([...secrets.values.values()], [KEY]);
    assert.ok(!JSON.stringify([...memento.values]).includes(KEY));
    assert.deepStrictEqual(memento.get(KEYED_ENDPOINTS), ['https://gpu-box.lan:5273']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const settings = Object.keys(pkg.contributes.configuration.properties);
    assert.deepStrictEqual(settings.filter((k) => /api.?key|token(?!s)|secret|password|bearer/i.test(k)), []);
    for (const cmd of ['foundryLab.setApiKey', 'foundryLab.clearApiKey', 'foundryLab.forgetRemoteConsent']) {
      assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === cmd), cmd);
    }
    // the key input is a password box
    const commands = readFileSync(join(root, 'src', 'vscode', 'privacy', 'apiKeyCommands.ts'), 'utf8');
    assert.match(commands, /password: true/);
  });
});
