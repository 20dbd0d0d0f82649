/**
 * The hardening suite's harness: the real CLI in its own process (stdin, signals, live output), the fault × feature
 * matrix's rows and columns, and the recorder that writes test-results/fault-matrix.json for scripts/fault-table.mjs.
 */
import * as assert from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

export const ROOT = join(__dirname, '..', '..', '..', '..');
export const MAIN = join(ROOT, 'out', 'src', 'cli', 'main.js');
export const FAKE_FOUNDRY = join(ROOT, 'test', 'emulator', 'bin', 'foundry');
export const RESULTS_DIR = join(ROOT, 'test-results');
export const MATRIX_FILE = join(RESULTS_DIR, 'fault-matrix.json');
export const PARTIAL_FILE = join(RESULTS_DIR, 'fault-matrix.partial.json');

/** The matrix's columns. A feature joins the matrix by being listed here (ask: once the CLI has the command). */
export type FeatureId = 'chat' | 'compare' | 'summarize' | 'ask';
export const ALL_FEATURES: readonly FeatureId[] = ['chat', 'compare', 'summarize', 'ask'];

let askKnown: boolean | undefined;
/** `ask` is in the matrix when the CLI's usage lists the command. */
export function askAvailable(): boolean {
  if (askKnown === undefined) {
    const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', timeout: 15000 });
    askKnown = r.status === 0 && /^\s{2}ask\b/m.test(r.stdout ?? '');
  }
  return askKnown;
}

export function features(): FeatureId[] {
  return ALL_FEATURES.filter((f) => f !== 'ask' || askAvailable());
}

/** The matrix's rows, in the order. */
export const FAULTS = [
  { id: 'not-running', label: 'Service not running at start' },
  { id: 'restarted', label: 'Service restarted on another port between requests' },
  { id: 'reset-mid-stream', label: 'Connection reset mid-stream' },
  { id: 'http-500-json', label: 'HTTP 500 with a JSON error body' },
  { id: 'http-500-plain', label: 'HTTP 500, plain text' },
  { id: 'http-503', label: 'HTTP 503' },
  { id: 'slow-first-token', label: 'First token after 60 s (progress, Ctrl-C)' },
  { id: 'stall', label: 'Stream stalls (idle timeout)' },
  { id: 'malformed', label: 'Malformed SSE line' },
  { id: 'finish-length', label: 'finish_reason: length' },
  { id: 'no-usage', label: 'Usage missing' },
  { id: 'model-unknown', label: 'Model not in the catalog' },
  { id: 'model-not-loaded', label: 'Model not loaded' },
  { id: 'context-too-long', label: 'Context length exceeded' },
  { id: 'killed', label: 'Runtime killed mid-run' },
] as const;
export type FaultId = (typeof FAULTS)[number]['id'];

export interface CellRecord {
  feature: FeatureId;
  fault: FaultId;
  pass: boolean;
  exitCode: number | null;
  /** What the user reads (stderr's foundry-lab lines; ports, paths and durations normalized). */
  message: string;
  /** What was already produced and kept. */
  kept: string;
  error?: string;
}

export interface BadInputRecord {
  input: string;
  feature: FeatureId;
  pass: boolean;
  exitCode: number | null;
  message: string;
  kept: string;
  error?: string;
}

export const BAD_INPUTS = [
  'Empty stdin',
  'Empty file',
  '10 MB input',
  'Binary file',
  'Invalid UTF-8',
  'JSONL prompt file with broken lines',
  'Prompt over the context limit',
  'Prompt at the context limit',
] as const;

export class Recorder {
  cells: CellRecord[] = [];
  badInput: BadInputRecord[] = [];

  expectedCells(): number {
    return features().length * FAULTS.length;
  }

  complete(): boolean {
    const faultIds = new Set(this.cells.map((c) => `${c.feature}/${c.fault}`));
    const inputs = new Set(this.badInput.map((b) => b.input));
    return faultIds.size === this.expectedCells() && BAD_INPUTS.every((i) => inputs.has(i));
  }

  json() {
    const feats = features();
    const perFeature = Object.fromEntries(feats.map((f) => [f, { passed: this.cells.filter((c) => c.feature === f && c.pass).length, total: this.cells.filter((c) => c.feature === f).length }]));
    return {
      description: 'Fault × feature outcomes of test/unit/hardening (the real CLI against the emulator); render with node scripts/fault-table.mjs',
      complete: this.complete(),
      features: feats,
      faults: FAULTS.map((f) => ({ id: f.id, label: f.label })),
      cells: this.cells,
      badInput: this.badInput,
      counts: {
        cells: { passed: this.cells.filter((c) => c.pass).length, total: this.cells.length, expected: this.expectedCells() },
        perFeature,
        badInput: { tried: this.badInput.length, passed: this.badInput.filter((b) => b.pass).length },
      },
    };
  }

  /** A complete run replaces fault-matrix.json; a partial one (mocha --grep) goes beside it and leaves it alone. */
  write(): string {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const data = this.json();
    const file = data.complete ? MATRIX_FILE : PARTIAL_FILE;
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
    return file;
  }
}

export const recorder = new Recorder();

/** Ports, temp paths and durations vary between runs; the README's table must not. */
export function normalize(text: string): string {
  return text
    .replace(/https?:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\/tmp\/[^\s:'"`)]*\/([^\s/:'"`)]+)/g, '$1')
    .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, 'N $2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The lines a user reads about the failure: foundry-lab's own lines and the hint under them, ✗ lines. */
export function userMessage(stderr: string): string {
  const lines = stderr.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^foundry-lab: |^\s+✗ |^warning: |^note: /.test(l)) {
      out.push(l.replace(/^\s+/, ''));
      while (i + 1 < lines.length && /^ {2}\S/.test(lines[i + 1]) && !/^\s+✗/.test(lines[i + 1])) out.push(lines[++i].trim());
    }
  }
  return normalize(out.join(' '));
}

export function assertNoStack(stderr: string): void {
  assert.ok(!/^\s+at /m.test(stderr), `a stack trace leaked:\n${stderr}`);
  assert.ok(!/Unhandled|UnhandledPromiseRejection|TypeError|ReferenceError/.test(stderr), `an internal error leaked:\n${stderr}`);
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Called on every chunk of output with everything so far, and every 5 ms. */
  onOutput?: (out: { stdout: string; stderr: string }, child: ChildProcess) => void;
}

/** The real CLI entry point in its own process, as a user runs it. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, FOUNDRY_LAB_FOUNDRY_PATH: '/nonexistent/foundry', ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout!.on('data', (d) => {
      out.stdout += d;
      opts.onOutput?.(out, child);
    });
    child.stderr!.on('data', (d) => {
      out.stderr += d;
      opts.onOutput?.(out, child);
    });
    // Also polled: a condition may turn true on the runtime's side while the CLI prints nothing.
    const poll = opts.onOutput ? setInterval(() => opts.onOutput!(out, child), 5) : undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out (a hang): foundry-lab ${args.join(' ')}\nstdout: ${out.stdout.slice(-2000)}\nstderr: ${out.stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 30000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout: out.stdout, stderr: out.stderr, ms: Date.now() - t0 });
    });
    if (opts.stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // the CLI may refuse the input before reading it all
      child.stdin!.end(opts.stdin);
    }
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() holds (polling), or fails after timeoutMs. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
