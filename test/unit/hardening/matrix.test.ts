/**
 * Hardening: every fault of issue 6 against every CLI feature (the real entry point, in its own process, against the
 * emulator over loopback), then the bad inputs; each outcome is recorded for the README's fault matrix
 * (test-results/fault-matrix.json → scripts/fault-table.mjs). One file, so the README check runs after the matrix.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RequestRecord, RunningEmulator, startEmulator } from '../../emulator/server';
import {
  assertNoStack,
  BadInputRecord,
  CellRecord,
  FAKE_FOUNDRY,
  FaultId,
  FAULTS,
  FeatureId,
  features,
  normalize,
  recorder,
  ROOT,
  Run,
  runCli,
  RunOptions,
  sleep,
  until,
  userMessage,
} from './harness';

const TIME_SCALE = 0.02;
/** Every fault hits this variant: chat's and ask's model, compare's second model, summarize's refine model. */
const TARGET = 'Phi-4-mini-instruct-generic-gpu:5';
const PROMPT = 'Explain retrieval augmented generation.';
const CHAT = '/v1/chat/completions';

let dir: string;
let brief: string;
let workspace: string;

interface Cmd {
  /** Connection flags: --endpoint URL, or --foundry-path for discovery. */
  conn: string[];
  /** Replaces the target model (alias or id). */
  model?: string;
  extra?: string[];
}

interface Feature {
  id: FeatureId;
  args(c: Cmd): string[];
  /** What was produced before the fault and kept, asserted; `partial` = the fault came after some output. */
  kept(run: Run, partial: boolean): string;
}

const FEATURES: Record<FeatureId, Feature> = {
  chat: {
    id: 'chat',
    args: (c) => ['chat', ...c.conn, '-m', c.model ?? 'phi-4-mini', '--max-tokens', '300', ...(c.extra ?? []), PROMPT],
    kept: (run, partial) => {
      if (!partial) return '—';
      assert.match(run.stdout, /^\[emulated\] \S/, `the streamed part is printed:\n${run.stdout}`);
      return 'the streamed part of the answer';
    },
  },
  ask: {
    id: 'ask',
    // --fallback never: the answering model's faults surface as they are (escalation is ask's own test).
    args: (c) => ['ask', ...c.conn, '--workspace', workspace, '--small', c.model ?? 'phi-4-mini', '--fallback', 'never', '--max-tokens', '300', ...(c.extra ?? []), 'How does the brief describe revenue?'],
    kept: (run, partial) => {
      if (!partial) return '—';
      assert.match(run.stdout, /\[emulated\] \S/, `the streamed part is printed:\n${run.stdout}`);
      return 'the streamed part of the answer';
    },
  },
  compare: {
    id: 'compare',
    args: (c) => ['compare', ...c.conn, '--models', `qwen3-0.6b,${c.model ?? 'phi-4-mini'}`, '--prompt', PROMPT, '--runs', '1', '--max-tokens', '300', '--json', ...(c.extra ?? [])],
    kept: (run) => {
      let report: any;
      try {
        report = JSON.parse(run.stdout);
      } catch {
        assert.fail(`the --json report is on stdout:\n${run.stdout.slice(0, 500)}\n${run.stderr}`);
      }
      const finished = (report.requests as any[]).filter((r) => !r.error).length;
      assert.ok(finished >= 1, `finished requests are kept in the report: ${JSON.stringify(report.requests.map((r: any) => [r.model, r.error?.code]))}`);
      return `${finished} finished request${finished === 1 ? '' : 's'} in the --json report`;
    },
  },
  summarize: {
    id: 'summarize',
    args: (c) => ['summarize', ...c.conn, '--file', brief, '--force-refine', '--draft', 'qwen3-0.6b', '--refine', c.model ?? 'phi-4-mini', ...(c.extra ?? [])],
    kept: (run, partial) => {
      assert.match(run.stdout, /--- Draft \(qwen3-0\.6b\) ---\n\[emulated\] \S/, `the draft is printed:\n${run.stdout}`);
      if (!partial) return 'the draft';
      assert.match(run.stdout, /Final: the draft \(the refinement failed\)\.|Stopped: what finished is kept\./, run.stdout);
      return 'the draft, as the final summary';
    },
  },
};

/** Records and checks one cell: the CLI's exit, message, what it kept, no zombie request, and that it keeps working. */
class Cell {
  rec: CellRecord;
  private since: number;
  constructor(
    readonly f: Feature,
    fault: FaultId,
    readonly emu: RunningEmulator,
  ) {
    this.rec = { feature: f.id, fault, pass: false, exitCode: null, message: '', kept: '' };
    this.since = emu.requests.length;
  }

  async run(c: Cmd, opts: RunOptions = {}): Promise<Run> {
    const r = await runCli(this.f.args(c), { timeoutMs: 20000, ...opts });
    this.rec.exitCode = r.code;
    this.rec.message = userMessage(r.stderr);
    assertNoStack(r.stderr);
    return r;
  }

  expect(r: Run, code: number, problem?: RegExp, action?: RegExp): void {
    assert.strictEqual(r.code, code, `exit ${r.code}, expected ${code}\nstdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr}`);
    if (problem) assert.match(r.stderr, problem, `the problem is named:\n${r.stderr}`);
    if (action) assert.match(r.stderr, action, `an action is given:\n${r.stderr}`);
  }

  kept(r: Run, partial: boolean): void {
    this.rec.kept = this.f.kept(r, partial);
  }

  /** No request is left open on the runtime (a stalled or cancelled one was closed by the client). */
  async noZombie(mustAbort = false): Promise<void> {
    await sleep(60);
    const mine = this.emu.requests.slice(this.since);
    const open = mine.filter((q) => !q.finished && !q.aborted);
    assert.deepStrictEqual(open.map((q) => q.path), [], 'no request is left open on the runtime');
    if (mustAbort) assert.ok(mine.some((q) => q.path === CHAT && q.aborted), 'the abort reached the runtime');
  }

  /** The same command again, fault-free, on the same runtime: the tool keeps working. */
  async followUp(conn: string[], env?: NodeJS.ProcessEnv): Promise<void> {
    this.emu.clearFaults();
    const r = await runCli(this.f.args({ conn }), { env, timeoutMs: 20000 });
    assert.strictEqual(r.code, 0, `the next request works:\n${r.stdout.slice(-1000)}\n${r.stderr}`);
  }
}

/** Calls fn as soon as a request matching pred has finished (the hook runs in the emulator's own event loop tick). */
function onFinished(emu: RunningEmulator, pred: (r: RequestRecord) => boolean, fn: () => void): void {
  const arr = emu.requests;
  const push = arr.push.bind(arr);
  let fired = false;
  arr.push = (...recs: RequestRecord[]) => {
    for (const r of recs) {
      if (fired || !pred(r)) continue;
      let v = r.finished;
      Object.defineProperty(r, 'finished', {
        configurable: true,
        enumerable: true,
        get: () => v,
        set: (x: boolean) => {
          v = x;
          if (x && !fired) {
            fired = true;
            fn();
          }
        },
      });
    }
    return push(...recs);
  };
}

function restoreRequests(emu: RunningEmulator): void {
  delete (emu.requests as any).push;
}

const feats = features();

describe('hardening: fault × feature matrix (real CLI, emulator faults)', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let url: string;
  const ep = () => ['--endpoint', url];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'foundry-lab-hardening-'));
    brief = join(dir, 'brief.txt');
    writeFileSync(brief, 'Quarterly update: revenue grew eight percent; costs stayed flat. The team shipped the new search.\n');
    workspace = join(dir, 'ws');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'brief.md'), '# Brief\n\nRevenue grew eight percent this quarter; costs stayed flat.\n');
    emu = await startEmulator({ generation: 'g3', timeScale: TIME_SCALE });
    url = emu.url;
  });
  after(async () => {
    await emu.close();
    recorder.write();
  });

  for (const fid of feats) {
    const f = FEATURES[fid];
    describe(fid, () => {
      let cell: Cell;
      const cellTest = (fault: FaultId, body: () => Promise<void>) =>
        it(`${fid} × ${FAULTS.find((x) => x.id === fault)!.label}`, async () => {
          cell = new Cell(f, fault, emu);
          try {
            await body();
            cell.rec.pass = true;
          } catch (e) {
            cell.rec.error = normalize((e as Error).message).slice(0, 300);
            throw e;
          } finally {
            recorder.cells.push(cell.rec);
            emu.clearFaults();
            restoreRequests(emu);
          }
        });

      cellTest('not-running', async () => {
        const closed = await startEmulator();
        const dead = closed.url;
        await closed.close();
        const r = await cell.run({ conn: ['--endpoint', dead] });
        cell.expect(r, 1, /Nothing (is listening|answers) at/, /start|--endpoint|Check the URL/i);
        cell.rec.kept = 'nothing had run';
        await cell.followUp(ep());
      });

      cellTest('restarted', async () => {
        const state = join(dir, `state-${fid}.json`);
        const own = await startEmulator({ generation: 'g3', timeScale: TIME_SCALE, stateFile: state });
        try {
          const env = { FOUNDRY_LAB_EMULATOR_STATE: state };
          const conn = ['--foundry-path', FAKE_FOUNDRY];
          const first = own.url;
          // chat/ask: between the load and the chat request; compare/summarize: after the first chat request.
          const between = fid === 'chat' || fid === 'ask' ? (q: RequestRecord) => q.path.startsWith('/models/load/') : (q: RequestRecord) => q.path === CHAT;
          onFinished(own, between, () => void own.restart());
          const c = new Cell(f, 'restarted', own);
          cell.rec = c.rec;
          const r = await c.run({ conn }, { env });
          c.expect(r, 0);
          assert.notStrictEqual(own.url, first, 'the runtime moved to another port');
          assert.ok(own.requests.some((q) => q.path === CHAT && q.finished && q.at > 0), 'a request reached the new port');
          c.rec.kept = 'the whole run (re-discovered through the foundry CLI, the model loaded again)';
          if (!c.rec.message) c.rec.message = '(none: recovered)';
          await c.followUp(conn, env);
        } finally {
          await own.close();
        }
      });

      cellTest('reset-mid-stream', async () => {
        emu.injectFault({ kind: 'drop-after', afterTokens: 5, model: TARGET });
        const r = await cell.run({ conn: ep() });
        if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, /connection dropped in the middle of the answer/, /retry|try again|run it again/i);
        else if (fid === 'compare') cell.expect(r, 0, /✗ phi-4-mini .*connection dropped/, /retry|try again|run it again/i);
        else cell.expect(r, 0, /the refinement failed — the draft is kept.*connection dropped/, /retry|try again|run it again/i);
        cell.kept(r, true);
        await cell.noZombie();
        await cell.followUp(ep());
      });

      const httpCell = (fault: FaultId, spec: 'http-500' | 'http-500-plain' | 'http-503', problem: RegExp) =>
        cellTest(fault, async () => {
          emu.injectFault({ kind: spec, model: TARGET });
          const r = await cell.run({ conn: ep() });
          const action = /retry|try again|logs|restart/i;
          if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, problem, action);
          else if (fid === 'compare') cell.expect(r, 0, new RegExp(`✗ phi-4-mini .*${problem.source}`), action);
          else cell.expect(r, 0, new RegExp(`the refinement failed — the draft is kept.*${problem.source}`), action);
          cell.kept(r, fid !== 'chat' && fid !== 'ask');
          await cell.noZombie();
          await cell.followUp(ep());
        });
      httpCell('http-500-json', 'http-500', /HTTP 500\): Inference failed: emulated fault/);
      httpCell('http-500-plain', 'http-500-plain', /HTTP 500\): Internal Server Error/);
      httpCell('http-503', 'http-503', /HTTP 503\): Service unavailable/);

      cellTest('slow-first-token', async () => {
        emu.injectFault({ kind: 'slow-first-token', delayMs: 60000, model: TARGET });
        // chat: the "still waiting" ticker (every idle timeout / 4, so 0.5 s here); the others: their step line.
        const waiting = fid === 'compare' ? /\] phi-4-mini · prompt/ : fid === 'summarize' ? /\[refine phi-4-mini/ : fid === 'ask' ? /\[small / : /\[still waiting for the first token: 0\.\d s so far; the idle timeout is 2\.0 s — Ctrl-C cancels\]/;
        let sent = false;
        const since = emu.requests.length;
        const r = await cell.run(
          { conn: ep(), extra: fid === 'chat' ? ['--idle-timeout', '2'] : [] },
          {
            onOutput: (out, child) => {
              const slow = emu.requests.slice(since).find((q) => q.fault === 'slow-first-token' && !q.finished && !q.aborted);
              if (!sent && slow && waiting.test(out.stderr)) {
                sent = true;
                child.kill('SIGINT');
              }
            },
          },
        );
        assert.ok(sent, `the CLI showed waiting progress on stderr (${waiting}) while the first token was late:\n${r.stderr}`);
        if (fid === 'compare') cell.expect(r, 1, /cancelled — the report holds the requests that finished/);
        else cell.expect(r, 1, /Cancelled|Stopped|cancelled/);
        cell.kept(r, fid !== 'chat' && fid !== 'ask');
        if (fid === 'chat' || fid === 'ask') cell.rec.kept = 'nothing had streamed yet (the wait was cancelled)';
        await cell.noZombie(true);
        await cell.followUp(ep());
      });

      cellTest('stall', async () => {
        emu.injectFault({ kind: 'stall-after', afterTokens: 4, model: TARGET });
        const r = await cell.run({ conn: ep(), extra: ['--idle-timeout', '0.4'] });
        const problem = /stream stalled: no data for 0\.4 s/;
        const action = /--idle-timeout/;
        if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, problem, action);
        else if (fid === 'compare') cell.expect(r, 0, new RegExp(`✗ phi-4-mini .*${problem.source}`), action);
        else cell.expect(r, 0, new RegExp(`the refinement failed — the draft is kept.*${problem.source}`), action);
        cell.kept(r, true);
        await cell.noZombie(true);
        await cell.followUp(ep());
      });

      cellTest('malformed', async () => {
        emu.injectFault({ kind: 'malformed', afterTokens: 4, model: TARGET });
        const r = await cell.run({ conn: ep() });
        const problem = /not JSON/;
        const action = /retry|try again|run it again|update/i;
        if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, problem, action);
        else if (fid === 'compare') cell.expect(r, 0, new RegExp(`✗ phi-4-mini .*${problem.source}`), action);
        else cell.expect(r, 0, new RegExp(`the refinement failed — the draft is kept.*${problem.source}`), action);
        cell.kept(r, true);
        await cell.noZombie();
        await cell.followUp(ep());
      });

      cellTest('finish-length', async () => {
        emu.injectFault({ kind: 'finish-length', afterTokens: 5, model: TARGET });
        const r = await cell.run({ conn: ep() });
        if (fid === 'summarize') cell.expect(r, 0, /the refine was cut by its token limit \(finish_reason: length\)/, /--never-refine keeps the draft/);
        else cell.expect(r, 0, /cut by the token limit/, /Raise --max-tokens/);
        if (fid === 'compare') {
          const report = JSON.parse(r.stdout);
          assert.ok(report.requests.some((q: any) => q.finishReason === 'length'), 'the cut is in the report');
          cell.kept(r, true);
        } else if (fid === 'summarize') {
          assert.match(r.stdout, /finish length/);
          cell.rec.kept = 'the draft and the cut refinement (finish length shown)';
        } else if (fid === 'ask') {
          assert.match(r.stdout, /small .* finish length/);
          cell.rec.kept = 'the cut answer (finish length shown)';
        } else {
          assert.match(r.stdout, /Finish:\s+length/);
          cell.rec.kept = 'the cut answer (Finish: length)';
        }
        await cell.followUp(ep());
      });

      cellTest('no-usage', async () => {
        emu.injectFault({ kind: 'no-usage', model: TARGET });
        const r = await cell.run({ conn: ep() });
        cell.expect(r, 0);
        if (fid === 'compare') {
          const report = JSON.parse(r.stdout);
          assert.ok(report.requests.some((q: any) => q.tokenSource === 'estimated'), 'estimated counts are labelled');
          cell.rec.kept = 'every request; counts labelled estimated';
        } else if (fid === 'summarize') {
          assert.match(r.stdout, /completion tokens \(estimated\)/);
          cell.rec.kept = 'both stages; counts labelled (estimated)';
        } else if (fid === 'ask') {
          assert.match(r.stdout, /small .* tokens \(estimated\)/);
          cell.rec.kept = 'the answer; counts labelled (estimated)';
        } else {
          assert.match(r.stdout, /token counts are estimates/);
          cell.rec.kept = 'the answer; counts labelled estimates';
        }
        if (!cell.rec.message) cell.rec.message = '(none: token counts shown as estimates)';
        await cell.followUp(ep());
      });

      cellTest('model-unknown', async () => {
        const r = await cell.run({ conn: ep(), model: 'llama-9000' });
        const problem = /No model 'llama-9000'/;
        const action = /Known: phi-4-mini|foundry-lab models/;
        if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, problem, action);
        else if (fid === 'compare') cell.expect(r, 0, new RegExp(`llama-9000: ${problem.source}`), action);
        else cell.expect(r, 0, new RegExp(`the refinement failed — the draft is kept.*${problem.source}`), action);
        cell.kept(r, fid !== 'chat' && fid !== 'ask');
        await cell.followUp(ep());
      });

      cellTest('model-not-loaded', async () => {
        emu.loaded.clear();
        if (fid === 'chat' || fid === 'ask') {
          // Autoload off: the runtime's own error, explained.
          const r = await cell.run({ conn: ep(), extra: ['--no-load'] });
          cell.expect(r, 1, /is not loaded/, /load it first|without --no-load/);
          cell.rec.kept = '—';
        } else {
          // The model is unloaded between the load and the request (a TTL): loaded again, then the request retried.
          onFinished(emu, (q) => q.path === `/models/load/${TARGET}`, () => void emu.loaded.delete(TARGET));
          const r = await cell.run({ conn: ep() });
          cell.expect(r, 0);
          const refused = emu.requests.filter((q) => q.path === CHAT && q.model === TARGET);
          assert.ok(refused.length >= 2, 'the request was refused (not loaded), the model loaded again, the request retried');
          cell.rec.kept = 'the whole run (loaded again, retried)';
          if (!cell.rec.message) cell.rec.message = '(none: recovered)';
        }
        await cell.followUp(ep());
      });

      cellTest('context-too-long', async () => {
        emu.injectFault({ kind: 'context-too-long', model: TARGET });
        const r = await cell.run({ conn: ep() });
        const problem = /The request needs \d+ tokens .* but the model's context is \d+ tokens/;
        const action = /shorten the input or lower max tokens/;
        if (fid === 'chat' || fid === 'ask') cell.expect(r, 1, problem, action);
        else if (fid === 'compare') cell.expect(r, 0, new RegExp(`phi-4-mini.*${problem.source}`), action);
        else cell.expect(r, 0, new RegExp(`the refinement failed — the draft is kept.*${problem.source}`), action);
        cell.kept(r, fid !== 'chat' && fid !== 'ask');
        await cell.followUp(ep());
      });

      cellTest('killed', async () => {
        // Its own emulator, slow enough to be stopped mid-stream, then brought back on the same port.
        const own = await startEmulator({ generation: 'g3', timeScale: 0.2 });
        try {
          const conn = ['--endpoint', own.url];
          const c = new Cell(f, 'killed', own);
          cell.rec = c.rec;
          let stopped = false;
          const streaming = fid === 'summarize' ? /--- Final[^\n]*\n\[emulated\] \S+ \S+/ : fid === 'compare' ? null : /\[emulated\] \S+ \S+/;
          const r = await c.run(
            { conn },
            {
              timeoutMs: 30000,
              onOutput: (out) => {
                if (stopped) return;
                const go = streaming ? streaming.test(out.stdout) : own.requests.some((q) => q.path === CHAT && q.model === TARGET);
                if (go) {
                  stopped = true;
                  void own.stop();
                }
              },
            },
          );
          assert.ok(stopped, 'the runtime was stopped during the run');
          if (fid === 'chat' || fid === 'ask') c.expect(r, 1, /connection dropped in the middle of the answer|Nothing is listening/, /retry|try again|start|run it again/i);
          else if (fid === 'compare') c.expect(r, 1, /the comparison stopped \(results so far are in the report\): .*(Nothing (is listening|answers)|dropped)/, /start|--endpoint|retry|try again/i);
          else c.expect(r, 0, /the refinement failed — the draft is kept/, /retry|try again|start|run it again/i);
          c.kept(r, true);
          await c.noZombie();
          await own.restart({ port: Number(new URL(conn[1]).port) });
          await c.followUp(conn);
        } finally {
          await own.close();
        }
      });
    });
  }
});

describe('hardening: bad input', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let fast: RunningEmulator;
  before(async () => {
    dir ??= mkdtempSync(join(tmpdir(), 'foundry-lab-hardening-'));
    if (!brief) {
      brief = join(dir, 'brief.txt');
      writeFileSync(brief, 'Quarterly update: revenue grew eight percent; costs stayed flat. The team shipped the new search.\n');
    }
    emu = await startEmulator({ generation: 'g3', timeScale: TIME_SCALE });
    fast = await startEmulator({ generation: 'g3', timeScale: 0 });
  });
  after(async () => {
    await emu.close();
    await fast.close();
    recorder.write();
  });

  const badInput = (input: (typeof import('./harness').BAD_INPUTS)[number], feature: FeatureId, body: (rec: BadInputRecord) => Promise<void>) =>
    it(`${feature}: ${input}`, async () => {
      const rec: BadInputRecord = { input, feature, pass: false, exitCode: null, message: '', kept: '' };
      try {
        await body(rec);
        rec.pass = true;
      } catch (e) {
        rec.error = normalize((e as Error).message).slice(0, 300);
        throw e;
      } finally {
        recorder.badInput.push(rec);
      }
    });

  const take = (rec: BadInputRecord, r: Run) => {
    rec.exitCode = r.code;
    rec.message = userMessage(r.stderr);
    assertNoStack(r.stderr);
  };

  badInput('Empty stdin', 'summarize', async (rec) => {
    const r = await runCli(['summarize', '--endpoint', emu.url], { stdin: '' });
    take(rec, r);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /stdin is empty: there is nothing to summarize/);
    rec.kept = '—';
  });

  badInput('Empty file', 'summarize', async (rec) => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', empty]);
    take(rec, r);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /empty\.txt is empty: there is nothing to summarize/);
    rec.kept = '—';
  });

  badInput('10 MB input', 'summarize', async (rec) => {
    const para = 'The quarterly report says revenue grew eight percent while costs stayed flat and the search shipped. ';
    const big = para.repeat(Math.ceil((10 * 1024 * 1024) / para.length)).slice(0, 10 * 1024 * 1024);
    const sectionsSeen: string[] = [];
    let sent = false;
    // The sections run one by one with progress; Ctrl-C once they are under way (the whole run is not the point).
    const r = await runCli(['summarize', '--endpoint', fast.url, '--never-refine'], {
      stdin: big,
      timeoutMs: 30000,
      onOutput: (out, child) => {
        const m = out.stderr.match(/\[section (\d+)\/(\d+)/g);
        if (m) sectionsSeen.splice(0, sectionsSeen.length, ...m);
        if (!sent && sectionsSeen.length >= 3) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    take(rec, r);
    assert.ok(sent, `section progress was shown on stderr:\n${r.stderr.slice(0, 1000)}`);
    const total = Number(/\[section \d+\/(\d+)/.exec(r.stderr)![1]);
    assert.ok(total > 10, `10 MB is cut into sections (${total})`);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stdout, /Stopped: what finished is kept\./);
    rec.message = rec.message || normalize(`progress: [section k/${total} …]; Ctrl-C: "Stopped: what finished is kept."`);
    rec.kept = `the finished sections (${total} sections in all, progress on stderr)`;
  });

  badInput('Binary file', 'summarize', async (rec) => {
    const bin = join(dir, 'image.png');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    writeFileSync(bin, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes]));
    const before = emu.requests.length;
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', bin]);
    take(rec, r);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /image\.png is a binary file/);
    assert.strictEqual(emu.requests.slice(before).filter((q) => q.path === CHAT).length, 0, 'nothing was sent to the model');
    rec.kept = '— (nothing sent)';
  });

  badInput('Invalid UTF-8', 'summarize', async (rec) => {
    const bad = join(dir, 'latin1.txt');
    writeFileSync(bad, Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' revenue grew eight percent; the na'), Buffer.from([0xef, 0xbf]), Buffer.from('ve plan shipped.\n')]));
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', bad, '--never-refine']);
    take(rec, r);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /latin1\.txt is not valid UTF-8: 2 invalid byte sequences? replaced/);
    assert.match(r.stdout, /--- Draft/);
    const sent = emu.requests.filter((q) => q.path === CHAT).pop()!.body as any;
    assert.ok(JSON.stringify(sent.messages).includes('Caf\ufffd'), 'replacement characters, not dropped text');
    rec.kept = 'the text, with U+FFFD for the bad bytes; summarized';
  });

  badInput('JSONL prompt file with broken lines', 'compare', async (rec) => {
    const file = join(dir, 'prompts.jsonl');
    writeFileSync(file, ['{"prompt": "Explain retrieval augmented generation."}', '{"prompt": "unterminated', '', '["not", "an", "object"]', '{"reference": "no prompt"}', '{"prompt": "List 5 creative IoT edge AI ideas."}'].join('\n') + '\n');
    const r = await runCli(['compare', '--endpoint', emu.url, '--models', 'qwen3-0.6b', '--prompts', file, '--runs', '1', '--json']);
    take(rec, r);
    rec.message = normalize(r.stderr.split('\n').filter((l) => /prompts\.jsonl:\d+: skipped/.test(l)).join(' '));
    assert.strictEqual(r.code, 0, r.stderr);
    for (const line of [2, 4, 5]) assert.match(r.stderr, new RegExp(`prompts\\.jsonl:${line}: skipped — `));
    const report = JSON.parse(r.stdout);
    assert.strictEqual(new Set(report.requests.map((q: any) => q.promptId)).size, 2, 'the two good lines ran');
    rec.kept = 'the 2 good lines ran; lines 2, 4, 5 reported';
  });

  // gpt-oss-20b's context is 8192 tokens: 8000 words and 300 tokens to answer do not fit; with max tokens lowered to
  // what is left (the figure the message gives), the same prompt fits exactly.
  let inputTokens = 0;
  const longContext = () => {
    const ctx = join(dir, 'long-context.txt');
    writeFileSync(ctx, 'alpha '.repeat(8000));
    return ctx;
  };
  badInput('Prompt over the context limit', 'chat', async (rec) => {
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'gpt-oss-20b', '--context', longContext(), 'What does it say?']);
    take(rec, r);
    assert.strictEqual(r.code, 1, r.stderr);
    const m = /The request needs (\d+) tokens \((\d+) input \+ 300 output\) but the model's context is 8192 tokens — shorten the input or lower max tokens/.exec(r.stderr);
    assert.ok(m, r.stderr);
    inputTokens = Number(m[2]);
    rec.kept = '—';
  });

  badInput('Prompt at the context limit', 'chat', async (rec) => {
    assert.ok(inputTokens > 0 && inputTokens < 8192, 'the over-the-limit case gave the prompt size');
    const r = await runCli(['chat', '--endpoint', emu.url, '-m', 'gpt-oss-20b', '--max-tokens', String(8192 - inputTokens), '--context', longContext(), 'What does it say?']);
    take(rec, r);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Model:\s+gpt-oss-20b/);
    rec.message ||= normalize(`(none: ${inputTokens} input + ${8192 - inputTokens} max tokens = 8192 fits)`);
    rec.kept = 'the answer';
  });
});

describe('hardening: the README fault matrix is this run\'s', function () {
  this.timeout(30000);
  it('README.md between the fault-matrix markers equals node scripts/fault-table.mjs on this run', function () {
    if (!recorder.complete()) {
      const c = recorder.json().counts;
      console.log(`      (skipped: a partial run — ${c.cells.total} of ${c.cells.expected} fault cells and ${c.badInput.tried} bad inputs ran, e.g. under mocha --grep; run the whole hardening suite to compare the README's fault matrix)`);
      this.skip();
    }
    const file = recorder.write();
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'fault-table.mjs'), '--check', '--in', file], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, `${r.stdout}${r.stderr}\nThe README's fault matrix differs from this run: run the hardening suite, then node scripts/fault-table.mjs --write.`);
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes('<!-- fault-matrix:start -->'));
  });
});
