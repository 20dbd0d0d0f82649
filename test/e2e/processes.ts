import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import { createServer } from 'net';

/**
 * The servers the in-editor tests start (emulator, code-server), each in its own process group so that stopping it
 * also stops what it started (code-server's extension hosts, the language servers…). Nothing outlives the run.
 */
export class ProcessGroup {
  private readonly children: { name: string; child: ChildProcess }[] = [];
  /** Process ids started by others on our behalf (an emulator that the fake foundry CLI started). */
  private readonly extraPids = new Set<number>();

  spawn(name: string, command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { ...opts, detached: process.platform !== 'win32' });
    this.children.push({ name, child });
    return child;
  }

  adopt(pid: number): void {
    this.extraPids.add(pid);
  }

  /** SIGTERM to every group, then SIGKILL to what is still there after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.signalAll('SIGTERM');
    const end = Date.now() + graceMs;
    while (Date.now() < end && this.alive().length) await sleep(100);
    this.signalAll('SIGKILL');
  }

  /** The synchronous last resort (process 'exit', a second Ctrl-C): SIGKILL to everything now. */
  killAllNow(): void {
    this.signalAll('SIGKILL');
  }

  alive(): string[] {
    return this.children.filter(({ child }) => groupAlive(child.pid)).map(({ name }) => name);
  }

  private signalAll(signal: NodeJS.Signals): void {
    for (const { child } of this.children) {
      if (child.pid === undefined) continue;
      try {
        // The negative pid signals the whole group: the server and everything it spawned.
        process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
      } catch {
        /* already gone */
      }
    }
    for (const pid of this.extraPids) {
      try {
        process.kill(pid, signal);
      } catch {
        this.extraPids.delete(pid);
      }
    }
  }
}

function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The first line the child writes on stdout (the emulator prints its URL there), or an error when it exits first. */
export function firstLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`${what} printed nothing within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(undefined, buf.slice(0, nl).trim());
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`${what} exited (${code ?? signal}) before it printed its address`));
    const done = (err?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line!);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A free loopback port chosen by the OS, avoiding ranges other tools on this machine use. */
export async function freePort(avoid: (port: number) => boolean = () => false): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port && !avoid(port)) return port;
  }
  throw new Error('no free loopback port');
}

/** Polls `url` until it answers 2xx; fails early when `child` exits. */
export async function waitForHttp(url: string, child: ChildProcess, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) while starting`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
    await sleep(250);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
