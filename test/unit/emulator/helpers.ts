/** Small HTTP helpers for the emulator's own tests: plain requests, SSE streams with arrival times, raw sockets. */
import * as assert from 'assert';
import { request } from 'http';
import type { EmulatorProfile } from '../../emulator/profile';
import type { RunningEmulator } from '../../emulator/server';

export const PHI_GPU = 'Phi-4-mini-instruct-generic-gpu:5';
export const PHI_CPU = 'Phi-4-mini-instruct-generic-cpu:5';
export const GPT_OSS = 'gpt-oss-20b-cuda-gpu:1';
export const GPT_OSS_CPU = 'gpt-oss-20b-generic-cpu:1';
export const QWEN3 = 'qwen3-0.6b-generic-cpu:1';

export const user = (content: string) => [{ role: 'user', content }];

/** A one-model profile for tests that need fast or exactly known timing. */
export function oneModel(overrides: Partial<EmulatorProfile['models'][number]> = {}): EmulatorProfile {
  return {
    models: [{ id: 'test-model-cpu:1', alias: 'test-model', device: 'CPU', executionProvider: 'CPUExecutionProvider', ttftMs: 0, tokensPerSecond: 1000, loadMs: 0, memoryMb: 10, fileSizeMb: 10, contextLength: 4096, ...overrides }],
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json?: any;
}

export async function call(emu: RunningEmulator | string, path: string, init: { method?: string; body?: unknown; raw?: string; signal?: AbortSignal } = {}): Promise<Reply> {
  const base = typeof emu === 'string' ? emu : emu.url;
  const res = await fetch(base + path, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json' },
    body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    signal: init.signal,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function load(emu: RunningEmulator, id: string): Promise<Reply> {
  const path = emu.generation === 'g1' ? `/openai/load/${encodeURIComponent(id)}?ttl=600` : `/models/load/${encodeURIComponent(id)}`;
  const r = await call(emu, path);
  assert.strictEqual(r.status, 200, `load ${id}: ${r.status} ${r.text}`);
  return r;
}

export interface SseEvent {
  /** The `data:` payload as sent. */
  data: string;
  /** Parsed JSON, undefined for [DONE] or a malformed line. */
  json?: any;
  /** ms since the request was sent. */
  at: number;
}

export interface SseReply {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  /** Body bytes as received. */
  raw: string;
  /** The connection failed before the end (reset, dropped). */
  error?: Error;
  /** Content of the token events (delta.content joined). */
  content: string;
  /** delta.content of each event that carries a non-empty one. */
  tokens: string[];
  usage?: any;
  finishReason?: string | null;
  done: boolean;
}

/** POST a streaming chat and record every SSE event with its arrival time. */
export async function streamChat(emu: RunningEmulator, body: Record<string, unknown>, signal?: AbortSignal): Promise<SseReply> {
  const t0 = performance.now();
  const res = await fetch(`${emu.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stream: true, ...body }), signal });
  const out: SseReply = { status: res.status, contentType: res.headers.get('content-type'), events: [], raw: '', content: '', tokens: [], done: false };
  if (!res.body) return out;
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const at = performance.now() - t0;
      const text = decoder.decode(chunk, { stream: true });
      out.raw += text;
      buf += text;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        for (const line of frame.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const data = line.slice(6);
          let json: any;
          try {
            json = data === '[DONE]' ? undefined : JSON.parse(data);
          } catch {
            json = undefined;
          }
          out.events.push({ data, json, at });
        }
      }
    }
  } catch (e) {
    out.error = e as Error;
  }
  for (const e of out.events) {
    if (e.data === '[DONE]') out.done = true;
    const choice = e.json?.choices?.[0];
    const c = choice?.delta?.content;
    if (typeof c === 'string' && c) {
      out.tokens.push(c);
      out.content += c;
    }
    if (choice && 'finish_reason' in choice && choice.finish_reason) out.finishReason = choice.finish_reason;
    if (e.json?.usage) out.usage = e.json.usage;
  }
  return out;
}

/** Arrival times of the events that carry tokens (content or reasoning_content). */
export function tokenTimes(r: SseReply): number[] {
  return r.events.filter((e) => {
    const d = e.json?.choices?.[0]?.delta;
    return d && ((typeof d.content === 'string' && d.content) || (typeof d.reasoning_content === 'string' && d.reasoning_content));
  }).map((e) => e.at);
}

/** A raw HTTP request whose outcome is reported without throwing: 'reset' when the socket closed without an answer. */
export function rawRequest(url: string, method: string, body?: string, timeoutMs = 2000): Promise<{ outcome: 'response' | 'reset' | 'timeout'; status?: number; body?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ outcome: 'response', status: res.statusCode, body: b }));
      res.on('error', () => resolve({ outcome: 'reset', status: res.statusCode, body: b }));
    });
    req.setTimeout(timeoutMs, () => {
      resolve({ outcome: 'timeout' });
      req.destroy();
    });
    req.on('error', () => resolve({ outcome: 'reset' }));
    req.end(body);
  });
}

export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cond();
}
