import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KEY, keyedServer, KeyedServer, lanAddress } from '../privacy/keyedServer';
import { FIXTURE } from '../core/rag/fixture';
import { writeTree } from '../core/rag/tree';
import { runCli } from './helpers';

/** The CLI's side of the privacy guarantees: the API key from the environment, and a remote endpoint named before use. */
describe('cli privacy (real entry point, a keyed OpenAI-compatible server over HTTP)', function () {
  this.timeout(30000);
  let server: KeyedServer;
  afterEach(() => server?.close());

  it('FOUNDRY_LAB_API_KEY: every request carries the key, which is never printed; without it, a message that says what to set', async () => {
    server = await keyedServer();
    const without = await runCli(['chat', '--endpoint', server.url, '--model', 'remote-model', '--no-load', 'hi']);
    assert.strictEqual(without.code, 1, without.stderr);
    assert.match(without.stderr, /API key \(HTTP 401/);
    assert.match(without.stderr, /FOUNDRY_LAB_API_KEY/);
    assert.doesNotMatch(without.stderr, /\n\s+at /, 'no stack trace');

    server.hits.length = 0;
    const withKey = await runCli(['chat', '--endpoint', server.url, '--model', 'remote-model', '--no-load', 'hi'], { FOUNDRY_LAB_API_KEY: KEY });
    assert.strictEqual(withKey.code, 0, withKey.stderr);
    assert.match(withKey.stdout, /hello from afar/);
    assert.ok(server.hits.length >= 2, JSON.stringify(server.hits));
    assert.deepStrictEqual(server.hits.filter((h) => h.auth !== `Bearer ${KEY}`), []);
    assert.ok(!withKey.stdout.includes(KEY) && !withKey.stderr.includes(KEY), 'the key is never printed');
    assert.doesNotMatch(withKey.stderr, /not on this machine/, 'a loopback endpoint is not called remote');
  });

  it('the key goes to the runtime only: another embeddings endpoint gets no Authorization header', async () => {
    server = await keyedServer();
    const other = await keyedServer({ key: undefined });
    const ws = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-privacy-')));
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-privacy-cache-'));
    try {
      await writeTree(ws, FIXTURE);
      const r = await runCli(
        ['ask', '--endpoint', server.url, '--workspace', ws, '--small', 'remote-model', '--large', 'remote-model', '--embeddings-model', 'e', '--embeddings-endpoint', other.url, '--json', 'where is the session created'],
        { FOUNDRY_LAB_API_KEY: KEY, XDG_CACHE_HOME: cache },
      );
      assert.strictEqual(r.code, 0, r.stderr);
      assert.ok(other.hits.some((h) => h.path === '/v1/embeddings'), 'the embeddings were asked for');
      assert.deepStrictEqual(other.hits.filter((h) => h.auth), [], 'no key to the other server');
      assert.ok(server.hits.some((h) => h.path === '/v1/chat/completions' && h.auth === `Bearer ${KEY}`));
    } finally {
      await other.close();
      await fs.rm(ws, { recursive: true, force: true });
      await fs.rm(cache, { recursive: true, force: true });
    }
  });

  it('an endpoint that is not on this machine is named on stderr, once, before a prompt goes to it', async function () {
    const lan = lanAddress();
    if (!lan) this.skip();
    server = await keyedServer({ key: undefined, host: '0.0.0.0' });
    const remote = server.url.replace('127.0.0.1', lan!);
    const r = await runCli(['chat', '--endpoint', remote, '--model', 'remote-model', '--no-load', 'hi']);
    assert.strictEqual(r.code, 0, r.stderr);
    const notes = r.stderr.split('\n').filter((l) => /not on this machine/.test(l));
    assert.deepStrictEqual(notes, [`Note: the runtime at ${new URL(remote).host} is not on this machine — prompts and workspace text are sent to it.`]);
  });
});
