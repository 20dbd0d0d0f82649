import type { Logger } from '../log';
import { silentLogger } from '../log';
import { isLabError, LabError } from './errors';
import { parseEndpointUrl } from './endpoint';
import { CliResult, isUnknownCommand, parseServerStatusJson, parseServerStatusText, parseServiceStatus, parseStartOutput, runFoundry, saysUnknownCommand } from './foundryCli';
import { requestText } from './http';
import { RuntimeClient } from './runtimeClient';
import type { DiscoveryResult, Endpoint, EndpointSource } from './types';

export interface DiscoveryOptions {
  /** An explicit endpoint (the --endpoint flag or the foundryLab.endpoint setting). */
  endpoint?: string;
  endpointSource?: 'flag' | 'setting';
  env?: NodeJS.ProcessEnv;
  foundryPath?: string;
  signal?: AbortSignal;
  probeTimeoutMs?: number;
  log?: Logger;
  fetch?: typeof fetch;
}

export interface Discovered {
  discovery: DiscoveryResult;
  client?: RuntimeClient;
}

/**
 * Finds the runtime: explicit endpoint → FOUNDRY_LOCAL_ENDPOINT → `foundry server status -o json` (0.10+) →
 * `foundry service status` (≤ 0.8). Every URL is confirmed with GET /v1/models: the CLIs' own "running" flags have
 * been seen to lie. An explicit URL that does not answer is reported as such, not silently replaced.
 */
export async function discoverEndpoint(opts: DiscoveryOptions): Promise<DiscoveryResult> {
  return (await discover(opts)).discovery;
}

export async function discover(opts: DiscoveryOptions): Promise<Discovered> {
  const log = opts.log ?? silentLogger;
  const explicit = opts.endpoint?.trim();
  if (explicit) return confirm(explicit, opts.endpointSource ?? 'setting', opts);
  const env = (opts.env ?? process.env).FOUNDRY_LOCAL_ENDPOINT?.trim();
  if (env) return confirm(env, 'env', opts);

  const foundry = opts.foundryPath?.trim() || 'foundry';
  const cli = { signal: opts.signal, env: opts.env };
  let server: CliResult;
  try {
    server = await runFoundry(foundry, ['server', 'status', '-o', 'json'], cli);
  } catch (e) {
    if (isLabError(e) && e.code === 'not-installed') return { discovery: { state: 'not-installed', detail: e.message } };
    throw e;
  }
  if (!isUnknownCommand(server)) {
    const parsed = parseServerStatusJson(server.stdout) ?? parseServerStatusText(server.stdout);
    log.debug(`foundry server status: running=${parsed.running} url=${parsed.url ?? '-'}`);
    if (parsed.url) {
      const found = await confirm(parsed.url, 'foundry-server-status', opts);
      if (found.discovery.state === 'found') return found;
      const detail = parsed.running
        ? `\`foundry server status\` says it runs at ${parsed.url}, but nothing answers there (a stale status).`
        : `\`foundry server status\` names ${parsed.url}, but nothing answers there.`;
      return { discovery: { state: 'stopped', cli: 'server', detail } };
    }
    return { discovery: { state: 'stopped', cli: 'server', detail: '`foundry server status` reports no running server.' } };
  }
  const service = await runFoundry(foundry, ['service', 'status'], cli);
  const parsed = parseServiceStatus(service.stdout + '\n' + service.stderr);
  log.debug(`foundry service status: running=${parsed.running} url=${parsed.url ?? '-'}`);
  if (parsed.url) {
    const found = await confirm(parsed.url, 'foundry-service-status', opts);
    if (found.discovery.state === 'found') return found;
    return { discovery: { state: 'stopped', cli: 'service', detail: `\`foundry service status\` names ${parsed.url}, but nothing answers there.` } };
  }
  if (saysUnknownCommand(service)) {
    // Neither family answered: a 0.10+ CLI whose `server status` failed (it rejects `service`).
    return { discovery: { state: 'stopped', cli: 'server', detail: firstLine(server.stderr + '\n' + server.stdout) } };
  }
  return { discovery: { state: 'stopped', cli: 'service', detail: firstLine(service.stdout + '\n' + service.stderr) } };
}

async function confirm(raw: string, source: EndpointSource, opts: DiscoveryOptions): Promise<Discovered> {
  let endpoint: Endpoint;
  try {
    endpoint = parseEndpointUrl(raw, source);
  } catch (e) {
    return { discovery: { state: 'unreachable', url: raw, source, detail: (e as Error).message } };
  }
  try {
    const r = await requestText(`${endpoint.openaiBaseUrl}/models`, { signal: opts.signal, timeoutMs: opts.probeTimeoutMs ?? 3000, fetch: opts.fetch });
    if (r.status >= 500) throw new LabError('server-error', `GET /v1/models answered HTTP ${r.status}`);
    if (r.status === 404) throw new LabError('bad-request', 'it does not serve /v1/models — is this an OpenAI-compatible server?');
  } catch (e) {
    if (isLabError(e) && e.code === 'aborted') throw e;
    // The cause only: callers say "Nothing answers at <url>" themselves.
    const detail = isLabError(e) && e.code === 'not-running' ? 'connection refused' : (e as Error).message;
    return { discovery: { state: 'unreachable', url: endpoint.serviceUrl, source, detail } };
  }
  const client = new RuntimeClient(endpoint, { log: opts.log, fetch: opts.fetch });
  const runtime = await client.detectRuntime(opts.signal);
  const emulated = await client.isEmulated(opts.signal);
  const loadedModels = await client.listLoaded(opts.signal).catch(() => []);
  return { discovery: { state: 'found', endpoint, runtime, emulated, loadedModels }, client };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? '';
}

/**
 * Starts Foundry Local with whichever command family the installed CLI knows, then waits (polling discovery) until
 * the service answers. The real SDK gave up after 1 s, which is too short in practice.
 */
export async function startFoundryService(opts: DiscoveryOptions & { waitMs?: number }): Promise<DiscoveryResult> {
  const foundry = opts.foundryPath?.trim() || 'foundry';
  const log = opts.log ?? silentLogger;
  const cli = { signal: opts.signal, timeoutMs: 120_000, env: opts.env };
  let out: CliResult;
  try {
    out = await runFoundry(foundry, ['server', 'start'], cli);
    if (isUnknownCommand(out) && !parseStartOutput(out.stdout)) out = await runFoundry(foundry, ['service', 'start'], cli);
  } catch (e) {
    if (isLabError(e) && e.code === 'not-installed') return { state: 'not-installed', detail: e.message };
    throw e;
  }
  log.info(`foundry start: ${firstLine(out.stdout + out.stderr)}`);
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  const discoveryOpts: DiscoveryOptions = { ...opts, endpoint: undefined };
  for (;;) {
    const d = await discoverEndpoint(discoveryOpts);
    if (d.state === 'found' || d.state === 'not-installed' || Date.now() > deadline) return d;
    if (opts.signal?.aborted) throw new LabError('aborted', 'Cancelled.');
    await new Promise((r) => setTimeout(r, 500));
  }
}
