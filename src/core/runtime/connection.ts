import { discover, Discovered, DiscoveryOptions } from './discovery';
import { isLabError, LabError } from './errors';
import { fetchWithApiKeys } from './http';
import { SOURCE_NAMES } from './names';
import type { RuntimeClient } from './runtimeClient';
import type { DiscoveryResult } from './types';

/**
 * The runtime as features use it: discovered lazily, the client reused while it works, and found again once when a
 * request is refused (Foundry Local restarts on a new port). Only a successful discovery is cached; a runtime that
 * was down is looked for again on the next call, so starting it later just works.
 */
export class RuntimeConnection {
  private state?: Promise<Discovered>;
  private apiKeys?: (serviceUrl: string) => string | undefined;

  /** onFound: told of every successful discovery (the CLI says there when the endpoint is not on this machine). */
  constructor(
    private opts: DiscoveryOptions,
    private readonly hooks: { onFound?: (discovery: DiscoveryResult) => void } = {},
  ) {}

  /**
   * API keys per endpoint (by serviceUrl): every request under an endpoint that has one carries it as a bearer
   * token, discovery's probe included; no other URL ever gets it. Kept apart from the options (which are re-read
   * from settings); a change makes the next request discover again.
   */
  setApiKeys(keyFor: ((serviceUrl: string) => string | undefined) | undefined): void {
    this.apiKeys = keyFor;
    this.state = undefined;
  }

  /** The key for a URL under an endpoint that has one (chat requests pass it to streamChat). */
  apiKeyFor(url: string): string | undefined {
    const keyFor = this.apiKeys;
    if (!keyFor) return undefined;
    // The service URL is the URL itself or one of its path prefixes: http://h:1/a/v1/models → http://h:1/a/v1, http://h:1/a, http://h:1
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    const parts = u.pathname.replace(/\/+$/, '').split('/');
    for (let n = parts.length; n >= 1; n--) {
      const key = keyFor(u.origin + parts.slice(0, n).join('/'));
      if (key) return key;
    }
    return undefined;
  }

  setOptions(opts: DiscoveryOptions): void {
    this.opts = opts;
    this.state = undefined;
  }

  get options(): DiscoveryOptions {
    return this.opts;
  }

  /**
   * The discovery is shared by every caller, so one caller's cancel must not fail the others: it runs under the
   * connection's own signal, and each caller stops waiting when its own signal fires.
   */
  current(signal?: AbortSignal): Promise<Discovered> {
    if (!this.state) {
      const attempt = discover(this.apiKeys ? { ...this.opts, fetch: fetchWithApiKeys((url) => this.apiKeyFor(url), this.opts.fetch) } : { ...this.opts });
      this.state = attempt;
      attempt.then(
        (d) => {
          if (d.discovery.state === 'found') this.hooks.onFound?.(d.discovery);
          else if (this.state === attempt) this.state = undefined;
        },
        () => {
          if (this.state === attempt) this.state = undefined;
        },
      );
    }
    return signal ? untilAborted(this.state, signal) : this.state;
  }

  async refresh(signal?: AbortSignal): Promise<DiscoveryResult> {
    this.state = undefined;
    return (await this.current(signal)).discovery;
  }

  async client(signal?: AbortSignal): Promise<RuntimeClient> {
    const { discovery, client } = await this.current(signal);
    if (client) return client;
    throw discoveryError(discovery);
  }

  /** Runs fn; when it fails because nothing listens any more, discovers the runtime again and retries once. */
  async withRediscovery<T>(fn: (c: RuntimeClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const first = await this.client(signal);
    try {
      return await fn(first);
    } catch (e) {
      if (!isLabError(e) || !mayHaveMoved(e) || signal?.aborted) throw e;
      await this.refresh(signal);
      return fn(await this.client(signal));
    }
  }
}

/**
 * A failure that a restart explains: nothing listens any more, or a kept-alive connection was closed by a service
 * that went away (undici: UND_ERR_SOCKET "other side closed", ECONNRESET) before it answered anything.
 */
export function mayHaveMoved(e: LabError): boolean {
  if (e.code === 'not-running') return true;
  return e.code === 'unreachable' && /UND_ERR_SOCKET|ECONNRESET|other side closed|socket hang up/i.test(`${e.detail?.cause ?? ''} ${e.message}`);
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new LabError('aborted', 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new LabError('aborted', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The error for a runtime that was not found, with the action that fixes it. */
export function discoveryError(d: DiscoveryResult): LabError {
  switch (d.state) {
    case 'not-installed':
      return new LabError('not-installed', 'Foundry Local was not found — install it, or set an endpoint (the foundryLab.endpoint setting, --endpoint, or FOUNDRY_LOCAL_ENDPOINT).');
    case 'stopped':
      return new LabError('not-running', `Foundry Local is not running — start it (\`foundry ${d.cli} start\`) or set an endpoint.${d.detail ? ` (${d.detail})` : ''}`);
    case 'unreachable':
      return new LabError('unreachable', `Nothing answers at ${d.url} (from ${SOURCE_NAMES[d.source]}): ${d.detail}`);
    case 'found':
      return new LabError('server-error', 'The runtime was found but no client was made.');
  }
}
