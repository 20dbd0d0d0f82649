import * as assert from 'assert';
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startEmulator, RunningEmulator } from '../../emulator/server';
import { CliRun, runCli } from './helpers';

const MAIN = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const noStack = (text: string) => assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(text), `a stack trace leaked:\n${text}`);

/** The real entry point with text on stdin (helpers.runCli gives the CLI no stdin). */
function runWithStdin(args: string[], input: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, FOUNDRY_LAB_FOUNDRY_PATH: '/nonexistent/foundry' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, 30000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('cli: foundry-lab summarize', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  let dir: string;
  let brief: string;
  let notes: string;
  before(async () => {
    emu = await startEmulator({ generation: 'g3', timeScale: 0.05 });
    dir = mkdtempSync(join(tmpdir(), 'foundry-lab-summarize-'));
    brief = join(dir, 'brief.txt');
    notes = join(dir, 'notes.md');
    writeFileSync(brief, 'Quarterly update: revenue grew eight percent; costs stayed flat.\n');
    writeFileSync(notes, '# Notes\n\nRetrieval augmented generation grounds answers in documents.\n');
  });
  after(() => emu.close());
  afterEach(() => emu.clearFaults());
  const chats = () => emu.requests.filter((r) => r.path === '/v1/chat/completions');

  it('--file: streams the draft, says why it was not refined, then each stage\'s metrics and the blended cost', async () => {
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', brief]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^--- Draft \(phi-4-mini\) ---\n\[emulated\] /);
    assert.match(r.stdout, /\nEscalation: none — no rule fired; the draft is final\.\n/);
    assert.match(r.stdout, /\nFinal: the draft\.\nStages:\n {2}draft {6}Phi-4-mini-instruct-generic-gpu:5 \(GPU\) · TTFT [\d.]+ ms · decode [\d.]+ tokens\/s · E2E [\d.]+ ms · \d+ prompt \+ \d+ completion tokens/);
    assert.match(r.stdout, /\nTotal: [\d.]+ m?s \(the stages' end-to-end latency; model loads apart\) · blended cost \$[\d.e-]+ \(simulated at example prices\)/);
    assert.match(r.stderr, /^\[draft phi-4-mini → Phi-4-mini-instruct-generic-gpu:5\]\n/);
    assert.match(r.stderr, /EMULATOR/);
    assert.ok(!r.stdout.includes('refined by'), 'no refinement');
  });

  it('stdin + --force-refine: the draft, then the refinement by gpt-oss-20b without its reasoning, both stages measured', async () => {
    const before = chats().length;
    const r = await runWithStdin(['summarize', '--endpoint', emu.url, '--force-refine'], 'The board approved the budget. Hiring resumes in Q3.');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(chats().slice(before).map((c) => c.model), ['Phi-4-mini-instruct-generic-gpu:5', 'gpt-oss-20b-cuda-gpu:1']);
    const refineBody = chats()[chats().length - 1].body as { max_tokens: number; temperature: number; messages: { content: string }[] };
    assert.deepStrictEqual([refineBody.max_tokens, refineBody.temperature], [220, 0.3], 'the workshop\'s refine parameters');
    assert.match(refineBody.messages[0].content, /^Refine and polish:\n\[emulated\]/);
    assert.match(r.stdout, /\nEscalation: refine — forced: refinement forced by the user\n--- Final \(refined by gpt-oss-20b\) ---\n\[emulated\] /);
    assert.ok(!r.stdout.includes('<|'), 'no Harmony markup');
    assert.ok(!r.stdout.includes('emulated thinking'), 'no reasoning in the output');
    assert.match(r.stdout, /Final: refined by gpt-oss-20b\.\nStages:\n {2}draft .+\n {2}refine {5}gpt-oss-20b-cuda-gpu:1 \(GPU\) · TTFT/);
  });

  it('--never-refine still says which rules would have fired', async () => {
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', brief, '--never-refine', '--flagged-topics', 'revenue, legal']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Escalation: none — refinement turned off \(would have fired: flagged-topic: flagged topic: revenue\); the draft is final\./);
  });

  it('--json --baseline over two files: every stage, the baseline, and the figures across them', async () => {
    // Files as --file or as plain arguments (a shell glob).
    const r = await runCli(['summarize', '--endpoint', emu.url, '--json', '--baseline', '--file', brief, notes, '--flagged-topics', 'revenue']);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(out.summaries.map((s: { source: string; refined: boolean }) => [s.source, s.refined]), [['brief.txt', true], ['notes.md', false]]);
    const [first] = out.summaries;
    assert.deepStrictEqual(first.decision.hits, [{ rule: 'flagged-topic', detail: 'flagged topic: revenue' }]);
    assert.deepStrictEqual(first.stages.map((s: { stage: string }) => s.stage), ['draft', 'refine']);
    assert.ok(first.stages.every((s: { metrics: { ttftMs: number; e2eMs: number } }) => s.metrics.ttftMs > 0 && s.metrics.e2eMs >= s.metrics.ttftMs));
    assert.strictEqual(first.baseline.variantId, 'gpt-oss-20b-cuda-gpu:1');
    assert.ok(first.baseline.cost > 0 && first.blendedCost > 0);
    assert.strictEqual(first.emulated, true);
    assert.strictEqual(out.stats.count, 2);
    assert.strictEqual(out.stats.escalated, 1);
    assert.strictEqual(out.stats.baselineCount, 2);
    assert.strictEqual(out.described.escalationRate, 0.5);
    assert.ok(typeof out.described.savingCostRatio === 'number');
  });

  it('--stats FILE keeps the figures across runs; text output ends with the escalation rate and the saving', async () => {
    const stats = join(dir, 'stats.json');
    const one = await runCli(['summarize', '--endpoint', emu.url, '--file', brief, '--stats', stats]);
    assert.strictEqual(one.code, 0, one.stderr);
    const two = await runCli(['summarize', '--endpoint', emu.url, '--file', notes, '--force-refine', '--baseline', '--stats', stats]);
    assert.strictEqual(two.code, 0, two.stderr);
    const saved = JSON.parse(readFileSync(stats, 'utf8'));
    assert.deepStrictEqual([saved.count, saved.escalated, saved.baselineCount], [2, 1, 1]);
    assert.match(two.stdout, /\nAcross 2 summaries \(.+stats\.json\):\n {2}Escalation rate: 50% \(1 of 2 refined by gpt-oss-20b\)\n {2}Average latency: .+ · average blended cost \$.+ \(simulated\)\n {2}On the 1 with a baseline: cascade .+ vs gpt-oss-20b alone .+ on average\n {2}Saved: \d+% (less|more) time, \d+% (cheaper|more expensive)/);
    assert.match(two.stdout, /Baseline \(the large model alone on the same input; not in the total\):\n {2}baseline {3}gpt-oss-20b-cuda-gpu:1/);
  });

  it('a failing refine model: the draft is kept as the final summary, the error said on stderr', async () => {
    emu.injectFault({ kind: 'http-500', model: 'gpt-oss-20b-cuda-gpu:1' });
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', brief, '--force-refine']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Final: the draft \(the refinement failed\)\./);
    assert.match(r.stderr, /brief\.txt: the refinement failed — the draft is kept as the final summary: /);
    noStack(r.stderr);
  });

  it('Ctrl-C during the refinement stops it: the runtime sees the abort, exit 1', async () => {
    const r = await runCli(['summarize', '--endpoint', emu.url, '--file', notes, '--force-refine', '--refine', 'gpt-oss-20b'], {}, {
      onStdout: (text, child) => {
        // Once the refinement streams (its header alone comes before the request is sent).
        if (/--- Final[^\n]*\n\S/.test(text) && !child.killed) child.kill('SIGINT');
      },
    });
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stdout, /Stopped: what finished is kept\./);
    await new Promise((res) => setTimeout(res, 100));
    const last = chats()[chats().length - 1];
    assert.strictEqual(last.model, 'gpt-oss-20b-cuda-gpu:1');
    assert.strictEqual(last.aborted, true);
  });

  it('the runtime down: exit 1 with an actionable message, no stack trace', async () => {
    const closed = await startEmulator();
    const url = closed.url;
    await closed.close();
    const r = await runCli(['summarize', '--endpoint', url, '--file', brief]);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /brief\.txt: Nothing .*answers|brief\.txt: .*127\.0\.0\.1/);
    noStack(r.stderr);
  });

  it('usage errors exit 2: both force flags, empty input, a missing file, a bad number', async () => {
    const cases: [string[], RegExp][] = [
      [['summarize', '--file', brief, '--force-refine', '--never-refine'], /choose one of --force-refine and --never-refine/],
      [['summarize'], /stdin is empty: there is nothing to summarize/],
      [['summarize', '--file', join(dir, 'missing.txt')], /Cannot read .*missing\.txt: ENOENT/],
      [['summarize', '--file', brief, '--draft-longer-than', 'long'], /--draft-longer-than takes a whole number/],
      [['summarize', join(dir, 'nothing-here.md')], /Cannot read .*nothing-here\.md: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--endpoint', emu.url]);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const empty = await runWithStdin(['summarize', '--endpoint', emu.url], '  \n ');
    assert.strictEqual(empty.code, 2);
    assert.match(empty.stderr, /stdin is empty/);
  });
});
