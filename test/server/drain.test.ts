import { once } from 'node:events';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerProcess } from '../helpers/server-process.js';
import { TestSocket } from '../helpers/socket.js';

// Found by an outsider: close() during a drain, like Ctrl+C after SIGTERM, waited out the whole drain.
describe('close() during a drain', () => {
  let server: IcebreakerServer | undefined;
  afterEach(() => server?.close());

  it('ends the wait at once: the clients left get 1001 and both promises resolve, long before the drain timeout', async () => {
    server = await startServer({ port: 0, iceServers: [], drainTimeoutMs: 20_000 });
    const client = await TestSocket.open(server.signalingUrl);
    await client.join('stays');
    const started = performance.now();
    const drained = server.drain();
    expect((await client.next()).type).toBe('going-away');
    const closed = server.close();
    await Promise.all([drained, closed]);
    expect((await client.closed).code).toBe(1001);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('icebreaker serve, Ctrl+C during the SIGTERM drain', () => {
  it('closes what is left at once and exits 0', async () => {
    const server = await ServerProcess.start(['--drain-timeout', '20s']);
    try {
      const client = await TestSocket.open(server.signalingUrl);
      await client.join('stays');
      const started = performance.now();
      const exited = once(server.child, 'exit');
      server.child.kill('SIGTERM');
      expect((await client.next()).type).toBe('going-away');
      server.child.kill('SIGINT');
      expect((await client.closed).code).toBe(1001);
      expect((await exited)[0]).toBe(0);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await server.kill();
    }
  });
});
