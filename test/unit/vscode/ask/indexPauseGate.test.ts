import * as assert from 'assert';
import { IndexPauseGate } from '../../../../src/vscode/ask/indexPauseGate';

describe('vscode/ask/indexPauseGate', () => {
  it('pauses while any hold is active and resumes when the last is released', () => {
    const changes: boolean[] = [];
    const gate = new IndexPauseGate((p) => changes.push(p));
    assert.strictEqual(gate.paused, false);
    const a = gate.hold();
    const b = gate.hold();
    assert.strictEqual(gate.paused, true);
    a.dispose();
    a.dispose(); // releasing twice is harmless
    assert.strictEqual(gate.paused, true);
    b.dispose();
    assert.strictEqual(gate.paused, false);
    assert.deepStrictEqual(changes, [true, false], 'one change per transition');
  });

  it('an explicit demand lets indexing run while held, and the hold applies again after it', () => {
    const changes: boolean[] = [];
    const gate = new IndexPauseGate((p) => changes.push(p));
    const hold = gate.hold();
    const demand = gate.demand();
    assert.strictEqual(gate.paused, false);
    assert.strictEqual(gate.held, true);
    demand.dispose();
    assert.strictEqual(gate.paused, true);
    hold.dispose();
    assert.deepStrictEqual(changes, [true, false, true, false]);
    // A demand without a hold changes nothing.
    gate.demand().dispose();
    assert.deepStrictEqual(changes, [true, false, true, false]);
  });

  it('whenResumed waits for the release (or a demand), and resolves at once when not paused', async () => {
    const gate = new IndexPauseGate();
    await gate.whenResumed();
    const hold = gate.hold();
    let resumed = 0;
    void gate.whenResumed().then(() => resumed++);
    void gate.whenResumed().then(() => resumed++);
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(resumed, 0);
    hold.dispose();
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(resumed, 2);

    const again = gate.hold();
    const waiting = gate.whenResumed();
    const demand = gate.demand();
    await waiting; // resolved by the demand
    demand.dispose();
    again.dispose();
  });
});
