import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer for cluster tests, as a deployment would have one: each connection goes to the
 * first backend that accepts it, in the order given, so a dead node is skipped. No stickiness.
 */
export class Balancer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly backends: number[],
  ) {}

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** The signaling endpoint through the balancer. */
  get signalingUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  static async start(backends: number[]): Promise<Balancer> {
    const server = createServer();
    const balancer = new Balancer(server, backends);
    server.on('connection', (client) => balancer.route(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return balancer;
  }

  private async route(client: Socket): Promise<void> {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => {});
    client.pause();
    for (const port of this.backends) {
      const upstream = connect(port, '127.0.0.1');
      const ok = await new Promise<boolean>((resolve) => {
        upstream.once('connect', () => resolve(true));
        upstream.once('error', () => resolve(false));
      });
      if (!ok) continue;
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => {});
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
      return;
    }
    client.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }
}
