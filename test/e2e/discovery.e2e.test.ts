import * as assert from 'assert';
import { LabPanel } from './labPanel';
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

  it('Foundry Local restarts on another port: the next run finds it again through the CLI, the status follows', async () => {
    const original = e2eEnv('emulatorUrl');
    const control = async (url: string, body: unknown) => (await (await fetch(`${url}/__emulator/restart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { url: string };
    const panel = await LabPanel.open(wb());
    await panel.run('phi-4-mini', 'Before the restart.');
    assert.strictEqual(await panel.phase(), 'done');
    const moved = (await control(original, {})).url;
    assert.notStrictEqual(moved, original);
    try {
      // The request is refused at the old port; the connection asks the CLI again and retries once, at the new one.
      await panel.run('phi-4-mini', 'After the restart.', 90000);
      assert.strictEqual(await panel.phase(), 'done', await panel.text('error').catch(() => ''));
      const atNew = ((await (await fetch(`${moved}/__emulator/requests`)).json()) as { path: string; finished: boolean }[]).filter((r) => r.path === '/v1/chat/completions');
      // (A restarted service has nothing loaded: a "not loaded" answer is followed by a load and one retry.)
      assert.ok(atNew.length >= 1 && atNew.at(-1)!.finished, `the run went to the new port: ${JSON.stringify(atNew)}`);
      await wb().waitFor(async () => (await wb().foundryStatusTooltip()).includes(moved), 30000, `the new endpoint ${moved} in the status tooltip`, () => wb().foundryStatusTooltip());
    } finally {
      // Back where the other specs expect it.
      await control(moved, { port: Number(new URL(original).port) });
      await wb().runCommand('View: Close All Editors');
    }
  });
});
