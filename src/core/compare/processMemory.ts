import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * Resident memory of the runtime's process, where the OS lets us read it: /proc on Linux, `ps` on macOS,
 * `tasklist` on Windows. Undefined otherwise (the result then says "n/a" — never a guess).
 */
export async function readProcessRssMb(pid: number, platform: NodeJS.Platform = process.platform): Promise<number | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    if (platform === 'linux') {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return m ? Number(m[1]) / 1024 : undefined;
    }
    if (platform === 'darwin') {
      const out = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
      const kb = Number(out.trim());
      return Number.isFinite(kb) && kb > 0 ? kb / 1024 : undefined;
    }
    if (platform === 'win32') {
      const out = await run('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH']);
      const m = /"([\d.,\s]+)\s*K"\s*$/m.exec(out.trim());
      return m ? Number(m[1].replace(/[.,\s]/g, '')) / 1024 : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, { timeout: 5000, windowsHide: true }, (e, stdout) => (e ? reject(e) : resolve(stdout))));
}
