import { getIndexService } from './indexService';

/**
 * Runs a model generation with background indexing paused: the index build would otherwise take CPU from the
 * runtime on the same machine — and from what Compare and the playground measure. Ask holds the same gate itself.
 */
export async function whileGenerating<T>(work: () => Promise<T>): Promise<T> {
  const hold = getIndexService()?.holdForGeneration();
  try {
    return await work();
  } finally {
    hold?.dispose();
  }
}
