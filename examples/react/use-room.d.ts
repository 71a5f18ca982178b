/** One chat line: who sent it (a peer id, or yours) and its text. */
export interface RoomMessage {
    readonly from: string;
    readonly text: string;
}
/** What {@link useRoom} gives a component; it re-renders when any of it changes. */
export interface Room {
    /** `joining` until the server has welcomed us, then `joined`; `failed` with `error` if it could not. */
    readonly status: 'joining' | 'joined' | 'failed';
    /** Our peer id, once joined. */
    readonly id: string | undefined;
    /** The peers whose data channel is open, by id. */
    readonly peers: readonly string[];
    /** Messages received and sent, oldest first. */
    readonly messages: readonly RoomMessage[];
    readonly error: string | undefined;
    /** Sends `text` to every connected peer. */
    send(text: string): void;
}
/**
 * Joins `room` on the signaling server at `url` for as long as the component is mounted (or until
 * `url` or `room` change), and connects to every other peer in it over WebRTC data channels.
 *
 * @example
 * ```tsx
 * const { peers, messages, send } = useRoom('wss://example.org/ws', 'demo');
 * ```
 */
export declare function useRoom(url: string, room: string): Room;
//# sourceMappingURL=use-room.d.ts.map