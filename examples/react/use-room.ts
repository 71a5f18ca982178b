import { connect } from '@icebreaker/client';
import { useCallback, useEffect, useState } from 'react';

/** What `connect` resolves to: a joined room (named through `connect` so the example survives renames). */
type Joined = Awaited<ReturnType<typeof connect>>;

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
export function useRoom(url: string, room: string): Room {
  const [joined, setJoined] = useState<Joined | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [peers, setPeers] = useState<readonly string[]>([]);
  const [messages, setMessages] = useState<readonly RoomMessage[]>([]);

  useEffect(() => {
    let session: Joined | undefined;
    let current = true;
    setJoined(undefined);
    setError(undefined);
    setPeers([]);
    setMessages([]);
    // Joining waits for the next task: React's StrictMode mounts, unmounts and mounts again at once in
    // development, and a join sent for the first mount would hold a place in the room (a room of two
    // would then turn the other tab away) until its leave arrived.
    const start = setTimeout(() => {
      connect(url, { room }).then(
        (joinedRoom) => {
          // Unmounted (or re-run) before the server answered: leave the room that was joined late.
          if (!current) return joinedRoom.close();
          session = joinedRoom;
          joinedRoom.on('open', (peer) => setPeers((list) => [...list.filter((id) => id !== peer.id), peer.id]));
          joinedRoom.on('peer-left', (peer) => setPeers((list) => list.filter((id) => id !== peer.id)));
          joinedRoom.on('message', (peer, data) => setMessages((list) => [...list, { from: peer.id, text: String(data) }]));
          setJoined(joinedRoom);
        },
        (reason: Error) => {
          if (current) setError(reason.message);
        },
      );
    });
    // A closed tab unmounts nothing: leave then too, or the others wait out the server's resume grace.
    const leave = () => session?.close();
    addEventListener('pagehide', leave);
    return () => {
      current = false;
      clearTimeout(start);
      removeEventListener('pagehide', leave);
      leave();
    };
  }, [url, room]);

  const send = useCallback(
    (text: string) => {
      if (joined === undefined) return;
      for (const peer of joined.peers.values()) {
        if (peer.channelState === 'open') peer.send(text).catch((reason: Error) => setError(reason.message));
      }
      setMessages((list) => [...list, { from: joined.peerId, text }]);
    },
    [joined],
  );

  return {
    status: error !== undefined && joined === undefined ? 'failed' : joined === undefined ? 'joining' : 'joined',
    id: joined?.peerId,
    peers,
    messages,
    error,
    send,
  };
}
