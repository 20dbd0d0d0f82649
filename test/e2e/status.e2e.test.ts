import * as assert from 'assert';
import { e2eEnv } from './suiteContext';
import { withWorkbench } from './workbench';

describe('runtime status on the emulator (foundryLab.endpoint set)', function () {
  this.timeout(120000);
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));

  it('the status bar item says Foundry and that it is the emulator', async () => {
    await wb().waitFor(async () => /\bFoundry \(emulator\)/.test(await wb().foundryStatusItem()), 30000, 'the emulator state in the status bar', () => wb().statusBarText());
    const item = await wb().foundryStatusItem();
    assert.match(item, /Foundry/);
    // The chosen small · large models (their defaults).
    assert.match(item, /phi-4-mini · gpt-oss-20b/);
  });

  it('the status bar tooltip shows the endpoint and the models', async () => {
    const tooltip = await wb().foundryStatusTooltip();
    assert.ok(tooltip.includes(e2eEnv('emulatorUrl')), tooltip);
    assert.match(tooltip, /EMULATOR/);
    assert.match(tooltip, /phi-4-mini/);
    assert.match(tooltip, /gpt-oss-20b/);
  });

  it('Show Runtime Status names the endpoint, says connected and that it is the EMULATOR', async () => {
    await wb().runCommand('Foundry Local Lab: Show Runtime Status');
    const { message, buttons } = await wb().waitForNotification(/Connected/);
    assert.ok(message.includes(e2eEnv('emulatorUrl')), `the endpoint in: ${message}`);
    assert.match(message, /EMULATOR/);
    assert.match(message, /foundryLab\.endpoint/, 'says where the endpoint came from');
    assert.ok(buttons.includes('Open Panel'), `buttons: ${buttons.join(', ')}`);
    await wb().clearNotifications();
  });
});
