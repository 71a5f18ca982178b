// The page the large-transfer bench (bench/big.ts) and memory tests drive: a receiving tab that keeps
// what arrives in the OPFS store, and a sending tab that sends the file picked in its <input>. Both go
// through the library as an application does; nothing here holds a file's bytes.
import { connect, type RemotePeer, type Room } from '@icebreaker/client';
import { opfsStore } from '@icebreaker/client/opfs';

/** The store's folder, so that a run finds and discards only its own files. */
const DIRECTORY = 'big-transfer';

/** What the receiving tab reports while it runs, read by the runner through `globalThis.bigPage`. */
interface Received {
  bytes: number;
  state: string;
  error: string | null;
  /** The finished file (a File on disk, from the store), once `done` resolved. */
  file: Blob | null;
  id: string | null;
  ms: number;
}

const received: Received = { bytes: 0, state: 'idle', error: null, file: null, id: null, ms: 0 };
let settle: { resolve: (ms: number) => void; reject: (error: Error) => void } | null = null;
/** Resolves with the ms from the transfer's announcement to its `done`, once the first file is whole and checked. */
const arrived = new Promise<number>((resolve, reject) => {
  settle = { resolve, reject };
});
let room: Room | null = null;
const store = opfsStore({ directory: DIRECTORY });

const signalingUrl = () => `ws://${location.host}/ws`;

/** Joins `name` and keeps every file that arrives in the OPFS store. Resolves once joined. */
async function receive(name: string): Promise<void> {
  room = await connect(signalingUrl(), { room: name, iceServers: [], transfers: { store } });
  room.on('transfer', (_peer, transfer) => {
    const started = performance.now();
    received.id = transfer.info.id;
    received.state = transfer.state;
    transfer.on('progress', ({ bytes }) => {
      received.bytes = bytes;
    });
    transfer.on('state', (state) => {
      received.state = state;
    });
    transfer.done.then(
      (file) => {
        received.file = file;
        received.bytes = transfer.info.size;
        received.ms = performance.now() - started;
        received.state = 'done';
        settle?.resolve(received.ms);
      },
      (error: Error) => {
        received.error = `${error.name}: ${error.message}`;
        settle?.reject(error);
      },
    );
  });
}

/** Joins `name`, sends the file picked in #file to the first peer whose channel opens, and resolves with its root and time. */
async function send(name: string): Promise<{ root: string; ms: number }> {
  const file = (document.querySelector('#file') as HTMLInputElement).files?.[0];
  if (!file) throw new Error('no file picked in #file');
  room = await connect(signalingUrl(), { room: name, iceServers: [] });
  const joined = room;
  const peer = await new Promise<RemotePeer>((resolve) => {
    for (const p of joined.peers.values()) if (p.channelState === 'open') resolve(p);
    joined.on('open', resolve);
  });
  const started = performance.now();
  const { root } = await peer.sendFile(file).done;
  return { root, ms: performance.now() - started };
}

/**
 * POSTs the received file to `url` (the runner's hashing endpoint): the browser streams a File on
 * disk from disk, so neither the page nor the runner holds it. Resolves with the endpoint's answer.
 */
async function upload(url: string): Promise<string> {
  if (!received.file) throw new Error('nothing received yet');
  const response = await fetch(url, { method: 'POST', body: received.file });
  return response.text();
}

/** Leaves the room and deletes the received file from the store (the bench cleans up after itself). */
async function finish(): Promise<void> {
  room?.close();
  room = null;
  const id = received.id;
  received.file = null;
  if (id) await store.discard(id);
}

/** Resolves with the receiving time (ms) once the file is whole; rejects with the transfer's error. */
const whenReceived = () => arrived;

const api = { receive, send, whenReceived, upload, finish, received };
/** What the page puts on `globalThis.bigPage`. */
export type BigPage = typeof api;

Object.assign(globalThis, { bigPage: api });
