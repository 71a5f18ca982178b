import { connect } from '@icebreaker/client';
import { codeRoom, createInvite, fragmentInvite, isCode, readInvite } from '@icebreaker/client/pairing';
import { describe, expect, it } from 'vitest';

// Outsider tests of issue 13: links and codes as users mistype them, and `secret` values of every
// wrong type. Each is refused with a TypeError that says what is wrong and never repeats a key.

const invite = createInvite('http://localhost:8080/');
const { secret } = invite;
const other = createInvite('http://localhost:8080/').secret;

/** The message `run` throws (it must throw a TypeError). */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

describe('a link where a code was expected', () => {
  it.each([
    ['the whole link', invite.link],
    ['a link with a typo in its scheme', invite.link.replace('http:', 'htp:')],
    ['the fragment alone', `#room=${invite.room}&key=${secret}`],
    ['the key alone', secret],
  ])('codeRoom(%s) does not repeat the key', (_what, text) => {
    expect(isCode(text)).toBe(false);
    expect(failure(() => codeRoom(text))).not.toContain(secret.slice(0, 6));
  });

  it('codeRoom still echoes a mistyped code, which helps', () => {
    expect(failure(() => codeRoom('7-tiger-hurican'))).toContain('7-tiger-hurican');
  });
});

describe('links that say two things', () => {
  it.each([
    ['two keys', `http://x/#room=a&key=${secret}&key=${other}`],
    ['two rooms', `http://x/#room=a&room=b&key=${secret}`],
  ])('%s: refused, not one of them picked in silence', (_what, link) => {
    const message = failure(() => readInvite(link));
    expect(message).toMatch(/more than one|two/);
    expect(message).not.toContain(secret.slice(0, 6));
    expect(message).not.toContain(other.slice(0, 6));
  });

  it('upper-case words, spaces and unicode', () => {
    expect(codeRoom('  7 TIGER hurricane ')).toBe('c-7-tiger-hurricane');
    expect(isCode('7-tigér-hurricane')).toBe(false);
    expect(failure(() => readInvite(`http://x/#room=ä&key=${secret}`))).toMatch(/room/);
    expect(failure(() => readInvite(`http://x/#room=a&key=${secret.replace(/^./, 'é')}`))).toMatch(/key/);
    expect(failure(() => readInvite(`http://x/#room=a&key=${'A'.repeat(1_000_000)}`))).toMatch(/key/);
  });
});

describe("connect's secret option", () => {
  it.each([
    ['a number', 12345],
    ['an array holding the key', [secret]],
    ['an object holding the key', { secret }],
    ['a String object', new String(secret)],
    ['bytes', new TextEncoder().encode(secret)],
    ['null', null],
    ['an empty string', ''],
    ['the key with padding', `${secret}==`],
    ['the whole link', invite.link],
    ['the key with a space', ` ${secret}`],
  ])('%s: a TypeError naming options.secret, without the key', async (_what, value) => {
    const error: unknown = await connect('ws://127.0.0.1:9/ws', { room: 'r', secret: value as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^options\.secret/);
    expect((error as Error).message).not.toContain(secret.slice(0, 6));
  });

  it('fragmentInvite of a hash without room or key is nothing, not an error', () => {
    expect(fragmentInvite('#mode=auto')).toBeNull();
  });
});
