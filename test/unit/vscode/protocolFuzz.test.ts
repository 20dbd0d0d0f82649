import * as assert from 'assert';
import * as protocol from '../../../src/protocol';

type Validator = (raw: unknown) => { type: string } | undefined;

const HUGE = 'x'.repeat(2_000_001);
const json = (text: string): unknown => JSON.parse(text);

/** Malformed or unknown messages any webview might send: each must be dropped by every validator. */
const GENERIC: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a string', 'ready'],
  ['a boolean', true],
  ['an array', [{ type: 'ready' }]],
  ['an empty object', {}],
  ['type is a number', { type: 1 }],
  ['type is null', { type: null }],
  ['type is an object', { type: { toString: () => 'ready' } }],
  ['type is an array', { type: ['ready'] }],
  ['type in another case', { type: 'READY' }],
  ['type with spaces', { type: ' ready ' }],
  ['an unknown type', { type: 'executeCommand', command: 'workbench.action.files.delete' }],
  ['an unknown type that writes files', { type: 'writeFile', path: '/etc/passwd', text: 'x' }],
  ['type __proto__', { type: '__proto__' }],
  ['type constructor', { type: 'constructor' }],
  ['type toString', { type: 'toString' }],
  ['type hasOwnProperty', { type: 'hasOwnProperty' }],
  ['a JSON __proto__ key carrying the type', json('{"__proto__": {"type": "ready"}}')],
  ['a JSON constructor.prototype key', json('{"constructor": {"prototype": {"type": "ready"}}}')],
  ['a huge type', { type: HUGE }],
  ['openLink without href', { type: 'openLink' }],
  ['openLink with an empty href', { type: 'openLink', href: '' }],
  ['openLink with a number href', { type: 'openLink', href: 7 }],
  ['openLink with an object href', { type: 'openLink', href: { toString: () => 'https://x' } }],
  ['openLink with a huge href', { type: 'openLink', href: `https://e.example/${HUGE}` }],
  ['action: a command not on the list', { type: 'action', action: 'workbench.action.files.delete' }],
  ['action: a command URI', { type: 'action', action: 'command:workbench.action.terminal.new' }],
  ['action: missing', { type: 'action' }],
  ['action: an array', { type: 'action', action: ['foundryLab.showLogs'] }],
];

/** Per view: messages of its own types with wrong fields (dropped), and valid messages with extra fields (kept, cleaned). */
const VIEWS: { name: string; parse: Validator; bad: [string, unknown][]; valid: unknown[] }[] = [
  {
    name: 'playground (parseWebviewMessage)',
    parse: protocol.parseWebviewMessage,
    bad: [
      ['run without a model', { type: 'run', prompt: 'p', context: '' }],
      ['run with a number model', { type: 'run', model: 1, prompt: 'p' }],
      ['run with a blank model', { type: 'run', model: '   ', prompt: 'p' }],
      ['run with a huge model name', { type: 'run', model: 'm'.repeat(513), prompt: 'p' }],
      ['run with an array prompt', { type: 'run', model: 'm', prompt: ['p'] }],
      ['run with an empty prompt', { type: 'run', model: 'm', prompt: ' \n ' }],
      ['run with a huge prompt', { type: 'run', model: 'm', prompt: 'p'.repeat(protocol.MAX_PROMPT_CHARS + 1) }],
      ['run with an object context', { type: 'run', model: 'm', prompt: 'p', context: { text: 'c' } }],
      ['run with a huge context', { type: 'run', model: 'm', prompt: 'p', context: HUGE.repeat(2) }],
    ],
    valid: [
      { type: 'ready', extra: 1, __proto__x: true },
      { type: 'stop', command: 'workbench.action.files.delete' },
      json('{"type": "run", "model": "phi-4-mini", "prompt": "hi", "context": "", "__proto__": {"polluted": true}, "exec": "rm -rf /"}'),
      { type: 'openLink', href: 'https://example.com', open: 'command:x' },
      { type: 'action', action: 'foundryLab.showLogs', args: ['x'] },
    ],
  },
  {
    name: 'Compare (parseCompareMessage)',
    parse: protocol.parseCompareMessage,
    bad: [
      ['run without a form', { type: 'run' }],
      ['run with no models', { type: 'run', form: { models: [], prompts: { kind: 'builtin', id: 'x' }, runs: 1, temperature: 0, maxTokens: 10, cold: false } }],
      ['run with too many models', { type: 'run', form: { models: Array.from({ length: 100 }, (_, i) => `m${i}`), prompts: { kind: 'builtin', id: 'x' }, runs: 1, temperature: 0, maxTokens: 10, cold: false } }],
      ['run with runs 0', { type: 'run', form: { models: ['a'], prompts: { kind: 'builtin', id: 'x' }, runs: 0, temperature: 0, maxTokens: 10, cold: false } }],
      ['run with runs 1e9', { type: 'run', form: { models: ['a'], prompts: { kind: 'builtin', id: 'x' }, runs: 1e9, temperature: 0, maxTokens: 10, cold: false } }],
      ['run with NaN temperature', { type: 'run', form: { models: ['a'], prompts: { kind: 'builtin', id: 'x' }, runs: 1, temperature: NaN, maxTokens: 10, cold: false } }],
      ['run with Infinity maxTokens', { type: 'run', form: { models: ['a'], prompts: { kind: 'builtin', id: 'x' }, runs: 1, temperature: 0, maxTokens: Infinity, cold: false } }],
      ['run with a string cold', { type: 'run', form: { models: ['a'], prompts: { kind: 'builtin', id: 'x' }, runs: 1, temperature: 0, maxTokens: 10, cold: 'yes' } }],
      ['run with an unknown prompt kind', { type: 'run', form: { models: ['a'], prompts: { kind: 'url', url: 'http://evil.example' }, runs: 1, temperature: 0, maxTokens: 10, cold: false } }],
      ['run with a huge prompt text', { type: 'run', form: { models: ['a'], prompts: { kind: 'text', text: HUGE }, runs: 1, temperature: 0, maxTokens: 10, cold: false } }],
      ['export in an unknown format', { type: 'export', format: 'exe', target: 'workspace' }],
      ['export to an unknown target', { type: 'export', format: 'json', target: '/etc' }],
      ['openSaved with a path', { type: 'openSaved', key: '../../etc/passwd' }],
      ['deleteSaved with a number', { type: 'deleteSaved', key: 5 }],
      ['diffSaved with the same run twice', { type: 'diffSaved', before: 'a', after: 'a' }],
      ['diffSaved with a path', { type: 'diffSaved', before: 'a', after: '../b' }],
    ],
    valid: [
      { type: 'cancel', all: true },
      { type: 'run', form: { models: ['phi-4-mini'], prompts: { kind: 'builtin', id: 'x', path: '/etc/passwd' }, runs: 1, temperature: 0, maxTokens: 10, cold: false, shell: 'rm' }, more: 1 },
      { type: 'export', format: 'md', target: 'workspace', path: '/etc/passwd' },
      json('{"type": "openSaved", "key": "run-1", "__proto__": {"isAdmin": true}}'),
    ],
  },
  {
    name: 'Summarize (parseSummarizeMessage)',
    parse: protocol.parseSummarizeMessage,
    bad: [
      ['baseline without an id', { type: 'baseline' }],
      ['baseline with a negative id', { type: 'baseline', id: -1 }],
      ['baseline with a fraction', { type: 'baseline', id: 1.5 }],
      ['baseline with a string id', { type: 'baseline', id: '1' }],
      ['baseline with an unsafe integer', { type: 'baseline', id: 2 ** 60 }],
      ['apply to an unknown target', { type: 'apply', id: 1, target: 'writeFile' }],
      ['apply without a target', { type: 'apply', id: 1 }],
    ],
    valid: [
      { type: 'resetStats', all: true },
      { type: 'apply', id: 3, target: 'newDocument', text: 'injected text', path: '/etc/passwd' },
      json('{"type": "baseline", "id": 2, "__proto__": {"polluted": true}}'),
    ],
  },
];

// The Ask view's validator, once it is in the protocol (another engineer's view).
const parseAsk = (protocol as unknown as { parseAskMessage?: Validator }).parseAskMessage;
if (parseAsk) {
  VIEWS.push({
    name: 'Ask (parseAskMessage)',
    parse: parseAsk,
    bad: [
      ['ask without a question', { type: 'ask' }],
      ['ask with a blank question', { type: 'ask', question: '  ' }],
      ['ask with a huge question', { type: 'ask', question: HUGE }],
      ['openSource with n 0', { type: 'openSource', turnId: 1, n: 0 }],
      ['openSource with a string turn', { type: 'openSource', turnId: '1', n: 1 }],
      ['code with an unknown action', { type: 'code', turnId: 1, role: 'small', index: 0, action: 'run' }],
      ['setScope with an unknown kind', { type: 'setScope', kind: '/etc' }],
    ],
    valid: [{ type: 'clear', everything: true }, json('{"type": "ask", "question": "where?", "__proto__": {"polluted": true}}')],
  });
}

describe('protocol fuzz: every webview validator drops malformed and unknown messages', () => {
  const counts: Record<string, { dropped: number; cleaned: number }> = {};
  after(() => {
    // The figures for the closing note (mocha prints them with the test run).
    for (const [name, c] of Object.entries(counts)) console.log(`      ${name}: ${c.dropped} malformed messages dropped, ${c.cleaned} valid messages with extra fields cleaned`);
  });

  for (const view of VIEWS) {
    describe(view.name, () => {
      it('drops every malformed or unknown message', () => {
        const kept: string[] = [];
        for (const [label, raw] of [...GENERIC, ...view.bad]) {
          let out: unknown;
          assert.doesNotThrow(() => (out = view.parse(raw)), label);
          if (out !== undefined) kept.push(`${label} → ${JSON.stringify(out).slice(0, 120)}`);
        }
        assert.deepStrictEqual(kept, []);
        counts[view.name] = { dropped: GENERIC.length + view.bad.length, cleaned: 0 };
      });

      it('keeps a valid message as a clean copy: no extra fields, no __proto__, nothing polluted', () => {
        for (const raw of view.valid) {
          const out = view.parse(raw) as Record<string, unknown> | undefined;
          assert.ok(out, JSON.stringify(raw).slice(0, 200));
          assert.notStrictEqual(out, raw, 'a copy, not the message itself');
          assert.strictEqual(Object.getPrototypeOf(out), Object.prototype);
          assert.ok(!Object.prototype.hasOwnProperty.call(out, '__proto__'));
          const text = JSON.stringify(out);
          for (const extra of ['extra', 'command', 'exec', 'open', 'args', 'shell', 'more', 'path', 'all', 'text', 'everything', 'polluted', 'isAdmin']) {
            assert.ok(!new RegExp(`"${extra}"`).test(text) || (extra === 'text' && view.name.startsWith('Compare')), `${view.name}: "${extra}" passed through in ${text}`);
          }
          counts[view.name].cleaned++;
        }
        assert.strictEqual(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
        assert.strictEqual(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype polluted');
      });
    });
  }

  it('every host panel validates before it acts (its message listener goes through its parser)', () => {
    const { readFileSync } = require('fs') as typeof import('fs');
    const { join } = require('path') as typeof import('path');
    const root = join(__dirname, '..', '..', '..', '..');
    const panels: [string, string][] = [
      ['src/vscode/panel/labPanel.ts', 'parseWebviewMessage'],
      ['src/vscode/compare/comparePanel.ts', 'parseCompareMessage'],
      ['src/vscode/summarize/summarizePanel.ts', 'parseSummarizeMessage'],
    ];
    for (const [file, parser] of panels) {
      const code = readFileSync(join(root, file), 'utf8');
      assert.match(code, /onDidReceiveMessage\(\(raw: unknown\) => this\.receive\(raw\)\)/, file);
      const receive = code.slice(code.indexOf('private receive(raw: unknown)'));
      assert.match(receive.slice(0, 400), new RegExp(`const msg = ${parser}\\(raw\\);\\s*if \\(!msg\\) \\{[^}]*log\\.warn`), `${file} drops and logs what ${parser} refuses`);
    }
  });
});
