import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type IsolatedNetwork, isolatedNetwork, type NetworkFilter } from '../helpers/netns.js';

/**
 * Run inside the namespace: sends one UDP datagram, then opens TCP connections, each to its port of
 * the host; prints what happened to each connection (`connected`, `refused` or `dropped`: no answer in 2 s).
 */
const PROBE = `
const [host, udpPort, ...tcpPorts] = process.argv.slice(1);
const dgram = require('node:dgram');
const net = require('node:net');
const udp = dgram.createSocket('udp4');
udp.send('datagram', Number(udpPort), host, async (error) => {
  udp.close();
  const results = [error ? 'udp ' + error.code : 'udp sent'];
  for (const port of tcpPorts) {
    results.push(await new Promise((resolve) => {
      const socket = net.connect({ host, port: Number(port), timeout: 2000 });
      socket.once('connect', () => socket.end('stream', () => resolve('connected')));
      socket.once('timeout', () => { socket.destroy(); resolve('dropped'); });
      socket.once('error', (e) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : e.code));
    }));
  }
  console.log(JSON.stringify(results));
});`;

describe('isolatedNetwork: a namespace on a veth pair, filtered by nftables inside it', () => {
  let net: IsolatedNetwork | null = null;
  let udp: Socket | null = null;
  const servers: Server[] = [];

  afterEach(async () => {
    udp?.close();
    for (const server of servers.splice(0)) server.close();
    await net?.close();
    [net, udp] = [null, null];
  });

  /** A UDP socket and two TCP servers on the host's end; what arrived at each. */
  async function listeners(host: string) {
    udp = createSocket('udp4');
    const datagrams: string[] = [];
    udp.on('message', (message) => datagrams.push(String(message)));
    udp.bind(0, host);
    await once(udp, 'listening');
    const streams: string[] = [];
    const tcp = async () => {
      const server = createServer((socket) => socket.on('data', (data) => streams.push(String(data)))).listen(0, host);
      servers.push(server);
      await once(server, 'listening');
      return (server.address() as { port: number }).port;
    };
    return { udpPort: udp.address().port, allowed: await tcp(), other: await tcp(), datagrams, streams };
  }

  /** Runs {@link PROBE} in the namespace, to the host's end (`ports`: the UDP one, then TCP ones); resolves with its results. */
  async function probe(network: IsolatedNetwork, ports: number[]): Promise<string[]> {
    const child = network.spawn(process.execPath, ['-e', PROBE, network.hostAddress, ...ports.map(String)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    await once(child, 'exit');
    return JSON.parse(out) as string[];
  }

  it.each<[string, NetworkFilter, string[], string[]]>([
    ['no filter', {}, ['udp sent', 'connected', 'connected'], ['datagram']],
    // A datagram dropped on the namespace's output hook fails at once with EPERM: what a local
    // firewall does (one on the path would drop it silently; either way nothing arrives).
    ['dropUdp', { dropUdp: true }, ['udp EPERM', 'connected', 'connected'], []],
  ])('with %s, delivers what it should', async (_name, filter, results, datagrams) => {
    net = await isolatedNetwork(filter);
    const host = await listeners(net.hostAddress);
    expect(await probe(net, [host.udpPort, host.allowed, host.other])).toEqual(results);
    // The datagram went out before the TCP connections: had it passed, it would be here by now.
    expect(host.datagrams).toEqual(datagrams);
  });

  it('with onlyTcpTo, lets through TCP to those ports of the host and drops the rest', async () => {
    net = await isolatedNetwork();
    const host = await listeners(net.hostAddress);
    await net.restrict({ onlyTcpTo: [host.allowed] });
    expect(await probe(net, [host.udpPort, host.allowed, host.other])).toEqual(['udp EPERM', 'connected', 'dropped']);
    expect(host.datagrams).toEqual([]);
    // Reading 'stream' once proves the allowed connection carried data; the other never connected.
    expect(host.streams).toEqual(['stream']);
  });

  it('cannot reach the host on 127.0.0.1: that is the namespace’s own loopback', async () => {
    net = await isolatedNetwork();
    const child = net.spawn(process.execPath, ['-e', PROBE, '127.0.0.1', '9', '9'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    await once(child, 'exit');
    expect(JSON.parse(out)).toEqual(['udp sent', 'refused']);
  });

  it('removes the namespace, the veth pair and its lock on close, and after a setup that failed', async () => {
    const network = await isolatedNetwork();
    const n = network.hostAddress.split('.')[2];
    expect(namespaces()).toContain(network.name);
    expect(readFileSync(`/run/icebreaker-netns/${n}`, 'utf8')).toBe(String(process.pid));
    await network.close();
    expect(namespaces()).not.toContain(network.name);
    expect(() => execFileSync('ip', ['link', 'show', `ib-h-${n}`], { stdio: 'pipe' })).toThrow(/does not exist/);
    expect(existsSync(`/run/icebreaker-netns/${n}`)).toBe(false);
    await network.close();

    const before = namespaces();
    // A port nft refuses: setup fails after the namespace and the veth were made.
    await expect(isolatedNetwork({ onlyTcpTo: [70_000] })).rejects.toThrow(/nft -f in icebreaker-\d+ exited 1/);
    expect(namespaces()).toEqual(before);
    expect(myLocks()).toEqual([]);
  });
});

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] as string)
    .filter((name) => name.startsWith('icebreaker-'))
    .sort();
}

function myLocks(): string[] {
  return readdirSync('/run/icebreaker-netns').filter((n) => readFileSync(`/run/icebreaker-netns/${n}`, 'utf8') === String(process.pid));
}
