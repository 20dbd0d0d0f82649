import * as assert from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { LabError, LabErrorCode } from '../../../src/core/runtime/errors';
import { PANEL_ACTIONS } from '../../../src/protocol';
import { adviceFor } from '../../../src/vscode/errorActions';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));

const CODES: LabErrorCode[] = ['not-installed', 'not-running', 'unreachable', 'model-not-found', 'model-not-cached', 'model-not-loaded', 'context-too-long', 'timeout', 'idle-timeout', 'malformed-stream', 'stream-broken', 'server-error', 'bad-request', 'aborted', 'invalid-endpoint', 'index-failed', 'unauthorized'];

describe('vscode/errorActions', () => {
  it('gives every error code a message, and buttons that run declared commands the panel may run', () => {
    for (const code of CODES) {
      const advice = adviceFor(new LabError(code, `message for ${code}`));
      assert.ok(advice.message.startsWith(`message for ${code}`), code);
      for (const a of advice.actions) {
        assert.ok(declared.has(a.command), `${code}: ${a.command} is not declared in package.json`);
        assert.ok(PANEL_ACTIONS.includes(a.command), `${code}: ${a.command} is not a panel action`);
      }
    }
  });

  it('offers to start Foundry Local when it is not running, and to set the endpoint when it is missing or unreachable', () => {
    const titles = (code: LabErrorCode) => adviceFor(new LabError(code, 'x')).actions.map((a) => a.title);
    assert.deepStrictEqual(titles('not-running'), ['Start Foundry Local', 'Set Endpoint', 'Open Logs']);
    assert.ok(titles('not-installed').includes('Set Endpoint'));
    assert.ok(titles('unreachable').includes('Set Endpoint'));
    assert.ok(adviceFor(new LabError('timeout', 'x')).message.includes('foundryLab.idleTimeoutSeconds'));
  });

  it('shows one line of an unexpected error, never its stack', () => {
    const e = new Error('boom\n    at secret (file.js:1:1)');
    const advice = adviceFor(e);
    assert.strictEqual(advice.message, 'Foundry Local Lab failed: boom');
    assert.ok(!advice.message.includes(' at '));
    assert.deepStrictEqual(advice.actions.map((a) => a.title), ['Open Logs']);
  });
});
