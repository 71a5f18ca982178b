import { createInvite } from '@icebreaker/client/pairing';
import { describe, expect, it } from 'vitest';
import { type MeetingFlags, meeting } from '../../packages/cli/src/meeting.js';

// Outsider tests of issue 13: what `icebreaker peer --receive` says about text that is not a link or a
// code must not repeat a key pasted without its link around it (stderr ends up in logs and terminals
// others see). The whole link is cut at its `#` already; these are the other ways a key comes in.

const { link, room, secret } = createInvite('http://127.0.0.1:8080/');
const flags = (receive: string): MeetingFlags => ({
  address: 'http://127.0.0.1:8080/',
  room: undefined,
  receive,
  into: undefined,
  code: false,
  sending: false,
});

describe('--receive with a key outside a link', () => {
  it.each([
    ['the fragment without its #', `room=${room}&key=${secret}`],
    ['the key alone', secret],
    ['the link with its # lost in a chat app', link.replace('#', '%23').replace(/^http:\/\//, '')],
    ['a number, then the key', `12-${secret}`],
  ])('%s: a usage error that does not repeat the key', (_what, receive) => {
    let message = '';
    try {
      meeting(flags(receive));
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--receive/);
    expect(message).not.toContain(secret.slice(0, 8));
  });
});
