import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy in front of one service (PostgreSQL, a broker) that a test can cut and restore: `cut()` drops every
 * open connection and refuses new ones, as a restarting server does; `restore()` accepts again. Only the process
 * under test goes through it, so the shared service itself is never disturbed.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private listenPort = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.target.port, this.target.host, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        this.listenPort = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  }

  /** Drops every connection and stops listening: clients see resets, then connection refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.listenPort);
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
