import { IcebreakerError } from '@icebreaker/protocol';
import { sendWithBackpressure } from './backpressure.js';
import { Emitter } from './emitter.js';
import { createSha256 } from './sha256.js';
/** Data channels of file transfers carry this label; the peer's main channel has another. */
export const TRANSFER_LABEL = 'icebreaker-file';
const PROGRESS_INTERVAL_MS = 100;
/**
 * Who closes a cancelled transfer's channel: the side that receives the `cancel`. A channel closed
 * right after sending may overtake its last message on some stacks, so the canceller only closes
 * on its own if the other side has not done so within this time.
 */
const CANCEL_CLOSE_MS = 2000;
function closeLater(channel) {
    const timer = setTimeout(() => channel.close(), CANCEL_CLOSE_MS);
    timer.unref?.();
    channel.addEventListener('close', () => clearTimeout(timer), { once: true });
}
/** A started transfer's shared bookkeeping: throttled progress and the mean rate. */
class Transfer extends Emitter {
    info;
    bytes = 0;
    startedAt = Date.now();
    lastProgressAt = 0;
    constructor(info) {
        super();
        this.info = info;
    }
    /** Emits `progress`: at most once per 100 ms, unless `force`. */
    progress(force = false) {
        const now = Date.now();
        if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS)
            return;
        this.lastProgressAt = now;
        const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
        this.emit('progress', { bytes: this.bytes, total: this.info.size, rate: this.bytes / seconds });
    }
}
/**
 * Sends one file over its own data channel: a header, the bytes in frames (with backpressure),
 * then the SHA-256 of what was sent. Resolves once the receiver has checked the hash.
 */
export class OutgoingTransfer extends Transfer {
    channel;
    done;
    cancelledBy = null;
    constructor(channel, info, file, options, frameBytes) {
        super(info);
        this.channel = channel;
        if (options.onProgress)
            this.on('progress', options.onProgress);
        options.signal?.addEventListener('abort', () => this.cancel('cancelled by the sender'), { once: true });
        this.done = this.run(file, frameBytes);
        this.done.catch(() => { });
        // As fetch() does: a signal that is already aborted cancels at once, and nothing is sent.
        if (options.signal?.aborted)
            this.cancel('cancelled by the sender');
    }
    /** Stops the transfer and tells the receiver. */
    cancel(reason = 'cancelled by the sender') {
        if (this.cancelledBy !== null)
            return;
        this.cancelledBy = reason;
        if (this.channel.readyState === 'open')
            this.channel.send(JSON.stringify({ t: 'cancel', reason }));
        closeLater(this.channel);
    }
    async run(file, frameBytes) {
        const replies = controlInbox(this.channel, (control) => {
            // Set at once: the send loop may see the channel close before a promise callback would run.
            if (control.t !== 'cancel')
                return;
            this.cancelledBy ??= control.reason;
            this.channel.close();
        });
        const hashing = createSha256();
        await opened(this.channel);
        // Cancelled before the channel opened (a signal aborted already): the receiver never hears of it.
        if (this.cancelledBy !== null) {
            this.channel.close();
            throw new IcebreakerError('transfer-cancelled', this.cancelledBy);
        }
        this.channel.send(JSON.stringify({ t: 'head', ...this.info }));
        // No byte leaves before the receiver has taken the header and chosen where the file goes: its
        // `go` also proves it listens, so nothing sent can reach a channel the receiver is still adopting.
        const go = await replies.next();
        if (go.t !== 'go')
            throw this.refused(go);
        const hash = await hashing;
        const reader = file.stream().getReader();
        try {
            for await (const frame of reframe(reader, frameBytes)) {
                if (this.cancelledBy !== null)
                    throw new IcebreakerError('transfer-cancelled', this.cancelledBy);
                hash.update(frame);
                await sendWithBackpressure(this.channel, frame);
                this.bytes += frame.byteLength;
                this.progress();
            }
        }
        catch (error) {
            if (this.cancelledBy !== null)
                throw new IcebreakerError('transfer-cancelled', this.cancelledBy, { cause: error });
            this.cancel(`the sender failed: ${error.message}`);
            throw new IcebreakerError('transfer-failed', `reading or sending the file failed: ${error.message}`, { cause: error });
        }
        finally {
            reader.releaseLock();
        }
        const digest = hash.hex();
        this.progress(true);
        this.channel.send(JSON.stringify({ t: 'end', sha256: digest }));
        const answer = await replies.next();
        this.channel.close();
        if (answer.t === 'ok')
            return { sha256: digest };
        throw this.refused(answer);
    }
    /** The error for a reply that is not the one the transfer waits for. */
    refused(answer) {
        this.channel.close();
        if (answer.t === 'cancel' || this.cancelledBy !== null)
            return new IcebreakerError('transfer-cancelled', this.cancelledBy ?? 'cancelled');
        return new IcebreakerError('transfer-failed', answer.t === 'fail' ? answer.reason : `unexpected answer ${answer.t}`);
    }
}
/**
 * A file arriving from a peer. Call {@link accept} with a sink during the `transfer` event to stream
 * it somewhere (e.g. to disk); otherwise it is collected into a `Blob`. `done` resolves once the
 * bytes are all there and their SHA-256 matches the sender's.
 */
export class IncomingTransfer extends Transfer {
    channel;
    done;
    sink = null;
    writer = null;
    parts = [];
    writing = Promise.resolve();
    /** Set when the bytes are asked for: none may arrive before. */
    hash = null;
    settle;
    finished = false;
    asked = false;
    constructor(channel, info) {
        super(info);
        this.channel = channel;
        this.done = new Promise((resolve, reject) => {
            this.settle = { resolve, reject };
        });
        this.done.catch(() => { });
        const hashing = createSha256();
        // Once the `transfer` event and everything it set off in the same turn have run.
        setTimeout(() => void this.ask(hashing), 0);
    }
    /**
     * Streams the file into `sink` instead of memory. Call it during the `transfer` event, or in code
     * that runs off it in the same turn (after awaiting a promise the event resolved).
     */
    accept(sink) {
        if (this.asked)
            throw new TypeError('accept: call it in the turn of the transfer event, before the bytes are asked for');
        this.sink = sink;
    }
    /** Asks the sender for the bytes, unless the transfer was cancelled meanwhile. */
    async ask(hashing) {
        this.asked = true;
        const hash = await hashing;
        if (this.finished)
            return;
        this.hash = hash;
        this.reply({ t: 'go' });
    }
    /** Stops the transfer and tells the sender. */
    cancel(reason = 'cancelled by the receiver') {
        if (this.finished)
            return;
        if (this.channel.readyState === 'open')
            this.channel.send(JSON.stringify({ t: 'cancel', reason }));
        this.fail(new IcebreakerError('transfer-cancelled', reason), false);
    }
    /** Handles one message of the transfer's channel after the header. */
    receive(data) {
        if (this.finished)
            return;
        if (typeof data === 'string') {
            const control = parseControl(data);
            if (control?.t === 'end')
                this.verify(control.sha256);
            else if (control?.t === 'cancel')
                this.fail(new IcebreakerError('transfer-cancelled', control.reason));
            return;
        }
        if (!this.hash) {
            this.reply({ t: 'fail', reason: 'bytes before they were asked for' });
            this.fail(new IcebreakerError('transfer-failed', 'the sender sent bytes before they were asked for'));
            return;
        }
        const bytes = new Uint8Array(data);
        this.hash.update(bytes);
        this.bytes += bytes.byteLength;
        if (this.bytes > this.info.size) {
            this.reply({ t: 'fail', reason: 'more bytes than announced' });
            this.fail(new IcebreakerError('transfer-failed', 'the sender sent more bytes than it announced'));
            return;
        }
        if (this.sink) {
            this.writer ??= this.sink.getWriter();
            const writer = this.writer;
            this.writing = this.writing.then(() => writer.write(bytes));
        }
        else {
            this.parts.push(bytes);
        }
        this.progress();
    }
    /** The channel closed: fine after the end, a failure before it. */
    closed() {
        if (!this.finished)
            this.fail(new IcebreakerError('transfer-failed', 'the connection closed before the file was complete'));
    }
    verify(expected) {
        const actual = this.hash?.hex() ?? '';
        if (actual !== expected || this.bytes !== this.info.size) {
            this.reply({ t: 'fail', reason: 'SHA-256 or size mismatch' });
            this.fail(new IcebreakerError('transfer-failed', `integrity check failed: got ${this.bytes} bytes with SHA-256 ${actual}, expected ${this.info.size} with ${expected}`));
            return;
        }
        this.finished = true;
        this.progress(true);
        const writer = this.writer;
        this.writing
            .then(() => writer?.close())
            .then(() => {
            this.reply({ t: 'ok' });
            this.settle.resolve(this.sink ? null : new Blob(this.parts, { type: this.info.type }));
        })
            .catch((error) => {
            this.reply({ t: 'fail', reason: 'the receiver could not store the file' });
            this.settle.reject(new IcebreakerError('transfer-failed', `writing the file failed: ${error.message}`, { cause: error }));
        });
    }
    /** Ends the transfer with `error`; the channel closes now, or (after our own cancel) once the sender closes it. */
    fail(error, closeNow = true) {
        if (this.finished)
            return;
        this.finished = true;
        this.parts.length = 0;
        void this.writing.then(() => this.writer?.abort(error.message)).catch(() => { });
        this.settle.reject(error);
        if (closeNow)
            this.channel.close();
        else
            closeLater(this.channel);
    }
    reply(control) {
        if (this.channel.readyState === 'open')
            this.channel.send(JSON.stringify(control));
    }
}
/** Reads a transfer channel's header: the first message, which names the file. */
export function parseHead(data) {
    const control = parseControl(data);
    if (control?.t !== 'head')
        return null;
    const { id, name, size, type } = control;
    if (typeof id !== 'string' || typeof name !== 'string' || typeof type !== 'string' || !Number.isSafeInteger(size) || size < 0)
        return null;
    return { id, name: name.slice(0, 255), size, type: type.slice(0, 255) };
}
function parseControl(data) {
    if (typeof data !== 'string')
        return null;
    try {
        const value = JSON.parse(data);
        return typeof value === 'object' && value !== null && typeof value.t === 'string' ? value : null;
    }
    catch {
        return null;
    }
}
/**
 * The sender's view of the receiver's replies, one at a time and in order. `seen` runs as each
 * arrives; once the channel closes, every further reply reads as a failure.
 */
function controlInbox(channel, seen) {
    const arrived = [];
    const waiting = [];
    let closed = false;
    const push = (control) => {
        const waiter = waiting.shift();
        if (waiter)
            waiter(control);
        else
            arrived.push(control);
    };
    channel.addEventListener('message', (event) => {
        const control = parseControl(event.data);
        if (!control || closed)
            return;
        seen(control);
        push(control);
    });
    channel.addEventListener('close', () => {
        closed = true;
        while (waiting.length > 0)
            waiting.shift()?.({ t: 'fail', reason: 'the channel closed' });
    });
    return {
        next: () => {
            const first = arrived.shift();
            if (first)
                return Promise.resolve(first);
            if (closed)
                return Promise.resolve({ t: 'fail', reason: 'the channel closed' });
            return new Promise((resolve) => waiting.push(resolve));
        },
    };
}
/** Resolves once the channel is open; rejects if it closes first. */
export function opened(channel) {
    if (channel.readyState === 'open')
        return Promise.resolve();
    return new Promise((resolve, reject) => {
        channel.addEventListener('open', () => resolve(), { once: true });
        channel.addEventListener('close', () => reject(new IcebreakerError('channel-closed', 'the data channel closed before it opened')), {
            once: true,
        });
    });
}
/** Re-cuts a byte stream into frames of exactly `size` bytes (the last one shorter). */
async function* reframe(reader, size) {
    let buffer = new Uint8Array(size);
    let filled = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done)
            break;
        let offset = 0;
        while (offset < value.byteLength) {
            const take = Math.min(size - filled, value.byteLength - offset);
            buffer.set(value.subarray(offset, offset + take), filled);
            filled += take;
            offset += take;
            if (filled === size) {
                yield buffer;
                buffer = new Uint8Array(size);
                filled = 0;
            }
        }
    }
    if (filled > 0)
        yield buffer.slice(0, filled);
}
//# sourceMappingURL=transfer.js.map