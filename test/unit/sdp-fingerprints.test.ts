import { describe, expect, it } from 'vitest';
import { sdpFingerprints } from '../../packages/client/src/fingerprint.js';

// Outsider test of issue 13: every fingerprint line a stack may read must be in the list the proofs and
// the safety number cover (Firefox reads all of these; see test/e2e/trust-firefox-mitm.test.ts).

const HONEST = `sha-256 ${Array.from({ length: 32 }, () => '0A').join(':')}`;
const HIDDEN = Array.from({ length: 32 }, () => 'EE').join(':');
const sdp = (extra: string) =>
  `v=0\r\na=fingerprint:${HONEST}\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n${extra}\r\na=mid:0\r\n`;

describe('sdpFingerprints', () => {
  it('reads the honest line alone as before', () => {
    expect(sdpFingerprints(sdp('a=setup:actpass'))).toEqual([HONEST]);
  });

  it.each([
    ['a tab after the algorithm', `a=fingerprint:sha-256\t${HIDDEN}`],
    ['the attribute in capitals', `a=FINGERPRINT:sha-256 ${HIDDEN}`],
    ['a space after the colon', `a=fingerprint: sha-256 ${HIDDEN}`],
    ['two spaces', `a=fingerprint:sha-256  ${HIDDEN}`],
    ['lower-case hex', `a=fingerprint:sha-256 ${HIDDEN.toLowerCase()}`],
  ])('reads a line with %s', (_how, line) => {
    expect(sdpFingerprints(sdp(line))).toContain(`sha-256 ${HIDDEN}`);
  });

  it('counts a line it cannot parse, as written, and one behind a lone CR', () => {
    expect(sdpFingerprints(sdp(`a=fingerprint:sha-256 ${HIDDEN};x`))).toHaveLength(2);
    expect(sdpFingerprints(sdp(`a=setup:actpass\ra=fingerprint:sha-256 ${HIDDEN}`))).toContain(`sha-256 ${HIDDEN}`);
  });
});
