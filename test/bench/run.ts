/**
 * `npm run bench`: performance as ratios against a baseline measured in the same process, never as absolute
 * thresholds (the machines are shared and noisy). Writes bench-results/latest.json and prints a summary.
 *
 * 1. Streaming overhead: streamChat (our one primitive) against a bare `openai` SDK streaming loop, on the same
 *    emulator stream replayed from a loopback server — TTFT and per-token client cost, alternating rounds.
 * 2. Activation: time to load dist/extension.js and run activate() against a stub vscode API, against the same
 *    for a trivial baseline extension — each in a fresh Node process.
 * 3. Bundle and VSIX sizes.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import OpenAI from 'openai';
import { summarize } from '../../src/core/metrics/stats';
import { streamChat } from '../../src/core/runtime/streamChat';
import { runRetrievalBench } from './retrieval/main';

const root = join(__dirname, '..', '..', '..');

async function startEmulatorProcess(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(root, 'out', 'test', 'emulator', 'main.js'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    proc.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, proc };
}

/** Records one emulator stream's bytes, to replay it identically to both clients. */
async function captureStream(url: string, model: string, maxTokens: number): Promise<Buffer> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Summarize retrieval augmented generation in 2 sentences.' }], stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens }),
  });
  if (!res.ok) throw new Error(`capture failed: HTTP ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Serves the captured bytes to every chat request: headers, then the whole stream in one write. */
function replayServer(body: Buffer): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` })));
}

interface Round {
  ttftMs: number;
  perTokenUs: number;
  tokens: number;
}

async function oursRound(baseUrl: string, model: string): Promise<Round> {
  const r = await streamChat({ model, messages: [{ role: 'user', content: 'x' }] }, { baseUrl });
  if (r.error) throw r.error;
  const t = r.timeline;
  const tokens = t.tokenChunks.length;
  return { ttftMs: t.firstToken! - t.sent!, perTokenUs: ((t.done! - t.firstToken!) / Math.max(1, tokens - 1)) * 1000, tokens };
}

async function sdkRound(client: OpenAI, model: string): Promise<Round> {
  const sent = performance.now();
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
  let first: number | undefined;
  let tokens = 0;
  for await (const chunk of stream) {
    const content = chunk.choices?.[0]?.delta?.content;
    if (content) {
      first ??= performance.now();
      tokens++;
    }
  }
  const done = performance.now();
  return { ttftMs: first! - sent, perTokenUs: ((done - first!) / Math.max(1, tokens - 1)) * 1000, tokens };
}

async function streamingOverhead(rounds: number) {
  const emu = await startEmulatorProcess(['--generation', 'openai', '--time-scale', '0']);
  try {
    const models = (await (await fetch(`${emu.url}/v1/models`)).json()) as { data: { id: string }[] };
    const model = models.data.map((m) => m.id).find((id) => /phi-4-mini/i.test(id) && /cpu/i.test(id)) ?? models.data[0].id;
    const body = await captureStream(emu.url, model, 4096);
    const { server, baseUrl } = await replayServer(body);
    try {
      const client = new OpenAI({ baseURL: baseUrl, apiKey: 'not-needed', maxRetries: 0 });
      const ours: Round[] = [];
      const sdk: Round[] = [];
      for (let i = 0; i < 5; i++) {
        await oursRound(baseUrl, model);
        await sdkRound(client, model);
      }
      for (let i = 0; i < rounds; i++) {
        // Alternate the order so drift and GC hit both alike.
        if (i % 2) {
          ours.push(await oursRound(baseUrl, model));
          sdk.push(await sdkRound(client, model));
        } else {
          sdk.push(await sdkRound(client, model));
          ours.push(await oursRound(baseUrl, model));
        }
      }
      const s = (xs: Round[], k: keyof Round) => summarize(xs.map((x) => x[k]))!;
      const oursTtft = s(ours, 'ttftMs');
      const sdkTtft = s(sdk, 'ttftMs');
      const oursTok = s(ours, 'perTokenUs');
      const sdkTok = s(sdk, 'perTokenUs');
      return {
        model,
        streamBytes: body.length,
        tokensPerStream: ours[0].tokens,
        sdkTokensPerStream: sdk[0].tokens,
        rounds,
        ttftMs: { streamChat: oursTtft, openaiSdk: sdkTtft, ratioP50: oursTtft.p50 / sdkTtft.p50 },
        perTokenUs: { streamChat: oursTok, openaiSdk: sdkTok, ratioP50: oursTok.p50 / sdkTok.p50 },
      };
    } finally {
      server.close();
    }
  } finally {
    emu.proc.kill();
  }
}

const STUB_VSCODE = `
// A stand-in for the vscode API: every namespace answers every call with another stand-in, so activate() runs its
// real code paths (registrations, settings reads, status bar) without an editor. Settings reads return the default.
const handler = {
  get(target, prop) {
    if (prop === 'then') return undefined;
    if (prop === Symbol.toPrimitive) return () => '';
    if (prop === 'get') return (key, fallback) => fallback;
    if (!(prop in target)) target[prop] = new Proxy(function () {}, handler);
    return target[prop];
  },
  set(target, prop, value) { return Reflect.defineProperty(target, prop, { value, writable: true, configurable: true }); },
  apply() { return new Proxy(function () {}, handler); },
  construct() { return new Proxy(function () {}, handler); },
};
const names = ['window', 'workspace', 'commands', 'env', 'languages', 'extensions', 'chat', 'lm', 'l10n', 'Uri', 'EventEmitter',
  'Disposable', 'StatusBarAlignment', 'ThemeColor', 'ThemeIcon', 'MarkdownString', 'ViewColumn', 'ConfigurationTarget',
  'ProgressLocation', 'CancellationTokenSource', 'QuickPickItemKind', 'TreeItem', 'Range', 'Position', 'Selection'];
for (const n of names) exports[n] = new Proxy(function () {}, handler);
`;

/** Loads a bundle and runs activate() in a fresh process with a stub vscode module; prints the ms it took. */
function activationProbe(bundle: string): number {
  const script = `
    const Module = require('module');
    const stubPath = require('path').join(${JSON.stringify(root)}, 'out', 'test', 'bench', 'vscode-stub.js');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? stubPath : resolve.call(this, req, ...rest); };
    const t0 = performance.now();
    const ext = require(${JSON.stringify(bundle)});
    Promise.resolve().then(() => ext.activate && ext.activate({ subscriptions: [], extensionUri: {}, extensionPath: ${JSON.stringify(root)}, globalState: { get: (k, d) => d, update: async () => {} }, workspaceState: { get: (k, d) => d, update: async () => {} }, secrets: { get: async () => undefined, store: async () => {} }, storageUri: undefined, globalStorageUri: {}, logUri: {}, extension: { packageJSON: {} }, environmentVariableCollection: {} }))
      .then(() => { process.stdout.write(String(performance.now() - t0)); process.exit(0); }, (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
  const ms = Number(r.stdout);
  if (r.status !== 0 || !r.stdout.trim() || !Number.isFinite(ms)) throw new Error(`activation probe failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return ms;
}

function activation(rounds: number) {
  const benchDir = join(root, 'out', 'test', 'bench');
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(join(benchDir, 'vscode-stub.js'), STUB_VSCODE);
  const baseline = join(benchDir, 'baseline-extension.js');
  writeFileSync(baseline, `const vscode = require('vscode');\nexports.activate = (ctx) => { ctx.subscriptions.push(vscode.commands.registerCommand('x.hello', () => vscode.window.showInformationMessage('hi'))); };\n`);
  const bundle = join(root, 'dist', 'extension.js');
  if (!existsSync(bundle)) throw new Error('dist/extension.js is missing: run the build first');
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(activationProbe(bundle));
    base.push(activationProbe(baseline));
  }
  const o = summarize(ours)!;
  const b = summarize(base)!;
  return { note: 'require + activate() in a fresh Node process against a stub vscode API; baseline: a one-command extension', rounds, extensionMs: o, baselineMs: b, ratioP50: o.p50 / b.p50 };
}

function sizes() {
  const size = (p: string) => (existsSync(join(root, p)) ? statSync(join(root, p)).size : null);
  return {
    'dist/extension.js': size('dist/extension.js'),
    'dist/cli.js': size('dist/cli.js'),
    'dist/webview.js': size('dist/webview.js'),
    'dist/webview.css': size('dist/webview.css'),
    'dist/foundry-local-lab.vsix': size('dist/foundry-local-lab.vsix'),
  };
}

async function main() {
  const quick = process.argv.includes('--quick');
  const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, platform: `${process.platform} ${process.arch}` };
  report.streaming = await streamingOverhead(quick ? 10 : 40);
  report.activation = activation(quick ? 3 : 10);
  report.sizes = sizes();
  // Retrieval quality and index cost on fetched repositories (test/bench/retrieval; skipped per missing mirror).
  const retrieval = await runRetrievalBench(quick ? ['--max-queries', '100', '--builds', '1'] : []);
  report.retrieval = { results: retrieval.results, skipped: retrieval.skipped, combined: retrieval.combined };
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const file = join(root, 'bench-results', 'latest.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  const st = report.streaming as any;
  const ac = report.activation as any;
  const sz = report.sizes as any;
  const kb = (n: number | null) => (n === null ? 'n/a' : `${(n / 1024).toFixed(1)} KiB`);
  process.stdout.write(
    [
      `streaming (${st.rounds} rounds, ${st.tokensPerStream} tokens/stream):`,
      `  TTFT p50       streamChat ${st.ttftMs.streamChat.p50.toFixed(3)} ms vs openai SDK ${st.ttftMs.openaiSdk.p50.toFixed(3)} ms → ratio ${st.ttftMs.ratioP50.toFixed(2)}`,
      `  per-token p50  streamChat ${st.perTokenUs.streamChat.p50.toFixed(2)} µs vs openai SDK ${st.perTokenUs.openaiSdk.p50.toFixed(2)} µs → ratio ${st.perTokenUs.ratioP50.toFixed(2)}`,
      `activation p50   ${ac.extensionMs.p50.toFixed(1)} ms vs baseline ${ac.baselineMs.p50.toFixed(1)} ms → ratio ${ac.ratioP50.toFixed(2)}`,
      `sizes            extension ${kb(sz['dist/extension.js'])}, cli ${kb(sz['dist/cli.js'])}, webview ${kb(sz['dist/webview.js'])}, VSIX ${kb(sz['dist/foundry-local-lab.vsix'])}`,
      `report           ${file}`,
      'retrieval:',
      retrieval.table,
    ].join('\n') + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e?.message ?? e}\n`);
  process.exitCode = 1;
});
