import * as assert from 'assert';
import { existsSync } from 'fs';
import { chatRequests, replayChat, wordsOf } from './emulatorTruth';
import { LabPanel } from './labPanel';
import { e2eEnv } from './suiteContext';
import { withWorkbench } from './workbench';

describe('the playground panel on the emulator', function () {
  this.timeout(120000);
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));
  let panel: LabPanel;

  it('Open Panel shows the runtime, connected, with the EMULATOR badge', async () => {
    panel = await LabPanel.open(wb());
    await wb().waitFor(async () => panel.testid('emulator-badge').isVisible(), 20000, 'the EMULATOR badge');
    assert.strictEqual(await panel.text('emulator-badge'), 'EMULATOR');
    await wb().waitFor(async () => /Connected/.test(await panel.text('runtime-state')), 20000, 'the connected state', () => panel.text('runtime-state'));
    assert.ok((await panel.text('runtime-state')).includes(e2eEnv('emulatorUrl')), await panel.text('runtime-state'));
  });

  it('runs a prompt on phi-4-mini: the emulator\'s answer, with TTFT and decode rate', async () => {
    const before = (await chatRequests()).length;
    await panel.run('phi-4-mini', 'Summarize retrieval augmented generation in 2 sentences.');
    assert.strictEqual(await panel.phase(), 'done', `error: ${await panel.text('error').catch(() => '')}`);
    const answer = await panel.text('answer');
    assert.ok(answer.length > 0, 'an answer');
    const chats = await chatRequests();
    assert.strictEqual(chats.length, before + 1, 'one chat request reached the runtime');
    const request = chats[chats.length - 1];
    assert.strictEqual(request.body?.model, 'Phi-4-mini-instruct-generic-gpu:5', 'the alias resolved to the GPU variant');
    const truth = await replayChat(request);
    assert.deepStrictEqual(wordsOf(answer), wordsOf(truth.answer), 'the panel shows what the emulator sent');
    const ttft = await panel.metric('ttftMs');
    const decode = await panel.metric('decodeTps');
    assert.ok(Number.isFinite(ttft) && ttft > 0, `TTFT: ${await panel.metricText('ttftMs')}`);
    assert.ok(Number.isFinite(decode) && decode > 0, `decode rate: ${await panel.metricText('decodeTps')}`);
    const shot = await wb().screenshot('panel-after-run');
    assert.ok(existsSync(shot));
  });

  it('runs gpt-oss-20b: no Harmony markup in the answer, the reasoning kept apart', async () => {
    await panel.run('gpt-oss-20b', 'List 5 creative IoT edge AI ideas.');
    assert.strictEqual(await panel.phase(), 'done', `error: ${await panel.text('error').catch(() => '')}`);
    const answer = await panel.text('answer');
    assert.ok(answer.length > 0, 'an answer');
    assert.ok(!answer.includes('<|channel|>') && !answer.includes('<|'), `Harmony markup in the answer: ${answer.slice(0, 200)}`);
    const reasoning = ((await panel.testid('reasoning').textContent()) ?? '').trim();
    assert.ok(reasoning.length > 0, 'the reasoning');
    assert.ok(!reasoning.includes('<|'), `Harmony markup in the reasoning: ${reasoning.slice(0, 200)}`);
    const chats = await chatRequests();
    const truth = await replayChat(chats[chats.length - 1]);
    assert.ok(truth.reasoning, `the emulator sent Harmony reasoning: ${truth.raw.slice(0, 120)}`);
    assert.deepStrictEqual(wordsOf(answer), wordsOf(truth.answer), 'the answer is the final channel');
    // The <details> also holds its summary line: the reasoning's words come after it.
    const reasoningWords = wordsOf(reasoning);
    const truthWords = wordsOf(truth.reasoning);
    assert.deepStrictEqual(reasoningWords.slice(-truthWords.length), truthWords, 'the reasoning is the analysis channel');
    assert.ok((await panel.metric('ttfatMs')) > (await panel.metric('ttftMs')), 'the first answer token comes after the first (reasoning) token');
    await wb().screenshot('panel-after-reasoning-run');
  });

  it('Stop ends a streaming request and the runtime sees the abort', async () => {
    await panel.chooseModel('gpt-oss-20b');
    await panel.testid('prompt').fill('A long answer, please.');
    await panel.testid('run').click();
    await wb().waitFor(async () => (await panel.phase()) === 'streaming', 30000, 'streaming', () => panel.phase());
    await panel.testid('stop').click();
    await wb().waitFor(async () => (await panel.phase()) === 'stopped', 10000, 'the stopped phase', () => panel.phase());
    await wb().waitFor(async () => (await chatRequests()).at(-1)?.aborted === true, 10000, 'the emulator to see the abort');
  });

  it('a window reload brings the panel back, with the prompt that was typed, connected, and it runs', async function () {
    this.timeout(240000); // reloadWindow rests 62 s first
    await panel.testid('prompt').fill('Kept across the reload.');
    await wb().reloadWindow();
    // No command: VS Code restores the tab and the extension's serializer revives it; the page's state comes back.
    panel = await LabPanel.find(wb());
    assert.strictEqual(await wb().page.locator('.tab', { hasText: 'Foundry Local Lab' }).count(), 1);
    assert.strictEqual(await panel.testid('prompt').inputValue(), 'Kept across the reload.');
    await wb().waitFor(async () => /Connected/.test(await panel.text('runtime-state')), 20000, 'the connected state', () => panel.text('runtime-state'));
    const before = (await chatRequests()).length;
    await panel.run('phi-4-mini', 'Asked after the reload.');
    assert.strictEqual(await panel.phase(), 'done');
    assert.strictEqual((await chatRequests()).length, before + 1, 'the revived panel sends its run');
    // Leave no editors behind for the next spec's window (VS Code would restore this panel there too).
    await wb().runCommand('View: Close All Editors');
  });
});
