import * as assert from 'assert';
import { writeFileSync } from 'fs';
import { join } from 'path';
import type { Frame } from 'playwright-core';
import { openCompareForm } from './compareForm';
import { emulatorRequests, setFault } from './emulatorTruth';
import { LabPanel } from './labPanel';
import { e2eEnv } from './suiteContext';
import { trace, withWorkbench } from './workbench';

/** A fault of issue 6 as the emulator injects it into every chat request, until cleared. */
interface Fault {
  id: string;
  spec: Record<string, unknown>;
  /** What the message must name. */
  names: RegExp;
  /** The fault comes after some tokens: what streamed before it must stay on screen. */
  partial: boolean;
}

const FAULTS: Fault[] = [
  { id: 'connection reset mid-stream', spec: { kind: 'drop-after', afterTokens: 6 }, names: /connection|closed|broke|reset|ended/i, partial: true },
  { id: 'HTTP 503', spec: { kind: 'http-503' }, names: /503|unavailable/i, partial: false },
  { id: 'error event mid-stream', spec: { kind: 'error-event', afterTokens: 6 }, names: /error|failed/i, partial: true },
  { id: 'context length exceeded', spec: { kind: 'context-too-long' }, names: /context/i, partial: false },
];

/** What a view showed when the faulted run ended. */
interface Outcome {
  phase: string;
  message: string;
  actions: string[];
  /** Text the view kept from before the fault (answer, draft, the other model's results). */
  kept: string;
}

interface Cell {
  feature: string;
  fault: string;
  outcome: string;
  message: string;
  actions: string[];
  kept: string;
  nextRun: string;
}

const STACK = /\n\s+at |\bat .+\(.*:\d+:\d+\)/;

/**
 * Faults × the four views in the real VS Code (the CLI has the full matrix, test/unit/hardening/matrix.test.ts): each
 * cell injects the fault into every chat request, runs the view as a person would, and checks that the run ends (no
 * hang), says what happened with an action and no stack trace, keeps what streamed before the fault (Compare: the
 * other model's results), leaves no request open at the runtime, and that the next run, fault cleared, works.
 */
describe('Faults in the editor: every view survives a broken stream, a 503, an error event, a context overflow', function () {
  this.timeout(600000);
  const { wb } = withWorkbench(() => ({ 'foundryLab.endpoint': e2eEnv('emulatorUrl') }));
  const cells: Cell[] = [];
  let n = 0;


  /** No request left open at the runtime: each one finished or was aborted (the abort reached the server). */
  async function noZombie(): Promise<void> {
    await wb().waitFor(async () => (await emulatorRequests()).every((r) => r.finished || r.aborted), 15000, 'every request at the runtime to have ended', async () =>
      JSON.stringify((await emulatorRequests()).filter((r) => !r.finished && !r.aborted).map((r) => `${r.method} ${r.path} ${r.model ?? ''}`)),
    );
  }

  async function cell(feature: string, f: Fault, run: () => Promise<Outcome>, next: () => Promise<string>): Promise<void> {
    await setFault({ ...f.spec, times: 50 });
    const o = await run();
    await setFault(undefined);
    trace(`${feature} × ${f.id}: ${JSON.stringify(o)}`);
    const where = `${feature} × ${f.id}`;
    assert.ok(['failed', 'done', 'stopped'].includes(o.phase), `${where}: the run ended (${o.phase})`);
    assert.match(o.message, f.names, `${where}: the message names the problem: ${o.message}`);
    assert.doesNotMatch(o.message, STACK, `${where}: no stack trace`);
    assert.ok(o.actions.length >= 1, `${where}: an action is offered (${o.message})`);
    if (f.partial || feature === 'compare') assert.ok(o.kept.trim().length > 0, `${where}: what came before the fault is kept`);
    await noZombie();
    const nextRun = await next();
    assert.strictEqual(nextRun, 'done', `${where}: the next run, fault cleared`);
    cells.push({ feature, fault: f.id, outcome: o.phase, message: o.message.slice(0, 160), actions: o.actions, kept: o.kept.slice(0, 60), nextRun });
  }

  after(() => {
    const text = cells.map((c) => `${c.feature} × ${c.fault}: ${c.outcome}, "${c.message.slice(0, 90)}", actions [${c.actions.join(', ')}], next run ${c.nextRun}`);
    process.stderr.write(`[e2e] faults in the editor: ${cells.length} of ${FAULTS.length * 4} cells survived\n${text.map((l) => `[e2e]   ${l}`).join('\n')}\n`);
    writeFileSync(join(e2eEnv('results'), 'fault-matrix-editor.json'), JSON.stringify(cells, null, 2));
  });

  it('the playground panel', async () => {
    const panel = await LabPanel.open(wb());
    const outcome = async (): Promise<Outcome> => ({
      phase: await panel.phase(),
      message: await panel.text('error').catch(() => ''),
      actions: (await panel.testid('error').locator('button').allInnerTexts()).map((b) => b.trim()),
      kept: await panel.text('answer').catch(() => ''),
    });
    for (const f of FAULTS) {
      await cell(
        'playground',
        f,
        async () => {
          await panel.run('phi-4-mini', `A fault: ${f.id}.`, 90000);
          return outcome();
        },
        async () => {
          await panel.run('phi-4-mini', 'And now?', 60000);
          return panel.phase();
        },
      );
    }
    // The overflow's action opens the max-tokens settings.
    await setFault({ kind: 'context-too-long', times: 5 });
    await panel.run('phi-4-mini', 'Too long.', 60000);
    await setFault(undefined);
    await panel.testid('error').locator('button', { hasText: 'Lower Max Tokens' }).click();
    await wb().waitFor(async () => (await wb().page.locator('.tab.active', { hasText: 'Settings' }).count()) > 0, 15000, 'the Settings editor');
    await wb().waitFor(async () => (await wb().page.locator('.settings-editor .setting-item-contents', { hasText: 'Max Tokens' }).count()) > 0, 15000, 'the max-tokens settings listed');
    await wb().runCommand('View: Close All Editors');
  });

  it('the Summarize view', async () => {
    let view: Frame | undefined;
    const text = async (id: string) => (await view!.locator(`[data-testid=${id}]`).innerText({ timeout: 5000 }).catch(() => '')).trim();
    /** Summarizes a new file (its name tells this run from the last), nothing selected: the whole file. */
    const summarize = async (): Promise<string> => {
      const file = `fault-${++n}.md`;
      writeFileSync(join(e2eEnv('workspace'), file), `# Notes ${n}\n\nThe runtime listens on loopback. It restarts nightly and keeps the cache warm for the small model.\n`);
      await wb().openFile(file);
      await wb().runCommand('Foundry Local Lab: Summarize Selection');
      view = await wb().webviewFrame('[data-testid=summary-draft]', 30000);
      await wb().waitFor(
        async () => (await text('summary-source')).startsWith(file) && ['done', 'failed', 'stopped'].includes(await text('summary-phase')),
        90000,
        `the summary of ${file}`,
        async () => `source ${await text('summary-source')}, phase ${await text('summary-phase')}`,
      );
      return text('summary-phase');
    };
    for (const f of FAULTS) {
      await cell(
        'summarize',
        f,
        async () => ({
          phase: await summarize(),
          message: await text('summary-error'),
          actions: (await view!.locator('[data-testid=summary-error] button').allInnerTexts()).map((b) => b.trim()),
          kept: await text('summary-draft'),
        }),
        summarize,
      );
    }
  });

  it('the Compare view: the faulted model fails, the other keeps its results', async () => {
    const { view, run } = await openCompareForm(wb(), { models: ['phi-4-mini', 'qwen3-0.6b'], maxTokens: 60, prompt: 'Explain retrieval augmented generation.' });
    const compare = async (): Promise<string> => {
      await run();
      return 'done';
    };
    const card = (model: string) => view.locator(`[data-testid=model-result][data-model="${model}"]`);
    for (const f of FAULTS) {
      await cell(
        'compare',
        // Only qwen3's requests fail: phi-4-mini's results are what must be kept.
        { ...f, spec: { ...f.spec, model: 'qwen3-0.6b-generic-cpu:1' } },
        async () => {
          const phase = await compare();
          const errors = card('qwen3-0.6b').locator('[data-testid=model-error], [data-testid=model-errors]');
          return {
            phase,
            message: (await errors.allInnerTexts()).join(' ').trim(),
            actions: (await card('qwen3-0.6b').locator('[data-testid=model-error-logs]').allInnerTexts()).map((b) => b.trim()),
            kept: (await card('phi-4-mini').locator('[data-testid=model-table] tr[data-metric=ttftMs] td:nth-child(2)').innerText().catch(() => '')).trim(),
          };
        },
        async () => {
          await compare();
          return (await card('qwen3-0.6b').locator('[data-testid=model-error]').count()) === 0 ? 'done' : 'failed';
        },
      );
    }
  });

  it('the Ask view: the small model fails, then the large one; the errors inline with their actions', async () => {
    await wb().runCommand('Foundry Local Lab: Ask the Workspace');
    const view = await wb().webviewFrame('[data-testid=ask-question]', 30000);
    const turns = view.locator('[data-testid=ask-turn]');
    const ask = async (question: string): Promise<string> => {
      const before = await turns.count();
      await view.locator('[data-testid=ask-question]').fill(question);
      await view.locator('[data-testid=ask-question]').press('Enter');
      await wb().waitFor(
        async () => (await turns.count()) === before + 1 && ['done', 'failed', 'stopped'].includes((await turns.last().getAttribute('data-phase', { timeout: 1000 })) ?? ''),
        90000,
        `the answer to "${question}"`,
        async () => `${await turns.count()} turns; last: ${(await turns.last().innerText({ timeout: 1000 }).catch(() => '')).slice(0, 300)}`,
      );
      return (await turns.last().getAttribute('data-phase')) ?? '';
    };
    for (const f of FAULTS) {
      await cell(
        'ask',
        f,
        async () => {
          const phase = await ask(`Where does the runtime listen? (${f.id})`);
          const turn = turns.last();
          // The turn's error, or — when the small model's partial answer is kept — each failed stage's error box.
          return {
            phase,
            message: (await turn.locator('.error .error-message').allInnerTexts()).join(' ').trim(),
            actions: (await turn.locator('.error .error-actions button').allInnerTexts()).map((b) => b.trim()),
            kept: (await turn.locator('[data-testid=ask-answer]').allInnerTexts()).join(' '),
          };
        },
        () => ask('Where does the runtime listen?'),
      );
    }
  });
});
