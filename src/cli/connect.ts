import { parseEndpointUrl } from '../core/runtime/endpoint';
import type { Endpoint } from '../core/runtime/types';
import { RuntimeConnection } from '../core/runtime/connection';
import type { GlobalOptions } from './main';
import type { CliIO } from './output';

/** The environment variable that holds the runtime endpoint's API key (a flag would land in the shell history). */
export const API_KEY_ENV = 'FOUNDRY_LAB_API_KEY';

/**
 * The CLI's runtime connection: --endpoint, then FOUNDRY_LOCAL_ENDPOINT, then the foundry CLI (core discovery).
 * The key in FOUNDRY_LAB_API_KEY goes, as a bearer token, to the runtime's origin only (the configured one, else the
 * discovered one) and is never printed. An endpoint that is not on this machine is named on stderr once, before the
 * first prompt or workspace text is sent to it.
 */
export function connect(global: GlobalOptions, io: CliIO): RuntimeConnection {
  const configured = global.endpoint ?? io.env.FOUNDRY_LOCAL_ENDPOINT;
  let keyOrigin = configured ? originOf(configured) : undefined;
  const conn = new RuntimeConnection(
    {
      endpoint: global.endpoint,
      endpointSource: global.endpoint ? 'flag' : undefined,
      env: io.env,
      foundryPath: global.foundryPath ?? io.env.FOUNDRY_LAB_FOUNDRY_PATH,
      signal: io.signal,
    },
    {
      onFound: (d) => {
        if (d.state !== 'found') return;
        keyOrigin ??= originOf(d.endpoint.serviceUrl);
        noteIfRemote(d.endpoint.serviceUrl, 'the runtime', io);
      },
    },
  );
  const key = io.env[API_KEY_ENV]?.trim();
  if (key) conn.setApiKeys((serviceUrl) => (keyOrigin && originOf(serviceUrl) === keyOrigin ? key : undefined));
  return conn;
}

const noted = new WeakMap<CliIO, Set<string>>();

/** Says on stderr, once per host and run, that text is about to leave the machine. */
export function noteIfRemote(url: string, what: string, io: CliIO): void {
  const e = endpointOf(url);
  if (!e || e.isLoopback) return; // an invalid URL fails with its own message when it is used
  const host = new URL(e.serviceUrl).host;
  const seen = noted.get(io) ?? new Set<string>();
  noted.set(io, seen);
  if (seen.has(host)) return;
  seen.add(host);
  io.stderr(`Note: ${what} at ${host} is not on this machine — prompts and workspace text are sent to it.\n`);
}

/** The endpoint a URL names, as discovery reads it (with or without a scheme or /v1); undefined when it is no URL. */
function endpointOf(url: string): Endpoint | undefined {
  try {
    return parseEndpointUrl(url, 'flag');
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  const e = endpointOf(url);
  return e && new URL(e.serviceUrl).origin;
}

export { RUNTIME_NAMES, SOURCE_NAMES } from '../core/runtime/names';

export const EMULATOR_NOTE = 'EMULATOR — answers come from the Foundry Local Lab test emulator, not from a model';
