import { execFile } from 'node:child_process';
import { LabError } from './errors';

/**
 * The `foundry` command line, used only to find (and start) the service. Output parsers are pure functions, tested
 * on the real CLIs' output. Two command families exist: `foundry service …` (≤ 0.8) and `foundry server …` (0.10+).
 */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runFoundry(
  foundryPath: string,
  args: string[],
  opts: { signal?: AbortSignal; timeoutMs?: number; /** Added to this process's environment. */ env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // A .cmd/.bat shim on Windows needs a shell; anything else runs without one (no quoting pitfalls). With a shell,
    // Node joins file and arguments with spaces, so the path (often under "Program Files") is quoted as well.
    const shell = process.platform === 'win32' && /\.(cmd|bat)$/i.test(foundryPath);
    const quote = (a: string) => `"${a.replace(/"/g, '')}"`;
    const child = execFile(
      shell ? quote(foundryPath) : foundryPath,
      shell ? args.map(quote) : args,
      { timeout: opts.timeoutMs ?? 15000, signal: opts.signal, windowsHide: true, shell, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, ...opts.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
        if (e && (e.code === 'ENOENT' || e.code === 'EACCES')) {
          return reject(new LabError('not-installed', `The foundry command was not found (${foundryPath}). Install Foundry Local, or set foundryLab.foundryPath / the endpoint.`, { cause: String(e.code) }));
        }
        if (e && e.name === 'AbortError') return reject(new LabError('aborted', 'Cancelled.'));
        if (e && e.killed) {
          const cmd = `${foundryPath} ${args.join(' ')}`;
          return reject(new LabError('timeout', `\`${cmd}\` did not finish in ${Math.round((opts.timeoutMs ?? 15000) / 1000)} s — run it in a terminal to see what it waits for, or set an endpoint.`));
        }
        resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

const URL_RE = /https?:\/\/(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\]|\d{1,3}(?:\.\d{1,3}){3}):\d+/;

const UNKNOWN_RE = /unknown command|unrecognized command|is not a valid command|Did you mean/i;

/** True when a CLI rejected a command family (`foundry server` on ≤ 0.8, `foundry service` on 0.10+), or failed without a URL. */
export function isUnknownCommand(r: CliResult): boolean {
  return saysUnknownCommand(r) || (r.code !== 0 && !URL_RE.test(r.stdout));
}

/** True only when the CLI says in words that it does not know the command (not for other failures). */
export function saysUnknownCommand(r: CliResult): boolean {
  return UNKNOWN_RE.test(r.stdout + r.stderr);
}

export interface ParsedStatus {
  /** What the CLI claims; verify by probing — both families have been seen to lie. */
  running: boolean;
  url?: string;
}

/** `foundry service status` (≤ 0.8): "🟢 Model management service is running on http://127.0.0.1:55064/openai/status". */
export function parseServiceStatus(output: string): ParsedStatus {
  if (/not running/i.test(output)) return { running: false };
  const m = URL_RE.exec(output);
  return m ? { running: true, url: m[0] } : { running: false };
}

/** `foundry server status -o json` (0.10+): status lines may precede the JSON; `webUrls[0]` is the service. */
export function parseServerStatusJson(output: string): ParsedStatus | undefined {
  const start = output.indexOf('{');
  if (start < 0) return undefined;
  const end = output.lastIndexOf('}');
  try {
    const obj = JSON.parse(output.slice(start, end + 1));
    const urls: unknown[] = Array.isArray(obj.webUrls) ? obj.webUrls : Array.isArray(obj.WebUrls) ? obj.WebUrls : Array.isArray(obj.endpoints) ? obj.endpoints : [];
    const url = urls.find((u): u is string => typeof u === 'string' && URL_RE.test(u));
    return { running: obj.running === true || obj.Running === true || (url !== undefined && obj.running === undefined), url: url ? URL_RE.exec(url)![0] : undefined };
  } catch {
    return undefined;
  }
}

/** `foundry server status` text (0.10+): a "Web URLs  http://127.0.0.1:62911" line. */
export function parseServerStatusText(output: string): ParsedStatus {
  const line = output.split(/\r?\n/).find((l) => /web\s*urls?/i.test(l) && URL_RE.test(l));
  if (line) return { running: true, url: URL_RE.exec(line)![0] };
  if (/stopped|not running/i.test(output)) return { running: false };
  const m = URL_RE.exec(output);
  return m ? { running: true, url: m[0] } : { running: false };
}

/** `foundry service start` / `foundry server start`: "Service is Started on http://…", "Server ready (http://…)". */
export function parseStartOutput(output: string): string | undefined {
  return URL_RE.exec(output)?.[0];
}
