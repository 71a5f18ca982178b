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
export declare function parseCandidate(line: string): ParsedCandidate | null;
//# sourceMappingURL=candidate.d.ts.map