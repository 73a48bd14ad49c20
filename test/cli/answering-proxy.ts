import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/**
 * What the proxy does with one request: pass it on, pass it on and drop the connection before
 * the answer, never answer, or answer in the service's place.
 */
export type ProxyAnswer =
  'forward' | 'forward-then-drop' | 'hang' | { status: number; headers?: Record<string, string>; body: unknown };

export type StartProxy = (decide: (req: IncomingMessage) => Promise<ProxyAnswer>) => Promise<{ url: string }>;

/**
 * Proxies in front of the service at `target()` (read when a request comes, so it may be the
 * harness's URL, known only once it has started), all closed after the test file.
 */
export function useAnsweringProxies(target: () => string): StartProxy {
  const proxies: Server[] = [];
  afterAll(async () => {
    for (const p of proxies) p.closeAllConnections();
    await Promise.all(proxies.map((p) => new Promise((done) => p.close(done))));
  });
  return async (decide) => {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await decide(req);
      if (answer === 'hang') return;
      if (typeof answer === 'object') {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
      ) as Record<string, string>;
      const upstream = await fetch(target() + req.url, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const text = await upstream.text();
      if (answer === 'forward-then-drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(text);
    });
    proxies.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
}
