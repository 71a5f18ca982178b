import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The address coturn relays from: not the one clients reach it on, so a relayed path is visible. */
export const RELAY_IP = '127.0.0.2';

/** How to start a {@link Coturn}. */
export interface CoturnOptions {
  /** `static-auth-secret`: the server's `--turn-secret` if its credentials are to be accepted. */
  readonly secret: string;
  /**
   * Where it listens (UDP and TCP, and TLS with `tls`); default 127.0.0.1. A peer in a network
   * namespace needs the namespace's `hostAddress` (it cannot reach the host's loopback).
   */
  readonly listeningIps?: readonly string[];
  /** The address relayed traffic leaves from (default {@link RELAY_IP}): the relay candidates' address. */
  readonly relayIp?: string;
  /**
   * TURN over TLS (`turns:`) on this TCP port, with a self-signed certificate made for the first
   * listening address. 443 is what firewalls let through; bind it on a namespace's own host address so
   * that parallel suites do not collide.
   */
  readonly tlsPort?: number;
  /** Log each session and request (`user <…:peer id>: incoming packet ALLOCATE processed, success`), to tell who used it. */
  readonly verbose?: boolean;
}

const exec = promisify(execFile);

/**
 * A real coturn (Debian's `turnserver`), checking TURN REST credentials made with `secret`
 * (`use-auth-secret`). TURN over UDP and TCP share `port`; `tlsPort` adds TURNS.
 */
export class Coturn {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly log: () => string,
    /** The first listening address, the one the URLs name. */
    readonly host: string,
    readonly tlsPort: number | null,
  ) {}

  /** `turn:` URL of this server over UDP. */
  get url(): string {
    return `turn:${this.host}:${this.port}?transport=udp`;
  }

  /** `turn:` URL of this server over TCP (RFC 8656 §3.1: the client reaches the server over TCP, the relay is UDP). */
  get tcpUrl(): string {
    return `turn:${this.host}:${this.port}?transport=tcp`;
  }

  /** `turns:` URL (TURN over TLS over TCP); throws when started without `tlsPort`. */
  get tlsUrl(): string {
    if (this.tlsPort === null) throw new Error('this coturn was started without tlsPort');
    return `turns:${this.host}:${this.tlsPort}?transport=tcp`;
  }

  /** The self-signed certificate TURNS presents (PEM), for a client that must be told to trust it. */
  get certificatePath(): string {
    return join(this.dir, 'cert.pem');
  }

  /** Starts coturn and resolves once it answers STUN (and accepts TCP on `tlsPort`); a string is the secret. */
  static async start(options: string | CoturnOptions): Promise<Coturn> {
    const {
      secret,
      listeningIps = ['127.0.0.1'],
      relayIp = RELAY_IP,
      tlsPort,
      verbose = false,
    } = typeof options === 'string' ? { secret: options } : options;
    const host = listeningIps[0] ?? '127.0.0.1';
    const port = await freePort(host);
    const dir = await mkdtemp(join(tmpdir(), 'coturn-'));
    if (tlsPort !== undefined) await selfSignedCertificate(dir, host);
    const child = spawn(
      process.env.ICEBREAKER_TURNSERVER ?? 'turnserver',
      [
        '-n', // no config file
        ...listeningIps.map((ip) => `--listening-ip=${ip}`),
        `--listening-port=${port}`,
        `--relay-ip=${relayIp}`,
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=icebreaker.test',
        // Both peers' relays are on loopback: coturn refuses loopback peers unless told otherwise.
        '--allow-loopback-peers',
        '--no-cli',
        ...(tlsPort === undefined
          ? ['--no-tls']
          : [`--tls-listening-port=${tlsPort}`, `--cert=${join(dir, 'cert.pem')}`, `--pkey=${join(dir, 'key.pem')}`]),
        '--no-dtls',
        '--fingerprint',
        '--log-file=stdout',
        '--simple-log',
        ...(verbose ? ['--verbose'] : []),
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
    const turn = new Coturn(child, dir, port, () => log, host, tlsPort ?? null);
    try {
      await turn.untilAnswering();
      if (tlsPort !== undefined) await turn.untilAccepting(tlsPort);
    } catch (error) {
      await turn.stop();
      throw error;
    }
    return turn;
  }

  /** Sends STUN binding requests (RFC 8489 §6) until the server answers one. */
  private async untilAnswering(): Promise<void> {
    const socket = createSocket('udp4');
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        if (this.child.exitCode !== null) throw new Error(`turnserver exited ${this.child.exitCode}:\n${this.log()}`);
        const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
        socket.send(request, this.port, this.host);
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

  /** Resolves once a TCP connection to `port` opens (coturn opens its TLS listener after its UDP one). */
  private async untilAccepting(port: number): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.child.exitCode !== null) throw new Error(`turnserver exited ${this.child.exitCode}:\n${this.log()}`);
      const socket = connect(port, this.host);
      const opened = await Promise.race([once(socket, 'connect').then(() => true), once(socket, 'error').then(() => false)]);
      socket.destroy();
      if (opened) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`turnserver does not accept TLS connections on ${this.host}:${port}:\n${this.log()}`);
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

/** A key and a self-signed certificate for `ip` (subjectAltName), made by openssl, in `dir`. */
async function selfSignedCertificate(dir: string, ip: string): Promise<void> {
  await exec('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${ip}`,
    '-addext',
    `subjectAltName=IP:${ip}`,
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
}

/** A port free for TCP and UDP on `host` (coturn listens on both). */
async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const server = createServer().listen(0, host);
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    const udp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    udp.close();
    if (ok) return port;
  }
}
