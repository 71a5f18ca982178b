import { codeRoom, createCode, createInvite } from '@icebreaker/client/pairing';
import fc from 'fast-check';
import { renderUnicodeCompact } from 'uqr';
import { describe, expect, it } from 'vitest';
import { inviteBanner } from '../../packages/cli/src/invite-banner.js';
import { type MeetingFlags, meeting, pageOf } from '../../packages/cli/src/meeting.js';
import { safetyText } from '../../packages/cli/src/safety-line.js';
import { signalingUrl } from '../../packages/cli/src/signaling-url.js';

const flags = (given: Partial<MeetingFlags>): MeetingFlags => ({
  address: undefined,
  room: undefined,
  receive: undefined,
  into: undefined,
  code: false,
  sending: false,
  ...given,
});

describe('meeting: where icebreaker peer meets the other side', () => {
  it('--room: that room on the given server, --receive the folder', () => {
    expect(meeting(flags({ address: 'http://h:1/', room: 'r', receive: './in' }))).toEqual({
      endpoint: 'ws://h:1/ws',
      room: 'r',
      inbox: './in',
    });
  });

  it('--send without --room: a link to the server page whose room and secret the meeting uses', () => {
    const made = meeting(flags({ address: 'wss://example.org/ws', sending: true }));
    const link = 'link' in (made.made ?? {}) ? (made.made as { link: string }).link : '';
    expect(link).toBe(`https://example.org/#room=${made.room}&key=${made.secret}`);
    expect(made.endpoint).toBe('wss://example.org/ws');
    expect(made.secret).toMatch(/^[\w-]{22}$/);
    // Read back on the other side: the same server, room and secret, into the folder given.
    expect(meeting(flags({ receive: link, into: '/tmp' }))).toEqual({
      endpoint: 'wss://example.org/ws',
      room: made.room,
      secret: made.secret,
      inbox: '/tmp',
    });
  });

  it('--code: a code room and no secret; the receiver needs the server address and saves into . by default', () => {
    const made = meeting(flags({ address: 'http://h:1/', sending: true, code: true }));
    expect(made.secret).toBeUndefined();
    const code = (made.made as { code: string }).code;
    expect(made.room).toBe(codeRoom(code));
    expect(meeting(flags({ address: 'http://h:1/', receive: code.toUpperCase() }))).toEqual({
      endpoint: 'ws://h:1/ws',
      room: made.room,
      inbox: '.',
    });
  });

  it('the page of an endpoint is its http(s) origin', () => {
    expect(pageOf('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080/');
    expect(pageOf('wss://example.org/some/ws')).toBe('https://example.org/');
  });

  it('a link pasted as the server address loses its fragment: the secret never reaches the server', () => {
    const { link, secret } = createInvite('http://h:1/');
    expect(signalingUrl(link)).toBe('ws://h:1/ws');
    expect(signalingUrl(link)).not.toContain(secret);
  });

  it('any --receive text gives a meeting or a TypeError, and no message repeats the secret of a link', () => {
    const secret = 'S3cr3tS3cr3tS3cr3tS3cr';
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (before, after, withAddress) => {
        const text = `${before}${secret}${after}`;
        for (const receive of [`http://h/#room=r&key=${text}`, `http://h/#${text}`, `h/#room=r&key=${text}`, `7-#${text}`]) {
          try {
            meeting(flags({ receive, ...(withAddress ? { address: 'http://h:1/' } : {}) }));
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
            expect((error as Error).message).not.toContain(secret);
          }
        }
        // Text that is not a link at all is named in the message (up to 80 characters), or fails as a TypeError.
        expect(() => meeting(flags({ receive: before }))).toThrow(TypeError);
      }),
    );
  });
});

describe('what the terminal shows', () => {
  it('a link: the link, its QR code and the command for the other side', () => {
    const { link } = createInvite('http://127.0.0.1:8080/');
    const banner = inviteBanner({ link }, 'http://127.0.0.1:8080/');
    expect(banner).toContain(`\n  ${link}\n`);
    expect(banner).toContain(renderUnicodeCompact(link, { border: 2 }));
    expect(banner).toContain(`\nor run: icebreaker peer --receive '${link}'\n`);
    expect(
      banner.endsWith('icebreaker peer --receive - and paste the link: a command line is readable by every user of the machine)\n'),
    ).toBe(true);
  });

  it('a code: the command to type, and that the numbers are the check', () => {
    const code = createCode();
    const banner = inviteBanner({ code }, 'http://127.0.0.1:8080/');
    expect(banner).toContain(`icebreaker peer http://127.0.0.1:8080/ --receive ${code}\n`);
    expect(banner).toContain('compare the safety numbers');
  });

  it('a safety number: digits, six words, whether the peer proved the link, and a mismatch loudly', () => {
    const number = {
      digits: '01234 56789 01234 56789',
      bytes: new Uint8Array(32),
      local: 'sha-256 AA',
      remote: 'sha-256 BB',
      checked: 'handshake',
    } as const;
    expect(safetyText(number, false)).toBe(
      'safety number 01234 56789 01234 56789 (aardvark adroitness aardvark adroitness aardvark adroitness) — compare it with the other side',
    );
    expect(safetyText(number, true)).toMatch(/; the other side also proved it holds the link$/);
    expect(safetyText({ ...number, checked: 'mismatch' }, false)).toMatch(/WARNING: the DTLS handshake used another certificate/);
  });
});
