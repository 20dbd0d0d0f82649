import * as assert from 'assert';
import { e2eEnv } from './suiteContext';
import { withWorkbench } from './workbench';

describe('discovery without an endpoint: the foundry CLI (the fake one) finds the emulator', function () {
  this.timeout(120000);
  // code-server runs with FOUNDRY_LAB_EMULATOR_STATE (run.ts): the fake CLI reads the emulator's address from it.
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': '', 'foundryLab.foundryPath': e2eEnv('fakeFoundry') }));

  it('the status bar item shows the emulator', async () => {
    await wb().waitFor(async () => /Foundry \(emulator\)/.test(await wb().foundryStatusItem()), 30000, 'the emulator state in the status bar', () => wb().statusBarText());
  });

  it('Show Runtime Status names the endpoint the CLI reported', async () => {
    await wb().runCommand('Foundry Local Lab: Show Runtime Status');
    const { message } = await wb().waitForNotification(/Connected/);
    assert.ok(message.includes(e2eEnv('emulatorUrl')), `the endpoint in: ${message}`);
    assert.match(message, /found via foundry server status/);
    assert.match(message, /EMULATOR/);
    await wb().clearNotifications();
  });
});
