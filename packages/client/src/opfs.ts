/**
 * `@icebreaker/client/opfs`: the file store that keeps incoming files in the browser's Origin Private
 * File System. A second entry point, so that `import { connect } from '@icebreaker/client'` stays as
 * small as it is for the pages that do not store files (the size budget).
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * import { opfsStore } from '@icebreaker/client/opfs';
 * const room = await connect('wss://signal.example.org/ws', { room: 'demo', transfers: { store: opfsStore() } });
 * ```
 *
 * @module
 */

export { OPFS_MAX_AGE_MS, OPFS_MAX_BYTES, type OpfsStoreOptions, opfsStore } from './opfs-store.js';
export type { PartialTransfer, TransferSink, TransferStore } from './transfer-sink.js';
