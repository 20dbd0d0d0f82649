import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { FIXTURE } from '../core/rag/fixture';
import { writeTree } from '../core/rag/tree';
import { runCli } from './helpers';

describe('cli ask (real entry point, emulator over HTTP)', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let ws: string;
  let cache: string;
  const env = () => ({ XDG_CACHE_HOME: cache });
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    ws = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-ask-')));
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'flab-cli-ask-cache-'));
    await writeTree(ws, FIXTURE);
  });
  after(async () => {
    await emu.close();
    await fs.rm(ws, { recursive: true, force: true });
    await fs.rm(cache, { recursive: true, force: true });
  });
  beforeEach(() => emu.clearFaults());

  it('--json: the answer, its citations as path:lines, every source, the per-stage breakdown, labelled emulated', async () => {
    const r = await runCli(['ask', '--endpoint', emu.url, '--workspace', ws, '--json', 'where', 'is', 'the', 'session', 'created'], env());
    assert.strictEqual(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.strictEqual(j.question, 'where is the session created');
    assert.strictEqual(j.emulated, true);
    assert.match(r.stderr, /EMULATOR/);
    assert.ok(j.answer.startsWith('[emulated]'));
    assert.strictEqual(j.escalated, false);
    assert.strictEqual(j.answeredBy.model, 'phi-4-mini');
    assert.ok(j.sources.some((s: { path: string }) => s.path === 'src/auth/session.ts'));
    assert.ok(j.citations.length >= 1);
    for (const c of j.citations) {
      const s = j.sources.find((x: { n: number }) => x.n === c.n);
      assert.deepStrictEqual([c.path, c.startLine, c.endLine], [s.path, s.startLine, s.endLine]);
      assert.strictEqual(s.cited, true);
      assert.ok(j.answer.includes(`[${c.n}]`));
    }
    const [stage] = j.stages;
    assert.strictEqual(typeof j.retrievalMs, 'number');
    assert.ok(stage.promptTokens > 0 && stage.ttftMs > 0 && stage.generationMs > 0);
  });

  it('text: streams the answer, shows the escalation and why, then sources and the breakdown', async () => {
    await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'reply', model: 'Phi-4-mini-instruct-generic-gpu:5', text: 'Not enough information.' }) });
    const r = await runCli(['ask', '--endpoint', emu.url, '--workspace', ws, 'how', 'does', 'retry', 'back', 'off'], env());
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /--- Answer \(phi-4-mini\) ---\nNot enough information\.\n/);
    assert.match(r.stdout, /Escalation to gpt-oss-20b: the answer has 23 characters \(fewer than 40\); the answer says "not enough information"; the answer cites no source/);
    assert.match(r.stdout, /--- Answer after escalation \(gpt-oss-20b\) ---\n\[emulated\]/);
    assert.match(r.stdout, /Sources:\n {2}\[1\] src\/http\/retry\.ts:\d+-\d+/);
    assert.match(r.stdout, /Answered by: gpt-oss-20b \(escalated\)/);
    assert.match(r.stdout, /Breakdown:\n {2}retrieval +\d+\.\d ms\n {2}small +Phi-4-mini-instruct-generic-gpu:5 · \d+ prompt tokens · TTFT [\d.]+ ms · generation \d+ ms/);
    assert.match(r.stdout, /\n {2}large +gpt-oss-20b-cuda-gpu:1 · /);
  });

  it('--embeddings-model: the lexical candidates are re-ranked through /v1/embeddings, and the JSON says so', async () => {
    emu.requests.length = 0;
    const r = await runCli(['ask', '--endpoint', emu.url, '--workspace', ws, '--json', '--embeddings-model', 'emulated-embed', 'database', 'query'], env());
    assert.strictEqual(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.strictEqual(j.ranking, 'lexical + emulated-embed embeddings (RRF)');
    assert.ok(j.sources.length >= 1);
    const calls = emu.requests.filter((q) => q.path === '/v1/embeddings');
    assert.strictEqual(calls.length, 1);
    assert.strictEqual((calls[0].body as { input: string[] }).input[0], 'database query');
  });

  it('usage errors: no question, no workspace, a bad --fallback', async () => {
    const noQ = await runCli(['ask', '--endpoint', emu.url, '--workspace', ws], env());
    assert.strictEqual(noQ.code, 2);
    assert.match(noQ.stderr, /ask needs a question/);
    const noWs = await runCli(['ask', '--endpoint', emu.url, 'q'], env());
    assert.strictEqual(noWs.code, 2);
    assert.match(noWs.stderr, /needs --workspace DIR/);
    const bad = await runCli(['ask', '--endpoint', emu.url, '--workspace', ws, '--fallback', 'maybe', 'q'], env());
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /--fallback takes auto, always or never/);
  });

  it('a runtime that is down: exit 1, one clear line, no stack; the sources still listed', async () => {
    const r = await runCli(['ask', '--endpoint', 'http://127.0.0.1:1', '--workspace', ws, 'session'], env());
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /foundry-lab: Nothing answers at http:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.match(r.stdout, /Sources:\n {2}\[1\] /);
  });
});
