import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The address coturn relays from: not the one clients reach it on, so a relayed path is visible. */
export const RELAY_IP = '127.0.0.2';

/** A real coturn (Debian's `turnserver`) on loopback, checking TURN REST credentials made with `secret`. */
export class Coturn {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly log: () => string,
  ) {}

  /** `turn:` URL of this server over UDP. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  static async start(secret: string): Promise<Coturn> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'coturn-'));
    const child = spawn(
      process.env.ICEBREAKER_TURNSERVER ?? 'turnserver',
      [
        '-n', // no config file
        '--listening-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--relay-ip=${RELAY_IP}`,
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=icebreaker.test',
        // Both peers' relays are on loopback: coturn refuses loopback peers unless told otherwise.
        '--allow-loopback-peers',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--fingerprint',
        '--log-file=stdout',
        '--simple-log',
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--userdb=${join(dir, 'turndb')}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout?.on('data', (chunk) => {
      log += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    const turn = new Coturn(child, dir, port, () => log);
    await turn.untilAnswering();
    return turn;
  }

  /** Sends STUN binding requests (RFC 8489 §6) until the server answers one. */
  private async untilAnswering(): Promise<void> {
    const socket = createSocket('udp4');
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        if (this.child.exitCode !== null) throw new Error(`turnserver exited ${this.child.exitCode}:\n${this.log()}`);
        const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
        socket.send(request, this.port, '127.0.0.1');
        const answer = await Promise.race([
          once(socket, 'message').then(([message]) => message as Buffer),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 100)),
        ]);
        if (answer && answer.readUInt16BE(0) === 0x0101) return;
      }
      throw new Error(`turnserver did not answer STUN:\n${this.log()}`);
    } finally {
      socket.close();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A port free for TCP and UDP on 127.0.0.1 (coturn listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    const udp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (ok) return port;
  }
}
