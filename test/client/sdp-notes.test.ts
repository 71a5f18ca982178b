import { describe, expect, it } from 'vitest';
import { annotateSdp } from '../../packages/web/src/sdp-notes.js';

// An offer as Chromium writes it for one data channel (trimmed).
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:U4PF',
  'a=ice-pwd:Qp0Kkq3N0w0ZbHfsbq1b2GXk',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 12:34',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

describe('annotateSdp', () => {
  it('splits the session part from the data-channel section and marks it', () => {
    const sections = annotateSdp(OFFER);
    expect(sections.map((s) => [s.title, s.dataChannel, s.lines.length])).toEqual([
      ['Session', false, 6],
      ['Data channel', true, 10],
    ]);
  });

  it('explains the lines that matter to a data channel', () => {
    const lines = annotateSdp(OFFER).flatMap((s) => s.lines);
    const note = (prefix: string) => lines.find((l) => l.text.startsWith(prefix))?.note;
    expect(note('a=ice-ufrag')).toContain('ICE username');
    expect(note('a=fingerprint')).toContain('DTLS certificate');
    expect(note('a=sctp-port')).toContain('SCTP');
    expect(note('m=application')).toContain('data-channel');
    expect(note('s=-')).toBeUndefined();
  });

  it('names media sections by kind', () => {
    expect(annotateSdp('v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:0\n').map((s) => s.title)).toEqual(['Session', 'Media (audio)']);
  });
});
