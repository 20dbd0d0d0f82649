import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';

export const KEY = 'sk-test-5ecret-DO-NOT-LOG-0123456789';

export interface KeyedServer {
  url: string;
  /** Every request: its path and Authorization header. */
  hits: { path: string; auth?: string }[];
  close: () => Promise<void>;
}

/**
 * An OpenAI-compatible server that answers only with `Authorization: Bearer <key>` (key undefined: no key needed,
 * every header still recorded): /v1/models, a streamed /v1/chat/completions, and /v1/embeddings. `host` is where
 * it listens (0.0.0.0 to be reached on the machine's LAN address, a "remote" endpoint that stays on the machine).
 */
export async function keyedServer(opts: { key?: string; host?: string } = {}): Promise<KeyedServer> {
  const key = 'key' in opts ? opts.key : KEY;
  const hits: { path: string; auth?: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push({ path: req.url ?? '', auth: req.headers.authorization });
    if (key !== undefined && req.headers.authorization !== `Bearer ${key}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'missing or wrong API key' } }));
      return;
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'remote-model', object: 'model' }] }));
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello from afar' } }] })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/embeddings') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const input: unknown[] = (JSON.parse(body || '{}') as { input?: unknown[] }).input ?? [];
        const data = input.map((_, index) => ({ object: 'embedding', index, embedding: [1, index % 3, 0.5] }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** This machine's first non-loopback IPv4 address, if it has one. */
export function lanAddress(): string | undefined {
  const { networkInterfaces } = require('os') as typeof import('os');
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
