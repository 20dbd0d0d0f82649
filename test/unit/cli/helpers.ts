import { spawn } from 'child_process';
import { join } from 'path';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

/** Runs the real CLI entry point in its own process, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, opts: { timeoutMs?: number; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FOUNDRY_LAB_FOUNDRY_PATH: '/nonexistent/foundry', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
