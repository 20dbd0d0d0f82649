import * as assert from 'assert';
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startEmulator } from '../../emulator/server';
import { call, load, oneModel, PHI_CPU } from './helpers';

const MAIN = join(__dirname, '..', '..', 'emulator', 'main.js');

describe('emulator: lifecycle (restart, stop, state file, main.ts)', function () {
  this.timeout(10000);
  const dir = mkdtempSync(join(tmpdir(), 'flab-emu-'));

  it('restart() reopens on a different port with no model loaded; the old port refuses', async () => {
    const stateFile = join(dir, 'restart.json');
    const e = await startEmulator({ generation: 'g3', stateFile, timeScale: 0.01 });
    try {
      await load(e, PHI_CPU);
      const old = e.url;
      const url = await e.restart();
      assert.notStrictEqual(url, old);
      assert.strictEqual(url, e.url);
      assert.strictEqual(e.port, Number(new URL(url).port));
      assert.deepStrictEqual((await call(e, '/models/loaded')).json, []);
      await assert.rejects(fetch(`${old}/v1/models`));
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      assert.deepStrictEqual([state.url, state.running, state.generation, state.pid], [url, true, 'g3', process.pid]);
    } finally {
      await e.close();
    }
  });

  it('stop() refuses connections and writes running: false; close() is idempotent', async () => {
    const stateFile = join(dir, 'stop.json');
    const e = await startEmulator({ generation: 'g1', stateFile });
    await e.stop();
    await assert.rejects(fetch(`${e.url}/v1/models`));
    assert.strictEqual(JSON.parse(readFileSync(stateFile, 'utf8')).running, false);
    await e.close();
    await e.close();
  });

  it('main.js prints its URL as the first stdout line, serves, and exits cleanly on SIGTERM', async () => {
    const stateFile = join(dir, 'main.json');
    const profileFile = join(dir, 'profile.json');
    writeFileSync(profileFile, JSON.stringify(oneModel()));
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--generation', 'g2', '--profile', profileFile, '--state-file', stateFile, '--time-scale', '0.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    assert.match(firstLine, /^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await call(firstLine, '/v1/models');
    assert.deepStrictEqual(models.json.data.map((m: any) => [m.id, m.parent]), [['test-model-cpu:1', 'test-model']]);
    const state = (await call(firstLine, '/__emulator/state')).json;
    assert.deepStrictEqual([state.generation, state.timeScale], ['g2', 0.5]);
    assert.strictEqual(JSON.parse(readFileSync(stateFile, 'utf8')).pid, child.pid);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.strictEqual(await exit, 0);
    assert.match(stderr, /listening on/, 'logs go to stderr');
    assert.strictEqual(JSON.parse(readFileSync(stateFile, 'utf8')).running, false);
  });

  it('main.js rejects an unknown generation with exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN, '--generation', 'g9'], { stdio: 'ignore' });
    assert.strictEqual(await new Promise((resolve) => child.once('exit', resolve)), 2);
  });
});
