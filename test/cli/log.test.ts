import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../packages/cli/src/log.js';

/** A stream that keeps what is written, posing as a terminal or a pipe. */
function output(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += chunk;
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe('the CLI log', () => {
  it('writes one JSON object per line to a pipe', () => {
    const out = output(false);
    const log = createLogger(out.stream, 'info');
    log.info({ event: 'join', room: 'demo', peer: 'p1' }, 'peer joined');
    log.debug({ event: 'connect' }, 'not at info');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, event: 'join', room: 'demo', peer: 'p1', msg: 'peer joined' });
  });

  it('writes short human lines to a terminal', () => {
    const out = output(true);
    const log = createLogger(out.stream, 'debug');
    log.warn({ event: 'rejected', reason: 'per-ip', address: '10.0.0.7' }, 'refused a WebSocket upgrade');
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d WARN {2}refused a WebSocket upgrade event=rejected reason=per-ip address=10\.0\.0\.7\n$/);
  });
});
