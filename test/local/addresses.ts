import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

/** The first IPv4 address of this machine that other machines can reach it by, if it has one. */
export function firstNetworkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info !== undefined && !info.internal && info.family === 'IPv4')?.address;
}

export const NO_NETWORK_ADDRESS = 'this machine has no non-loopback IPv4 address to try a connection through';

/** Opens a TCP connection and closes it again: `connected`, or the error code of the refusal. */
export function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A loopback port free a moment ago: nothing listens on it (until something is started there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
