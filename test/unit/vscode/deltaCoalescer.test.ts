import * as assert from 'assert';
import { DeltaCoalescer } from '../../../src/vscode/panel/deltaCoalescer';

describe('vscode/panel/DeltaCoalescer', () => {
  it('merges pushes into one delivery, in order, on flush', () => {
    const out: [string, string][] = [];
    const c = new DeltaCoalescer(10_000, (a, r) => out.push([a, r]));
    c.push('Hel', '');
    c.push('lo', 'think');
    c.push('', '');
    assert.deepStrictEqual(out, []);
    c.flush();
    assert.deepStrictEqual(out, [['Hello', 'think']]);
    c.flush();
    assert.deepStrictEqual(out, [['Hello', 'think']], 'an empty flush delivers nothing');
    c.dispose();
  });

  it('delivers on its own after the interval', async () => {
    const out: string[] = [];
    const c = new DeltaCoalescer(5, (a) => out.push(a));
    c.push('a', '');
    c.push('b', '');
    await new Promise<void>((resolve) => {
      const poll = () => (out.length ? resolve() : setTimeout(poll, 2));
      poll();
    });
    assert.deepStrictEqual(out, ['ab']);
    c.dispose();
  });

  it('flushes on dispose and ignores pushes afterwards', () => {
    const out: string[] = [];
    const c = new DeltaCoalescer(10_000, (a) => out.push(a));
    c.push('last', '');
    c.dispose();
    c.push('late', '');
    c.flush();
    assert.deepStrictEqual(out, ['last']);
  });
});
