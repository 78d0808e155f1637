import { createServer, type Socket } from 'node:net';

/** A TCP port that accepts connections and never says a word: counts who knocked. */
export interface SilentListener {
  readonly address: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

/** Listens on address:port (port 0: any free port) and holds every connection open, silent. */
export function listenSilently(address: string, port = 0): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((sock) => {
    count++;
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      const bound = server.address();
      if (!bound || typeof bound === 'string') {
        reject(new Error('silent listener: no TCP address'));
        return;
      }
      resolve({
        address,
        port: bound.port,
        connections: () => count,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
