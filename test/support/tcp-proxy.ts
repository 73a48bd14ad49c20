import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * How the proxy treats traffic from now on: `pass` forwards both ways at once; `delayMs` holds
 * every chunk of an answer that long (a DynamoDB that answers late); `hang` forwards nothing
 * and answers nothing on open or new connections (a paused DynamoDB: the kernel still accepts).
 */
export type ProxyMode = 'pass' | 'hang' | { delayMs: number };

export interface TcpProxy {
  /** e.g. `http://127.0.0.1:41234`, for the service's DYNAMODB_ENDPOINT. */
  endpoint: string;
  mode: ProxyMode;
  /** Closes every connection and stops listening: to its clients, the target went away. */
  cut(): Promise<void>;
  /** Listens again on the same port, forwarding to `targetPort`. */
  resume(targetPort: number): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `targetPort` (DynamoDB Local), for fault tests. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const proxy: TcpProxy = {
    endpoint: '',
    mode: 'pass',
    cut: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    resume: async (targetPort) => {
      target = targetPort;
      await listen(port);
    },
    close: () => proxy.cut(),
  };

  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect(target, '127.0.0.1');
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (proxy.mode !== 'hang') upstream.write(chunk);
    });
    // Answers leave in order, each no earlier than the mode's delay after it arrived.
    let lastDue = 0;
    upstream.on('data', (chunk) => {
      const mode = proxy.mode;
      if (mode === 'hang') return;
      const due = Math.max(lastDue, Date.now() + (mode === 'pass' ? 0 : mode.delayMs));
      lastDue = due;
      if (due <= Date.now()) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), due - Date.now());
    });
  });
  const listen = (at: number) =>
    new Promise<number>((done, fail) => {
      server.once('error', fail);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', fail);
        const address = server.address();
        done(typeof address === 'object' && address ? address.port : at);
      });
    });
  const port = await listen(0);
  proxy.endpoint = `http://127.0.0.1:${port}`;
  return proxy;
}
