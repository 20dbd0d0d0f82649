import * as assert from 'assert';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import type { AskSourceRef } from '../../../../src/core/rag/ask';
import { cosine, EmbeddingReranker, fuse } from '../../../../src/core/rag/embeddings';
import type { LabError } from '../../../../src/core/runtime/errors';
import { RunningEmulator, startEmulator } from '../../../emulator/server';

const ref = (p: string, score = 1): AskSourceRef => ({ path: p, absPath: `/ws/${p}`, startLine: 1, endLine: 5, score });

describe('core/rag/embeddings', () => {
  it('fuse: reciprocal rank fusion of the lexical order and the semantic order; ties keep the lexical order', () => {
    const c = [ref('a'), ref('b'), ref('c')];
    assert.deepStrictEqual(fuse(c, [0, 1, 2]).map((x) => x.path), ['a', 'b', 'c']);
    assert.deepStrictEqual(fuse(c, [2, 1, 0]).map((x) => x.path), ['a', 'c', 'b']); // a and c tie: lexical order wins
    assert.deepStrictEqual(fuse(c, [1, 2, 0]).map((x) => x.path), ['b', 'a', 'c']);
    assert.deepStrictEqual(fuse(c, [2, 0, 1]).map((x) => x.path), ['a', 'c', 'b']);
    assert.ok(fuse(c, [0, 1, 2])[0].score > fuse(c, [1, 0, 2])[1].score);
  });

  it('cosine: 1 for the same direction, 0 for orthogonal or zero vectors, refuses different sizes', () => {
    assert.strictEqual(cosine([1, 2], [2, 4]), 1);
    assert.strictEqual(cosine([1, 0], [0, 1]), 0);
    assert.strictEqual(cosine([0, 0], [1, 1]), 0);
    assert.throws(() => cosine([1], [1, 2]), /different sizes/);
  });

  describe('against an embeddings endpoint over HTTP', () => {
    let emu: RunningEmulator;
    before(async () => {
      emu = await startEmulator({ generation: 'openai', timeScale: 0 });
    });
    after(() => emu.close());
    beforeEach(() => (emu.requests.length = 0));

    const texts: Record<string, string> = {
      'a.ts': 'function parseConfig(file) { return readJson(file) }',
      'b.ts': 'the session token expires after the idle timeout',
      'c.ts': 'render the chart with colours',
    };
    const lexical = async (_q: string, o: { topK: number }) => [ref('a.ts', 3), ref('c.ts', 2), ref('b.ts', 1)].slice(0, o.topK);
    const read = async (r: AskSourceRef) => texts[r.path];

    it('re-ranks the lexical candidates by similarity to the question, asking for more candidates than it returns', async () => {
      assert.deepStrictEqual((await lexical('', { topK: 2 })).map((x) => x.path), ['a.ts', 'c.ts']);
      const asked: number[] = [];
      const rr = new EmbeddingReranker({ endpoint: emu.url, model: 'emulated-embed' });
      const retrieve = rr.wrap(async (q, o) => (asked.push(o.topK), lexical(q, o)), read);
      const out = await retrieve('when does the session token expire idle timeout', { topK: 2 });
      assert.deepStrictEqual(asked, [20]);
      // b.ts, last lexically, shares the question's words: it climbs into the top 2 (RRF keeps a.ts first: rank 1 + a tie).
      assert.deepStrictEqual(out.map((x) => x.path), ['a.ts', 'b.ts'], JSON.stringify(out));
      const calls = emu.requests.filter((r) => r.path === '/v1/embeddings');
      assert.strictEqual(calls.length, 1);
      assert.deepStrictEqual((calls[0].body as { model: string }).model, 'emulated-embed');
    });

    it('caches vectors: the same chunks are not embedded again', async () => {
      const rr = new EmbeddingReranker({ endpoint: `${emu.url}/v1`, model: 'm' });
      const retrieve = rr.wrap(lexical, read);
      await retrieve('session', { topK: 3 });
      await retrieve('chart colours', { topK: 3 });
      const inputs = emu.requests.filter((r) => r.path === '/v1/embeddings').map((r) => (r.body as { input: string[] }).input.length);
      assert.deepStrictEqual(inputs, [4, 1]);
    });

    it('a failing or garbled endpoint: the lexical order is used and the reason reported', async () => {
      const srv = createServer((_req, res) => res.end('{"data": [{"embedding": "nope"}]}'));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      try {
        const errors: LabError[] = [];
        const rr = new EmbeddingReranker({ endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, model: 'm' });
        const out = await rr.wrap(lexical, read, (e) => errors.push(e))('q', { topK: 2 });
        assert.deepStrictEqual(out.map((x) => x.path), ['a.ts', 'c.ts']);
        assert.strictEqual(errors.length, 1);
        assert.match(errors[0].message, /vectors for 4 texts|not a vector/);
      } finally {
        srv.close();
      }
    });

    it('a cancelled question is not swallowed as a fallback', async () => {
      const ac = new AbortController();
      ac.abort();
      const rr = new EmbeddingReranker({ endpoint: emu.url, model: 'm' });
      await assert.rejects(rr.wrap(lexical, read, () => assert.fail('not a fallback'))('q', { topK: 2, signal: ac.signal }));
    });
  });
});
