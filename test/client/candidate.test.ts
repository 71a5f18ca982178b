import { parseCandidate } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';

describe('parseCandidate', () => {
  it('reads a host candidate', () => {
    expect(parseCandidate('candidate:93153782 1 udp 2113937151 192.0.2.2 39110 typ host generation 0 ufrag U4PF network-cost 999')).toEqual(
      {
        foundation: '93153782',
        component: 1,
        protocol: 'udp',
        priority: 2113937151,
        address: '192.0.2.2',
        port: 39110,
        type: 'host',
      },
    );
  });

  it('reads a relay candidate with its related address, and the a= form', () => {
    expect(parseCandidate('a=candidate:1 1 UDP 41885439 127.0.0.2 50000 typ relay raddr 127.0.0.1 rport 40000')).toMatchObject({
      protocol: 'udp',
      type: 'relay',
      address: '127.0.0.2',
      relatedAddress: '127.0.0.1',
      relatedPort: 40000,
    });
  });

  it('reads a TCP candidate, an IPv6 one and an mDNS name', () => {
    expect(parseCandidate('candidate:2 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active')).toMatchObject({
      protocol: 'tcp',
      port: 9,
      tcpType: 'active',
    });
    expect(parseCandidate('candidate:3 1 udp 2122262783 fd00::2 46902 typ host')?.address).toBe('fd00::2');
    expect(parseCandidate('candidate:4 1 udp 2113937151 2622e30d-5b6f-4c2e-8604-c895c4786bba.local 52376 typ host')?.address).toMatch(
      /\.local$/,
    );
  });

  it.each([
    '',
    'candidate:',
    'candidate:1 1 udp 1 1.2.3.4 5 host',
    'candidate:1 x udp 1 1.2.3.4 5 typ host',
    'candidate:1 1 udp 1 1.2.3.4 70000 typ host',
    'hello world',
  ])('returns null for %j', (line) => {
    expect(parseCandidate(line)).toBeNull();
  });
});
