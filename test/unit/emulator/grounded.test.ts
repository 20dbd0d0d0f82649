import * as assert from 'assert';
import { RunningEmulator, startEmulator } from '../../emulator/server';
import { parseRubric } from '../../../src/core/compare/judge';
import { groundedSources } from '../../emulator/tokens';
import { call, load, PHI_GPU } from './helpers';

const SYSTEM = { role: 'system', content: 'Answer using ONLY the provided context. If the context is insufficient, say so.' };
const SOURCES = { role: 'user', content: 'Sources:\n\n[1] src/a.ts:1-10\n```\na\n```\n\n[2] src/b.ts:4-9\n```\nb\n```\n\nQuestion: what?' };

describe('emulator: grounded answers and the reply fault', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0 });
    await load(emu, PHI_GPU);
  });
  after(() => emu.close());

  const answer = async (messages: unknown[]) => (await call(emu, '/v1/chat/completions', { body: { model: PHI_GPU, messages, max_tokens: 400 } })).json.choices[0].message.content as string;

  it('recognises a grounded request by its instruction and numbered `[n] path:start-end` sources', () => {
    assert.strictEqual(groundedSources([SYSTEM, SOURCES]), 2);
    assert.strictEqual(groundedSources([SOURCES]), undefined);
    assert.strictEqual(groundedSources([SYSTEM, { role: 'user', content: 'no sources here [1]' }]), undefined);
  });

  it('cites only existing sources, at least once, deterministically; other requests cite nothing', async () => {
    const text = await answer([SYSTEM, SOURCES]);
    assert.ok(text.startsWith('[emulated]'));
    const cited = [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    assert.ok(cited.length >= 1);
    assert.ok(cited.every((n) => n === 1 || n === 2), text);
    assert.strictEqual(await answer([SYSTEM, SOURCES]), text);
    assert.doesNotMatch(await answer([{ role: 'user', content: 'hello' }]), /\[\d+\]/);
  });

  it('reply: streams the given text instead, for one request of the given model', async () => {
    emu.injectFault({ kind: 'reply', model: PHI_GPU, text: 'The context is insufficient.' });
    assert.strictEqual(await answer([SYSTEM, SOURCES]), 'The context is insufficient.');
    assert.notStrictEqual(await answer([SYSTEM, SOURCES]), 'The context is insufficient.');
  });

  it('judge requests: the rubric JSON by a fixed rule (length, overlap with the reference), deterministic, labelled emulated', async () => {
    const { JUDGE_SYSTEM, judgePrompt } = await import('../../../src/core/compare/judge');
    const ask = (answerText: string, reference?: string) => answer([{ role: 'system', content: JUDGE_SYSTEM }, { role: 'user', content: judgePrompt({ id: 'q', prompt: 'Capital of France?', reference }, answerText) }]);
    const good = parseRubric(await ask('Paris is the capital of France.', 'Paris is the capital of France.'));
    const bad = parseRubric(await ask('Bananas are yellow.', 'Paris is the capital of France.'));
    assert.ok(good && bad);
    assert.strictEqual(good.factuality, 5);
    assert.strictEqual(bad.factuality, 1);
    assert.strictEqual(good.conciseness, 5);
    assert.strictEqual(parseRubric(await ask('word '.repeat(250)))!.conciseness, 1);
    assert.match(good.reason, /^\[emulated\]/);
    assert.deepStrictEqual(parseRubric(await ask('Paris is the capital of France.', 'Paris is the capital of France.')), good);
  });
});
