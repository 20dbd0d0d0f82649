import { e2eEnv } from './suiteContext';

/**
 * What the emulator really sent, asked over its HTTP routes: the panel's text is checked against it, not against a
 * copy of the emulator's generator. Its streams are deterministic (same model and messages, same tokens), so the
 * request the panel made, replayed without streaming, gives the text the panel should show.
 */
export interface EmulatorRequest {
  method: string;
  path: string;
  model?: string;
  body?: { model?: string; messages?: unknown; stream?: boolean; [k: string]: unknown };
  aborted: boolean;
  finished: boolean;
}

export async function emulatorRequests(): Promise<EmulatorRequest[]> {
  const res = await fetch(`${e2eEnv('emulatorUrl')}/__emulator/requests`);
  if (!res.ok) throw new Error(`GET /__emulator/requests answered ${res.status}`);
  return (await res.json()) as EmulatorRequest[];
}

export async function chatRequests(): Promise<EmulatorRequest[]> {
  return (await emulatorRequests()).filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
}

/** The answer and reasoning of a chat request, replayed without streaming; Harmony markup is split as a client must. */
export async function replayChat(request: EmulatorRequest): Promise<{ answer: string; reasoning: string; raw: string }> {
  const res = await fetch(`${e2eEnv('emulatorUrl')}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request.body, stream: false }),
  });
  if (!res.ok) throw new Error(`the replayed request answered ${res.status}: ${await res.text()}`);
  const message = ((await res.json()) as { choices: { message: { content?: string; reasoning_content?: string } }[] }).choices[0].message;
  const raw = message.content ?? '';
  const harmony = /<\|channel\|>analysis<\|message\|>([\s\S]*?)<\|end\|>[\s\S]*?<\|channel\|>final<\|message\|>([\s\S]*?)(?:<\|return\|>|$)/.exec(raw);
  if (harmony) return { reasoning: harmony[1], answer: harmony[2], raw };
  const think = /^\s*<think>([\s\S]*?)<\/think>\s*([\s\S]*)$/.exec(raw);
  if (think) return { reasoning: think[1], answer: think[2], raw };
  return { answer: raw, reasoning: message.reasoning_content ?? '', raw };
}

/** The words of a text, lower-cased: rendered Markdown and the raw text compare equal when their words do. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []);
}

/** Adds a fault to the emulator's list (`POST /__emulator/faults`; see test/emulator/README.md). */
export async function addFault(spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${e2eEnv('emulatorUrl')}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (!res.ok) throw new Error(`the emulator refused the fault: ${res.status} ${await res.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${e2eEnv('emulatorUrl')}/__emulator/faults`, { method: 'DELETE' });
}

/** The emulator's faults become `spec` alone (none when undefined). */
export async function setFault(spec: Record<string, unknown> | undefined): Promise<void> {
  await clearFaults();
  if (spec) await addFault(spec);
}
