// The page the OPFS store's browser tests drive: the store, bundled by Vite from its sources as an
// application would bundle it, and the helpers the tests run in the page, put where page.evaluate
// (Chromium) and script.evaluate (Firefox) reach them.
import { connect } from '@icebreaker/client';
import { OPFS_MAX_AGE_MS, OPFS_MAX_BYTES, opfsStore } from '@icebreaker/client/opfs';
import { sha256 } from '@noble/hashes/sha2.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Chunk `index` of file `seed`: the same bytes in every tab and after every reload (xorshift32).
 * Made in `into` when given (a buffer reused from chunk to chunk makes no garbage to collect).
 */
function chunk(seed: number, index: number, length: number, into?: ArrayBuffer): Uint8Array<ArrayBuffer> {
  const words = into ? new Uint32Array(into, 0, Math.ceil(length / 4)) : new Uint32Array(Math.ceil(length / 4));
  let x = (seed * 0x9e3779b1 + index * 0x85ebca6b + 1) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length) as Uint8Array<ArrayBuffer>;
}

/** The chunk's SHA-256, as the sink is given it. */
async function hashOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** The SHA-256 of a whole file of `size` bytes made of {@link chunk}s, without holding it. */
function fileSha(seed: number, size: number, chunkBytes: number): string {
  const hash = sha256.create();
  const buffer = new ArrayBuffer(Math.ceil(chunkBytes / 4) * 4);
  for (let i = 0; i * chunkBytes < size; i++) hash.update(chunk(seed, i, Math.min(chunkBytes, size - i * chunkBytes), buffer));
  return hex(hash.digest());
}

/** The SHA-256 of a Blob, read as a stream (a disk-backed File is never held whole). */
async function blobSha(blob: Blob): Promise<string> {
  const hash = sha256.create();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return hex(hash.digest());
    hash.update(value);
  }
}

/** The names in the store's OPFS folder (its partials' folder keys). */
async function folders(directory = 'icebreaker-transfers'): Promise<string[]> {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(directory, { create: true });
  const names: string[] = [];
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  return names.sort();
}

/** Runs `run` and returns the error's name, code and message it throws or rejects with (null if none). */
async function failure(run: () => unknown): Promise<{ name: string; code?: string; message: string } | null> {
  try {
    await run();
    return null;
  } catch (error) {
    const e = error as Error & { code?: string };
    return { name: e.name, message: e.message, ...(e.code === undefined ? {} : { code: e.code }) };
  }
}

const stores = new Map<string, ReturnType<typeof opfsStore>>();

/** The page's one store on `directory` (as an application has one: a second would find the first's files locked). */
function store(directory: string): ReturnType<typeof opfsStore> {
  const found = stores.get(directory) ?? opfsStore({ directory });
  stores.set(directory, found);
  return found;
}

const api = { opfsStore, store, OPFS_MAX_AGE_MS, OPFS_MAX_BYTES, chunk, hashOf, fileSha, blobSha, folders, failure };
/** What the page puts on `globalThis.icebreakerOpfs`, for the tests' functions run in it. */
export type OpfsPage = typeof api;

Object.assign(globalThis, { icebreakerOpfs: api });

/** What a peer of the page reports of its one transfer, for the end-to-end test to wait on. */
interface TransferStatus {
  id?: string;
  state?: string;
  bytes: number;
  resumedFrom?: number;
  resumed: Array<{ at: number; chunk: number; reason: string }>;
  size?: number;
  isFile?: boolean;
  sha?: string;
  error?: string;
}

/**
 * `?role=receive&room=…`: joins the room with the OPFS store, and reports the file that comes (what
 * a reload finds on disk, where it resumed, the SHA-256 of what it finally holds). `?role=send`:
 * joins, and sends the file picked in `#file` to the first peer whose channel opens, once.
 */
async function peer(role: string, room: string): Promise<void> {
  const status: TransferStatus = { bytes: 0, resumed: [] };
  Object.assign(globalThis, { transferStatus: status });
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  if (role === 'receive') {
    const joined = await connect(url, { room, transfers: { store: opfsStore() } });
    joined.on('transfer', (_peer, transfer) => {
      status.id = transfer.info.id;
      status.resumedFrom = transfer.resumedFrom;
      transfer.on('state', (state) => {
        status.state = state;
        status.resumedFrom = transfer.resumedFrom;
      });
      transfer.on('progress', ({ bytes }) => {
        status.bytes = bytes;
      });
      transfer.on('resumed', (resumed) => status.resumed.push(resumed));
      transfer.done.then(
        async (blob) => {
          if (!blob) return;
          status.size = blob.size;
          status.isFile = blob instanceof File;
          status.sha = await blobSha(blob);
        },
        (error: Error) => {
          status.error = error.message;
        },
      );
    });
    return;
  }
  const joined = await connect(url, { room });
  const input = document.querySelector<HTMLInputElement>('#file') as HTMLInputElement;
  let started = false;
  joined.on('open', (to) => {
    const file = input.files?.[0];
    if (started || !file) return;
    started = true;
    const transfer = to.sendFile(file);
    status.id = transfer.info.id;
    transfer.on('state', (state) => {
      status.state = state;
    });
    transfer.on('progress', ({ bytes }) => {
      status.bytes = bytes;
    });
    transfer.on('resumed', (resumed) => status.resumed.push(resumed));
    transfer.done.then(
      () => {
        status.state = 'done';
      },
      (error: Error) => {
        status.error = error.message;
      },
    );
  });
}

const params = new URLSearchParams(location.search);
const role = params.get('role');
if (role) void peer(role, params.get('room') ?? 'opfs');
