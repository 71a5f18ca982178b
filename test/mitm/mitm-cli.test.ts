import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, cliSuite, waitFor } from '../cli/peer-process.js';
import { fileSink, randomFile, sha256OfFile } from '../helpers/files.js';
import { nodePeer } from '../helpers/peers.js';
import { Mitm } from './mitm.js';

// `icebreaker peer` (the built CLI: `npm run build` first) through the harness, as the CLI's tests use it.
describe('icebreaker peer through a swapping man in the middle', () => {
  const t = cliSuite();
  let mitm: Mitm | undefined;
  // Registered after cliSuite's, so it runs before the server closes.
  afterEach(async () => {
    await mitm?.stop();
  });

  it('sends a file to a Node peer: bytes intact, exit 0, and every byte went through his hands', async () => {
    const started = await Mitm.start(t.h.server.url, 'swap');
    mitm = started;
    const source = join(t.files.dir, 'secret-report.bin');
    const size = 5 * 1024 * 1024 + 3;
    const digest = await randomFile(source, size);
    const terminal = cli([started.url, '--room', 'cli-swap', '--send', source]);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(started.signalingUrl, 'cli-swap');
    t.sessions.push(node);
    const target = join(t.files.dir, 'received.bin');
    const arrived = new Promise<unknown>((resolve) =>
      node.on('transfer', (_p, transfer) => {
        transfer.accept(fileSink(target));
        resolve(transfer.done);
      }),
    );
    await arrived;
    expect(await terminal.exit).toBe(0);
    expect(await sha256OfFile(target)).toBe(digest);
    const fileBytes = started.lines.filter((line) => line.label === 'icebreaker-file' && typeof line.readBinary === 'number');
    expect(fileBytes.reduce((sum, line) => sum + (line.readBinary as number), 0)).toBeGreaterThanOrEqual(size);
    expect(started.lines.filter((line) => line.error !== undefined)).toEqual([]);
  });
});
