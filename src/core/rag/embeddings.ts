/**
 * Optional semantic re-ranking: when the user configures an OpenAI-compatible `/v1/embeddings` endpoint, the lexical
 * ranking's best candidates are embedded with the question and the two orders are fused (reciprocal rank fusion).
 * Lexical stays the backbone: only its candidates are re-ranked, so a weak embedding model cannot pull in chunks
 * that share nothing with the question, and no vectors of the whole workspace are ever computed or stored.
 */
import { createHash } from 'crypto';
import { parseEndpointUrl } from '../runtime/endpoint';
import { LabError } from '../runtime/errors';
import { requestJson } from '../runtime/http';
import type { AskSourceRef } from './ask';

export interface EmbeddingsConfig {
  /** Base URL of the server, with or without /v1. */
  endpoint: string;
  model: string;
  timeoutMs?: number;
  /** The endpoint's API key, sent as a bearer token to it only. */
  apiKey?: string;
}

/** RRF's constant: 60 is the value of the original paper and of most search engines' defaults. */
const RRF_K = 60;
/** How many lexical candidates are re-ranked for each chunk asked for. */
const CANDIDATES_PER_RESULT = 4;
const MAX_CACHE = 5000;

export class EmbeddingReranker {
  private readonly cache = new Map<string, number[]>();
  private readonly url: string;

  constructor(private readonly config: EmbeddingsConfig) {
    this.url = `${parseEndpointUrl(config.endpoint, 'setting').openaiBaseUrl}/embeddings`;
  }

  /**
   * Wraps a lexical retriever: asks it for more candidates, then returns the fused top K. When the embeddings
   * endpoint fails, the lexical ranking is used and onError says why: an answer is worth more than the re-ranking.
   */
  wrap(
    retrieve: (q: string, o: { topK: number; signal?: AbortSignal }) => Promise<AskSourceRef[]>,
    readText: (ref: AskSourceRef) => Promise<string>,
    onError?: (e: LabError) => void,
  ): (q: string, o: { topK: number; signal?: AbortSignal }) => Promise<AskSourceRef[]> {
    return async (q, o) => {
      const candidates = await retrieve(q, { ...o, topK: Math.max(o.topK * CANDIDATES_PER_RESULT, 20) });
      if (candidates.length <= 1) return candidates.slice(0, o.topK);
      try {
        const texts = await Promise.all(candidates.map((c) => readText(c).catch(() => '')));
        const [qv, ...cv] = await this.embed([q, ...texts], o.signal);
        const semantic = cv.map((v, i) => ({ i, sim: cosine(qv, v) })).sort((a, b) => b.sim - a.sim || a.i - b.i);
        return fuse(candidates, semantic.map((s) => s.i)).slice(0, o.topK);
      } catch (e) {
        if (o.signal?.aborted) throw e;
        onError?.(e instanceof LabError ? e : new LabError('server-error', (e as Error)?.message ?? String(e)));
        return candidates.slice(0, o.topK);
      }
    };
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const keys = texts.map((t) => createHash('sha1').update(t).digest('hex'));
    const missing = [...new Set(keys.filter((k) => !this.cache.has(k)))];
    if (missing.length) {
      const input = missing.map((k) => texts[keys.indexOf(k)]);
      const { data } = await requestJson<{ data?: Array<{ index?: number; embedding?: unknown }> }>(this.url, {
        method: 'POST',
        body: { model: this.config.model, input },
        signal,
        timeoutMs: this.config.timeoutMs ?? 60000,
        model: this.config.model,
        apiKey: this.config.apiKey,
      });
      const rows = Array.isArray(data?.data) ? data.data : [];
      if (rows.length !== input.length) throw new LabError('malformed-stream', `The embeddings endpoint answered ${rows.length} vectors for ${input.length} texts.`);
      rows.forEach((row, j) => {
        const v = row.embedding;
        if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          throw new LabError('malformed-stream', 'The embeddings endpoint answered something that is not a vector of numbers.');
        }
        if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(missing[typeof row.index === 'number' ? row.index : j], v as number[]);
      });
    }
    return keys.map((k) => this.cache.get(k)!);
  }
}

/** Reciprocal rank fusion of the lexical order (the candidates' order) and a semantic order (indexes into it). */
export function fuse(candidates: AskSourceRef[], semanticOrder: number[]): AskSourceRef[] {
  const score = candidates.map((_, i) => 1 / (RRF_K + i + 1));
  semanticOrder.forEach((ci, rank) => (score[ci] += 1 / (RRF_K + rank + 1)));
  return candidates
    .map((c, i) => ({ c: { ...c, score: Math.round(score[i] * 1e5) / 1e5 }, i }))
    .sort((a, b) => b.c.score - a.c.score || a.i - b.i)
    .map((x) => x.c);
}

export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new LabError('malformed-stream', `The embeddings endpoint answered vectors of different sizes (${a.length} and ${b.length}).`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
