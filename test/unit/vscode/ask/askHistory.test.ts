import * as assert from 'assert';
import { AskHistory, ASK_HISTORY_KEY, boundHistory, HISTORY_LIMITS, parseStoredHistory } from '../../../../src/vscode/ask/askHistory';
import type { AskTurnRecord } from '../../../../src/vscode/ask/askTurn';
import type { AskTurnView } from '../../../../src/protocol';

function turn(id: number, text = 'an answer [1]', phase: AskTurnView['phase'] = 'done'): AskTurnRecord {
  return {
    view: {
      id,
      question: `question ${id}`,
      scope: 'Whole workspace',
      askedAt: 1_700_000_000_000 + id,
      phase,
      sources: [{ n: 1, label: 'src/a.ts:1-10', path: 'src/a.ts', startLine: 1, endLine: 10, score: 1.5, cited: true }],
      stages: [{ role: 'small', model: 'phi-4-mini', state: 'done', text, citations: [1] }],
      answerRole: 'small',
      emulated: true,
    },
    files: ['/ws/src/a.ts'],
  };
}

class FakeMemento {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
}

describe('vscode/ask/askHistory', () => {
  it('keeps the last 50 turns', () => {
    const all = Array.from({ length: 60 }, (_, i) => turn(i + 1));
    const kept = boundHistory(all);
    assert.strictEqual(HISTORY_LIMITS.maxTurns, 50);
    assert.strictEqual(kept.length, 50);
    assert.deepStrictEqual([kept[0].view.id, kept[49].view.id], [11, 60]);
  });

  it('drops the oldest turns until the JSON fits the byte budget (about 1 MB)', () => {
    const all = Array.from({ length: 10 }, (_, i) => turn(i + 1, 'x'.repeat(200_000)));
    const kept = boundHistory(all);
    assert.ok(JSON.stringify(kept).length <= HISTORY_LIMITS.maxBytes, `${JSON.stringify(kept).length} bytes`);
    assert.strictEqual(kept[kept.length - 1].view.id, 10, 'the newest is kept');
    assert.ok(kept.length >= 4 && kept.length < 10, `${kept.length} kept`);
  });

  it('shortens the newest turn when it alone is over the budget, and says so', () => {
    const [kept] = boundHistory([turn(1, 'y'.repeat(50_000))], { maxTurns: 50, maxBytes: 20_000 });
    assert.ok(JSON.stringify(kept).length <= 20_000);
    assert.match(kept.view.stages[0].text, /shortened to fit the history/);
  });

  it('restores what was stored, drops malformed entries, and ends a turn stored mid-answer as stopped', () => {
    const stored = [turn(1), { view: { id: 'x' }, files: [] }, 'junk', { view: turn(2).view }, turn(3, 'partial', 'streaming')];
    const records = parseStoredHistory(stored);
    assert.deepStrictEqual(records.map((r) => r.view.id), [1, 3]);
    assert.strictEqual(records[1].view.phase, 'stopped');
    assert.deepStrictEqual(parseStoredHistory({ not: 'a list' }), []);
    assert.deepStrictEqual(parseStoredHistory(undefined), []);
  });

  it('saves to and loads from the workspace state, survives a "reload", and clears', async () => {
    const memento = new FakeMemento();
    const history = new AskHistory(memento as never);
    assert.deepStrictEqual(history.load(), []);
    await history.save(Array.from({ length: 55 }, (_, i) => turn(i + 1)));
    const again = new AskHistory(memento as never).load();
    assert.strictEqual(again.length, 50);
    assert.strictEqual(again[49].view.stages[0].text, 'an answer [1]');
    assert.deepStrictEqual(again[49].files, ['/ws/src/a.ts']);
    await history.clear();
    assert.strictEqual(memento.get(ASK_HISTORY_KEY), undefined);
  });
});
