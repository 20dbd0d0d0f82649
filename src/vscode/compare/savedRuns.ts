/**
 * Comparison runs kept on disk (the extension's global storage): one exported JSON file per run, plus a small index
 * so the list shows without reading every run. The index is rebuilt from the files when it is missing or damaged.
 * Operations run one at a time. No VS Code API (unit-tested on a temporary folder).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromJson, toJson } from '../../core/compare/exporters';
import type { ComparisonRun } from '../../core/compare/types';
import type { Logger } from '../../core/log';
import type { SavedRunView } from '../../protocol';
import { savedRunView } from './compareView';

export const DEFAULT_SAVED_RUNS_CAP = 50;
const INDEX = 'index.json';

/** A key that sorts by start time and is safe as a file name (and passes the protocol's check). */
export function storeKey(run: Pick<ComparisonRun, 'startedAt' | 'id'>): string {
  const when = run.startedAt.replace(/[^0-9TZ]/g, '').slice(0, 20) || 'unknown';
  const id = run.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'run';
  return `${when}-${id}`;
}

export class SavedRunStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly log?: Logger,
    readonly cap = DEFAULT_SAVED_RUNS_CAP,
  ) {}

  /** Saves (or replaces) a run; the oldest beyond the cap are deleted. Returns its key. */
  save(run: ComparisonRun): Promise<string> {
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true });
      const key = storeKey(run);
      await writeAtomic(this.file(key), toJson(run));
      const index = (await this.readIndex()).filter((e) => e.key !== key);
      index.push(savedRunView(key, run));
      index.sort((a, b) => b.key.localeCompare(a.key));
      for (const old of index.splice(this.cap)) {
        await rm(this.file(old.key), { force: true });
        this.log?.info(`Compare: deleted the saved run ${old.key} (more than ${this.cap} kept)`);
      }
      await this.writeIndex(index);
      return key;
    });
  }

  /** Newest first. */
  list(): Promise<SavedRunView[]> {
    return this.serial(() => this.readIndex());
  }

  load(key: string): Promise<ComparisonRun> {
    return this.serial(async () => fromJson(await readFile(this.file(key), 'utf8')));
  }

  delete(key: string): Promise<void> {
    return this.serial(async () => {
      await rm(this.file(key), { force: true });
      await this.writeIndex((await this.readIndex()).filter((e) => e.key !== key));
    });
  }

  private file(key: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(key) || key.startsWith('.')) throw new Error(`Not a saved run key: ${key}`);
    return join(this.dir, `${key}.json`);
  }

  private async readIndex(): Promise<SavedRunView[]> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, INDEX), 'utf8'));
      if (Array.isArray(parsed) && parsed.every((e) => e && typeof e.key === 'string' && typeof e.title === 'string')) return parsed;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log?.warn(`Compare: the saved runs' index is damaged; rebuilding it (${(e as Error).message})`);
    }
    return this.rebuildIndex();
  }

  private async rebuildIndex(): Promise<SavedRunView[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && n !== INDEX);
    } catch {
      return [];
    }
    const index: SavedRunView[] = [];
    for (const name of names) {
      const key = name.slice(0, -'.json'.length);
      try {
        index.push(savedRunView(key, fromJson(await readFile(join(this.dir, name), 'utf8'))));
      } catch (e) {
        this.log?.warn(`Compare: skipped ${name} in the saved runs: ${(e as Error).message}`);
      }
    }
    index.sort((a, b) => b.key.localeCompare(a.key));
    if (names.length) await this.writeIndex(index);
    return index;
  }

  private async writeIndex(index: SavedRunView[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeAtomic(join(this.dir, INDEX), JSON.stringify(index, null, 1));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Write then rename: a crash never leaves half a file where a whole one was. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}
