import * as assert from 'assert';
import { freePort } from './processes';
import { e2eEnv } from './suiteContext';
import { withWorkbench } from './workbench';

describe('a runtime that does not answer (foundryLab.endpoint on a closed port)', function () {
  this.timeout(120000);
  let closed = '';
  before(async () => {
    // A port the OS just handed out and nobody listens on.
    closed = `http://127.0.0.1:${await freePort((p) => p >= 18090 && p <= 18099)}`;
  });
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': closed }));

  it('the status bar item says Foundry and that it is not reachable', async () => {
    await wb().waitFor(async () => /Foundry: (unreachable|not running)/.test(await wb().foundryStatusItem()), 30000, 'the unreachable state in the status bar', () => wb().statusBarText());
  });

  it('Show Runtime Status says it cannot reach the endpoint, offers actions, shows no stack trace', async () => {
    await wb().runCommand('Foundry Local Lab: Show Runtime Status');
    const { message, buttons } = await wb().waitForNotification(/not running|unreachable|cannot reach/i);
    assert.ok(message.includes(closed), `the endpoint in: ${message}`);
    assert.ok(buttons.includes('Set Endpoint'), `an action button; buttons: ${buttons.join(', ')}`);
    assert.doesNotMatch(message, /\n\s*at \S+|\(\S+:\d+:\d+\)|\b(TypeError|Error):/, 'no stack trace or raw error');
    assert.doesNotMatch(message, /EMULATOR/);
    await wb().clearNotifications();
  });

  it('Set Endpoint from the palette, to the emulator: the status bar shows it connected', async () => {
    await wb().runCommand('Foundry Local Lab: Set Endpoint');
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(e2eEnv('emulatorUrl'));
    await wb().page.keyboard.press('Enter');
    await wb().waitFor(async () => /Foundry \(emulator\)/.test(await wb().foundryStatusItem()), 30000, 'the emulator state in the status bar', () => wb().statusBarText());
    await wb().clearNotifications();
  });
});
