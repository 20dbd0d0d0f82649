import * as assert from 'assert';
import * as path from 'path';
import type { AskResult, AskSource, AskStage } from '../../../../src/core/rag/ask';
import { LabError } from '../../../../src/core/runtime/errors';
import type { ChatResult } from '../../../../src/core/runtime/types';
import type { AskTurnView } from '../../../../src/protocol';
import { answerText, codeBlocks, fallbackSummary, finishedTurn, historyForPrompt, insideAny, resolveSource, sourceViews, stageView } from '../../../../src/vscode/ask/askTurn';

const root = path.resolve('/work/ws');
const other = path.resolve('/work/ws-other');

function source(n: number, rel: string, start: number, end: number): AskSource {
  return { n, path: rel, absPath: path.join(root, rel), startLine: start, endLine: end, score: 2.34567 - n / 10, label: `${rel}:${start}-${end}`, text: 'text' };
}

function chat(text: string, extra: Partial<ChatResult> = {}): ChatResult {
  return { model: 'm', text, reasoning: '', timeline: { start: 0 } as ChatResult['timeline'], emulated: true, chunkCount: 3, finishReason: 'stop', ...extra };
}

function stage(role: 'small' | 'large', text: string, sources: AskSource[], cites: number[], extra: Partial<ChatResult> = {}): AskStage {
  return { role, model: role === 'small' ? 'phi-4-mini' : 'gpt-oss-20b', variant: `${role}-variant`, result: chat(text, extra), citations: cites.map((n) => ({ n, source: sources[n - 1] })), promptTokens: 120, ttftMs: 80, generationMs: 400, loadMs: role === 'large' ? 900 : undefined };
}

const sources = [source(1, 'src/auth.ts', 10, 24), source(2, 'src/session.ts', 1, 30), source(3, 'README.md', 5, 9)];
const started: AskTurnView = { id: 7, question: 'Where are tokens checked?', scope: 'Whole workspace', askedAt: 1, phase: 'retrieving', sources: [], stages: [], emulated: false };

describe('vscode/ask/askTurn', () => {
  it('lists every retrieved source with its label and score, and which ones the answer cites', () => {
    const views = sourceViews(sources, [2]);
    assert.deepStrictEqual(views.map((v) => [v.n, v.label, v.cited]), [[1, 'src/auth.ts:10-24', false], [2, 'src/session.ts:1-30', true], [3, 'README.md:5-9', false]]);
    assert.strictEqual(views[0].score, 2.246);
    assert.ok(!('absPath' in views[0]), 'the absolute path stays in the host');
  });

  it('a finished, escalated turn: the large answer, the reason in words, both stages with their breakdown', () => {
    const small = stage('small', 'The tokens are checked somewhere.', sources, []);
    const large = stage('large', 'In `checkToken` [1], refreshed by the session [2].', sources, [1, 2]);
    const result: AskResult = { question: started.question, sources, retrievalMs: 12.5, stages: [small, large], answer: large, escalated: true, fallbackReasons: [{ rule: 'no-citations', detail: 'the answer cites no source' }], cancelled: false };
    const turn = finishedTurn(started, result, 'gpt-oss-20b', false);
    assert.strictEqual(turn.phase, 'done');
    assert.strictEqual(turn.answerRole, 'large');
    assert.strictEqual(turn.fallback?.summary, "Escalated to gpt-oss-20b — the small model's answer cited no source");
    assert.deepStrictEqual(turn.sources.filter((s) => s.cited).map((s) => s.n), [1, 2]);
    assert.deepStrictEqual(turn.stages.map((s) => [s.role, s.state, s.promptTokens, s.ttftMs, s.generationMs, s.loadMs]), [['small', 'done', 120, 80, 400, undefined], ['large', 'done', 120, 80, 400, 900]]);
    assert.strictEqual(turn.retrievalMs, 12.5);
    assert.strictEqual(turn.emulated, true, 'the emulator said so in its results');
    assert.strictEqual(answerText(turn), large.result.text);
  });

  it('a stopped turn keeps the streamed part and shows no error; a failed one carries the advice with actions', () => {
    const partial = stage('small', 'The tokens are', sources, [], { error: new LabError('aborted', 'Cancelled.') });
    const stopped = finishedTurn(started, { question: 'q', sources, retrievalMs: 3, stages: [partial], answer: partial, escalated: false, fallbackReasons: [], cancelled: true }, 'gpt-oss-20b', true);
    assert.strictEqual(stopped.phase, 'stopped');
    assert.strictEqual(stopped.stages[0].state, 'stopped');
    assert.strictEqual(stopped.stages[0].text, 'The tokens are');
    assert.strictEqual(stopped.error, undefined);

    const error = new LabError('not-running', 'Foundry Local is not running.');
    const failedStage = stage('small', '', sources, [], { error });
    const failed = finishedTurn(started, { question: 'q', sources, retrievalMs: 3, stages: [failedStage], answer: failedStage, escalated: false, fallbackReasons: [], error, cancelled: false }, 'gpt-oss-20b', false);
    assert.strictEqual(failed.phase, 'failed');
    assert.deepStrictEqual(failed.error?.actions.map((a) => a.title), ['Start Foundry Local', 'Set Endpoint', 'Open Logs']);
    assert.strictEqual(stageView(failedStage).error?.code, 'not-running');
  });

  it('says why it escalated, rule by rule', () => {
    assert.strictEqual(
      fallbackSummary([{ rule: 'too-short', detail: 'the answer has 12 characters (fewer than 40)' }, { rule: 'insufficient', detail: 'the answer says "insufficient"' }], 'gpt-oss-20b'),
      'Escalated to gpt-oss-20b — the small model\'s answer was too short (12 characters (fewer than 40)); the small model found the context insufficient (it said "insufficient")',
    );
  });

  it('resolves a click by the turn\'s own record and the source number, only inside a workspace folder', () => {
    const record = { view: { ...started, sources: sourceViews(sources) }, files: sources.map((s) => s.absPath) };
    assert.deepStrictEqual(resolveSource(record, 1, [root]), { ok: true, file: path.join(root, 'src/auth.ts'), startLine: 10, endLine: 24, label: 'src/auth.ts:10-24' });
    assert.strictEqual(resolveSource(record, 4, [root]).ok, false);
    assert.strictEqual(resolveSource(undefined, 1, [root]).ok, false);
    // The workspace folder closed since: nothing opens.
    assert.strictEqual(resolveSource(record, 1, [other]).ok, false);
    // A record whose file escaped the folder (a symlinked or tampered path) is refused.
    const escaped = { ...record, files: [path.join(root, '..', 'etc', 'passwd')] };
    assert.match((resolveSource(escaped, 1, [root]) as { reason: string }).reason, /not inside a workspace folder/);
  });

  it('insideAny: the folder itself, siblings with a common prefix and relative paths are not inside', () => {
    assert.ok(insideAny(path.join(root, 'a', 'b.ts'), [other, root]));
    assert.ok(!insideAny(root, [root]));
    assert.ok(!insideAny(path.join(other, 'x.ts'), [root]));
    assert.ok(!insideAny('src/a.ts', [root]));
  });

  it('finds the code blocks of an answer in the order the webview renders them', () => {
    const md = 'Use:\n\n```ts\nconst a = 1;\n```\n\n- item\n\n  ```sh\n  npm test\n  ```\n\n> ```\n> quoted\n> ```\n\nInline `x` is not a block.';
    assert.deepStrictEqual(codeBlocks(md), ['const a = 1;', 'npm test', 'quoted']);
    assert.deepStrictEqual(codeBlocks('no code [1]'), []);
  });

  it('passes finished answers as the conversation history, oldest first', () => {
    const done = (id: number, phase: AskTurnView['phase'], text: string): AskTurnView => ({ ...started, id, question: `q${id}`, phase, answerRole: 'small', stages: [{ role: 'small', model: 'm', state: 'done', text, citations: [] }] });
    assert.deepStrictEqual(historyForPrompt([done(1, 'done', 'a1'), done(2, 'failed', ''), done(3, 'stopped', 'part'), done(4, 'done', 'a4')]), [
      { question: 'q1', answer: 'a1' },
      { question: 'q4', answer: 'a4' },
    ]);
  });
});
