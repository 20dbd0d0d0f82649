import * as assert from 'assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fromJson } from '../../../src/core/compare/exporters';
import { startEmulator, RunningEmulator } from '../../emulator/server';
import { runCli } from './helpers';

describe('cli: foundry-lab compare, report, diff', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'foundry-lab-cli-'));
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.02 });
  });
  after(() => emu.close());

  it('compares two models and prints a Markdown report labelled EMULATOR; progress goes to stderr', async () => {
    const r = await runCli(['compare', '--endpoint', emu.url, '--models', 'phi-4-mini,gpt-oss-20b', '--runs', '2', '--max-tokens', '40', '--cold']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Model comparison — phi-4-mini vs gpt-oss-20b/);
    assert.match(r.stdout, /\*\*EMULATOR\*\*/);
    assert.match(r.stdout, /\| Time to first token \(ms\) \| [\d.]+ · /);
    assert.match(r.stdout, /## Cold start/);
    assert.match(r.stdout, /Phi-4-mini-instruct-generic-gpu:5/);
    assert.match(r.stderr, /\[\d+\/\d+\] phi-4-mini · rag-summary · warm/);
  });

  it('honours BENCH_MODELS and COMPARE_PROMPT, writes JSON that re-imports, and re-renders it as CSV', async () => {
    const out = join(dir, 'run.json');
    const r = await runCli(['compare', '--endpoint', emu.url, '--runs', '1', '--max-tokens', '20', '--json', '--out', out], { BENCH_MODELS: 'phi-4-mini', COMPARE_PROMPT: 'List 5 benefits of local AI inference.' });
    assert.strictEqual(r.code, 0, r.stderr);
    const run = fromJson(readFileSync(out, 'utf8'));
    assert.deepStrictEqual(run.config.models, ['phi-4-mini']);
    assert.strictEqual(run.config.prompts[0].prompt, 'List 5 benefits of local AI inference.');
    assert.strictEqual(run.requests.length, 2); // the untimed warm-up and one measured run
    const csv = await runCli(['report', out, '--csv']);
    assert.strictEqual(csv.code, 0, csv.stderr);
    assert.strictEqual(csv.stdout.trimEnd().split('\n').length, 3);
    const diff = await runCli(['diff', out, out]);
    assert.match(diff.stdout, /\| phi-4-mini \| Time to first token \(ms\) \| [\d.]+ \| [\d.]+ \| 1\.00× \|/);
  });

  it('runs a JSONL prompt file, reporting broken lines with their numbers', async () => {
    const file = join(dir, 'prompts.jsonl');
    writeFileSync(file, '{"prompt": "one", "reference": "alpha"}\nnot json\n{"prompt": "two"}\n');
    const r = await runCli(['compare', '--endpoint', emu.url, '--models', 'phi-4-mini', '--prompts', file, '--runs', '1', '--max-tokens', '10', '--csv']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /prompts\.jsonl:2: skipped — not JSON/);
    assert.strictEqual(r.stdout.trimEnd().split('\n').length, 1 + 3);
  });

  it('reports broken streams per request, still writes the report, and exits 1 when nothing succeeded', async () => {
    const breaking = await startEmulator({ generation: 'g3', timeScale: 0.02 });
    breaking.injectFault({ kind: 'drop-after', afterTokens: 3, times: 100 });
    const r = await runCli(['compare', '--endpoint', breaking.url, '--models', 'phi-4-mini', '--runs', '2', '--max-tokens', '20']);
    await breaking.close();
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /no request succeeded/);
    assert.match(r.stdout, /\| phi-4-mini \| Phi-4-mini-instruct-generic-gpu:5 \| GPU \| [^|]+ \| 0 \/ 5 \|/);
    assert.match(r.stderr, /✗ phi-4-mini · rag-summary: The connection dropped/);
  });

  it('exits 1 with a clear message when the runtime is not there', async () => {
    const gone = await startEmulator();
    const url = gone.url;
    await gone.close();
    const r = await runCli(['compare', '--endpoint', url, '--models', 'phi-4-mini', '--runs', '1']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /Nothing answers at|not running/);
  });

  it('usage errors exit 2', async () => {
    for (const args of [['compare'], ['compare', '--models', 'a', '--prompt', 'x', '--prompt-set', 'deterministic-qa'], ['compare', '--models', 'a', '--prompt-set', 'nope'], ['compare', '--models', 'a', '--runs', '0'], ['report'], ['diff', 'a.json']]) {
      const r = await runCli(['--endpoint', emu.url, ...args]);
      assert.strictEqual(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    }
  });
});
