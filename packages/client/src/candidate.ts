/** The parts of an ICE candidate line a person wants to see (RFC 8839 §5.1). */
export interface ParsedCandidate {
  readonly foundation: string;
  readonly component: number;
  /** `udp` or `tcp`. */
  readonly protocol: string;
  readonly priority: number;
  /** An IP address, or a `….local` mDNS name when the browser hides its local addresses. */
  readonly address: string;
  readonly port: number;
  /** `host` (a local interface), `srflx` (seen by STUN), `prflx` (learned from a check) or `relay` (TURN). */
  readonly type: string;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  readonly tcpType?: string;
}

/**
 * Parses the `candidate` string of an `RTCIceCandidate` (with or without the `a=` / `candidate:`
 * prefix). Returns `null` for anything that is not a candidate line, including the empty string that
 * marks the end of candidates.
 *
 * @example
 * ```ts
 * parseCandidate('candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host')?.type; // 'host'
 * ```
 */
export function parseCandidate(line: string): ParsedCandidate | null {
  const text = line
    .trim()
    .replace(/^a=/, '')
    .replace(/^candidate:/, '');
  const fields = text.split(/\s+/);
  const [foundation, component, protocol, priority, address, port, typ, type] = fields;
  if (foundation === undefined || typ !== 'typ' || type === undefined || address === undefined) return null;
  const numbers = [component, priority, port].map((field) => (field !== undefined && /^\d+$/.test(field) ? Number(field) : Number.NaN));
  const [componentNumber = Number.NaN, priorityNumber = Number.NaN, portNumber = Number.NaN] = numbers;
  if (numbers.some(Number.isNaN) || protocol === undefined || portNumber > 65_535) return null;

  const extensions = new Map<string, string>();
  for (let i = 8; i + 1 < fields.length; i += 2) extensions.set(fields[i] as string, fields[i + 1] as string);
  const relatedPort = Number(extensions.get('rport'));
  const raddr = extensions.get('raddr');
  const tcpType = extensions.get('tcptype');
  return {
    foundation,
    component: componentNumber,
    protocol: protocol.toLowerCase(),
    priority: priorityNumber,
    address,
    port: portNumber,
    type,
    ...(raddr === undefined ? {} : { relatedAddress: raddr }),
    ...(Number.isInteger(relatedPort) ? { relatedPort } : {}),
    ...(tcpType === undefined ? {} : { tcpType }),
  };
}
