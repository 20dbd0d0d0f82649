import * as assert from 'assert';
import { parseEndpointUrl } from '../../../src/core/runtime/endpoint';
import { CONSENT_KEY, consentMessage, RemoteConsentPolicy } from '../../../src/vscode/privacy/consentPolicy';

class MemoryMemento {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

const local = parseEndpointUrl('http://127.0.0.1:5273', 'setting');
const remote = parseEndpointUrl('http://gpu-box.lan:5273/v1', 'setting');
const other = parseEndpointUrl('https://api.example.com', 'setting');

describe('privacy: remote consent', () => {
  it('never asks for loopback endpoints', async () => {
    const asked: string[] = [];
    const p = new RemoteConsentPolicy(new MemoryMemento(), async (host) => (asked.push(host), false));
    assert.strictEqual(await p.ensure([local, undefined]), true);
    assert.deepStrictEqual(asked, []);
  });

  it('asks once per remote endpoint and remembers an Allow', async () => {
    const asked: string[] = [];
    const memento = new MemoryMemento();
    const p = new RemoteConsentPolicy(memento, async (host) => (asked.push(host), true));
    assert.strictEqual(await p.ensure([remote]), true);
    assert.strictEqual(await p.ensure([remote]), true);
    assert.deepStrictEqual(asked, ['gpu-box.lan:5273']);
    assert.deepStrictEqual(memento.get(CONSENT_KEY), ['http://gpu-box.lan:5273']);
    // a new policy (a new window) reads the remembered answer
    const again = new RemoteConsentPolicy(memento, async () => assert.fail('asked again'));
    assert.strictEqual(await again.ensure([remote]), true);
  });

  it('a Cancel is not remembered and blocks the send; another endpoint is asked on its own', async () => {
    const answers = [false, true];
    const asked: string[] = [];
    const p = new RemoteConsentPolicy(new MemoryMemento(), async (host) => (asked.push(host), answers.shift() ?? false));
    assert.strictEqual(await p.ensure([remote]), false);
    assert.strictEqual(await p.ensure([remote]), true);
    assert.strictEqual(await p.ensure([other]), false);
    assert.deepStrictEqual(asked, ['gpu-box.lan:5273', 'gpu-box.lan:5273', 'api.example.com']);
  });

  it('two sends at once share one question', async () => {
    let n = 0;
    const p = new RemoteConsentPolicy(new MemoryMemento(), async () => (n++, new Promise<boolean>((r) => setTimeout(() => r(true), 10))));
    assert.deepStrictEqual(await Promise.all([p.ensure([remote]), p.ensure([remote])]), [true, true]);
    assert.strictEqual(n, 1);
  });

  it('forget clears every answer', async () => {
    const memento = new MemoryMemento();
    let n = 0;
    const p = new RemoteConsentPolicy(memento, async () => (n++, true));
    await p.ensure([remote]);
    await p.ensure([other]);
    assert.strictEqual(await p.forget(), 2);
    await p.ensure([remote]);
    assert.strictEqual(n, 3);
  });

  it('ignores a corrupted stored value', async () => {
    const memento = new MemoryMemento();
    await memento.update(CONSENT_KEY, { __proto__: { polluted: true }, 0: 'http://gpu-box.lan:5273' });
    let n = 0;
    const p = new RemoteConsentPolicy(memento, async () => (n++, false));
    assert.strictEqual(await p.ensure([remote]), false);
    assert.strictEqual(n, 1);
  });

  it('the message names the host', () => {
    assert.strictEqual(consentMessage('gpu-box.lan:5273'), 'Prompts and workspace text will be sent to gpu-box.lan:5273, not this machine.');
  });
});
