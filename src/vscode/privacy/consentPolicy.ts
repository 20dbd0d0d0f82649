import type { Endpoint } from '../../core/runtime/types';

/** Where the answers are kept (VS Code's globalState has this shape). */
export interface ConsentMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

/** Asks the user whether text may go to `host`; true = allowed. */
export type AskConsent = (host: string, endpoint: Endpoint) => Promise<boolean>;

export const CONSENT_KEY = 'foundryLab.remoteConsent';

/**
 * Prompts and workspace text go to an endpoint that is not on loopback only after the user allowed that endpoint,
 * once, remembered per endpoint (its serviceUrl). No VS Code API: unit-tested; remoteConsent.ts wraps it.
 */
export class RemoteConsentPolicy {
  /** One question per endpoint at a time: two features sending at once share the answer. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly memento: ConsentMemento,
    private readonly ask: AskConsent,
  ) {}

  allowedEndpoints(): string[] {
    const v = this.memento.get<unknown>(CONSENT_KEY);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  }

  /** True when text may be sent to every endpoint given (loopback ones always may); asks for each remote one not yet allowed. */
  async ensure(endpoints: readonly (Endpoint | undefined)[]): Promise<boolean> {
    for (const e of endpoints) {
      if (!e || e.isLoopback) continue;
      if (!(await this.ensureOne(e))) return false;
    }
    return true;
  }

  private ensureOne(endpoint: Endpoint): Promise<boolean> {
    const id = endpoint.serviceUrl;
    if (this.allowedEndpoints().includes(id)) return Promise.resolve(true);
    let answer = this.pending.get(id);
    if (!answer) {
      answer = this.ask(hostOf(endpoint), endpoint)
        .then(async (ok) => {
          if (ok) await this.memento.update(CONSENT_KEY, [...new Set([...this.allowedEndpoints(), id])]);
          return ok;
        })
        .finally(() => this.pending.delete(id));
      this.pending.set(id, answer);
    }
    return answer;
  }

  /** Forgets every answer; returns how many endpoints were allowed. */
  async forget(): Promise<number> {
    const n = this.allowedEndpoints().length;
    await this.memento.update(CONSENT_KEY, undefined);
    return n;
  }
}

/** The host (and port) the user recognises: `gpu-box.lan:5273`. */
export function hostOf(endpoint: Endpoint): string {
  try {
    return new URL(endpoint.serviceUrl).host;
  } catch {
    return endpoint.serviceUrl;
  }
}

export function consentMessage(host: string): string {
  return `Prompts and workspace text will be sent to ${host}, not this machine.`;
}
