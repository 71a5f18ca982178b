/**
 * Every option of the client's public entry points is checked here, where it enters, and misuse
 * throws a `TypeError` naming the field and what it accepts (as ws and mediasoup's `ortc.ts` do).
 * Checked late, a bad value fails far from its cause or not at all: `frameBytes: 0` made
 * `sendFile` spin forever (issue 9, item 13). Room and name follow the protocol's own schemas, the
 * rules the server applies.
 */
/** The numeric options: their range, and the default when there is one. */
export declare const LIMITS: {
    /** Below 1 KiB a frame's header byte is a real overhead; above it no stack takes the message. */
    readonly frameBytes: {
        readonly min: 1024;
        readonly max: number;
    };
    readonly retransmitMs: {
        readonly min: 50;
        readonly max: 60000;
        readonly default: 2000;
    };
    readonly disconnectedRestartMs: {
        readonly min: 0;
        readonly max: 600000;
        readonly default: 5000;
    };
    /** Reconnect attempts: a zero delay would hammer the server in a tight loop. */
    readonly initialDelayMs: {
        readonly min: 10;
        readonly max: 60000;
        readonly default: 250;
    };
    readonly maxDelayMs: {
        readonly max: 600000;
        readonly default: 5000;
    };
};
/** The options of `connect()` and `new Session()`, and its url. */
export declare function validateConnect(url: unknown, options: unknown): void;
/** The url and options of `SignalingClient.open()`. */
export declare function validateSignalingOpen(url: unknown, options: unknown): void;
/** The request of `SignalingClient.join()`. */
export declare function validateJoin(request: unknown): void;
/** The file and options of `peer.sendFile()`. */
export declare function validateSendFile(file: unknown, options: unknown): void;
//# sourceMappingURL=validate.d.ts.map