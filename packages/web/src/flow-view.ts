import { OutgoingTransfer, type TransferResumed } from '@icebreaker/client';
import { el } from './dom.js';
import { bytes, rate } from './format.js';
import type { AnyTransfer } from './transfer-view.js';
import { resumedNote } from './transfer-view.js';

const REFRESH_MS = 250;

/** Where the page reads the negotiated SCTP limit from: the current peer connection. */
export interface FlowSource {
  readonly peerConnection: RTCPeerConnection | null;
}

/**
 * The teaching view of a transfer under way: how full the channel's send queue is against the
 * library's water marks, the chunk and frame sizes, the rate, the chunks in flight against the
 * window, and after a resume where it picked up and why. It follows the latest transfer that runs,
 * redrawn four times a second while one does.
 */
export class FlowView {
  private watched: AnyTransfer | null = null;
  private lastResume: TransferResumed | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Bytes moved at recent redraws, for a rate that follows the last seconds rather than the mean. */
  private samples: { at: number; bytes: number }[] = [];
  private readonly fill = el('div', { class: 'flow-fill' });
  private readonly low = el('span', { class: 'flow-mark flow-low', title: 'low-water mark' });
  private readonly figures = el('dl', { class: 'flow-figures' });
  private readonly note = el('p', { class: 'flow-resumed', hidden: true });
  private readonly queue = el('p', { class: 'flow-queue' });
  private readonly bar = el('div', { class: 'flow-bar', role: 'img' }, this.fill, this.low);

  constructor(
    private readonly root: HTMLElement,
    private readonly source: FlowSource,
  ) {
    root.append(
      el('h3', {}, 'How the bytes flow'),
      this.bar,
      this.queue,
      this.figures,
      this.note,
      el(
        'p',
        { class: 'hint' },
        'The file is cut into chunks; each chunk is hashed with SHA-256, sent as a few channel messages (frames), and written ' +
          'to disk by the receiver only once its hash matches. The receiver acknowledges every chunk it stored: the sender ' +
          'keeps at most a window of chunks unacknowledged, so the receiver never holds more than that in memory, and a ' +
          'resume starts from the first chunk not stored.',
      ),
    );
  }

  /** Shows `transfer` from now on (a newer transfer takes the view). */
  watch(transfer: AnyTransfer): void {
    this.watched = transfer;
    this.lastResume = null;
    this.samples = [];
    this.note.hidden = true;
    transfer.on('resumed', (resumed) => {
      if (transfer !== this.watched) return;
      this.lastResume = resumed;
      this.draw();
    });
    transfer.on('state', () => {
      if (transfer === this.watched) this.draw();
    });
    this.root.hidden = false;
    this.timer ??= setInterval(() => this.draw(), REFRESH_MS);
    this.draw();
  }

  private draw(): void {
    const transfer = this.watched;
    if (!transfer) return;
    if (transfer.finished && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.root.dataset.state = transfer.state;
    const sctp = this.source.peerConnection?.sctp?.maxMessageSize;
    const rows: [string, string][] = [
      [
        'File',
        `${transfer instanceof OutgoingTransfer ? 'sending' : 'receiving'} ${transfer.info.path ?? transfer.info.name} (${transfer.state})`,
      ],
      ['Chunk', `${bytes(transfer.info.chunk)}: the unit hashed, stored, acknowledged and resumed from`],
    ];
    if (transfer instanceof OutgoingTransfer) {
      const flow = transfer.flow;
      const high = flow.highWater;
      this.fill.style.width = `${Math.min(100, (flow.bufferedAmount / (high * 1.25)) * 100)}%`;
      this.low.style.left = `${(flow.lowWater / (high * 1.25)) * 100}%`;
      this.bar.style.setProperty('--high', `${(1 / 1.25) * 100}%`);
      this.bar.dataset.buffered = String(flow.bufferedAmount);
      this.bar.setAttribute('aria-label', `bufferedAmount ${bytes(flow.bufferedAmount)} of a high-water mark of ${bytes(high)}`);
      this.queue.textContent =
        `bufferedAmount: ${bytes(flow.bufferedAmount)} queued in the browser. Above ${bytes(high)} (the high-water mark) the ` +
        `library stops sending and waits for the browser's bufferedamountlow event, which fires below ${bytes(flow.lowWater)} ` +
        '(the low-water mark): the queue stays full enough to keep the channel busy, and small enough not to fill memory.';
      rows.push(
        [
          'Frame',
          `${bytes(flow.frameBytes)} per message: the smaller of the library's cap and the peer's maxMessageSize${
            sctp ? ` (${bytes(sctp)}, from a=max-message-size in its SDP)` : ''
          }`,
        ],
        ['In flight', `${flow.chunksInFlight} of a window of ${flow.window} chunks sent and not yet acknowledged`],
      );
      this.bar.hidden = false;
    } else {
      this.bar.hidden = true;
      this.queue.textContent =
        'This side receives: it checks each chunk against the SHA-256 the sender sent after it, writes it, then acknowledges it. ' +
        "The sender's view shows its send queue.";
      rows.push(['Frame', sctp ? `up to ${bytes(sctp)} per message (maxMessageSize this side announced)` : '—']);
    }
    const progress = transfer.transferred;
    rows.push(['Done', `${bytes(progress)} of ${bytes(transfer.info.size)}`], ['Rate', rate(this.rate(transfer))]);
    this.figures.replaceChildren(...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
    if (this.lastResume) {
      this.note.hidden = false;
      this.note.textContent = resumedNote(this.lastResume);
    }
  }

  /** The rate over the last two seconds of samples. */
  private rate(transfer: AnyTransfer): number {
    const now = Date.now();
    this.samples.push({ at: now, bytes: transfer.transferred });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? now) < now - 2000) this.samples.shift();
    const first = this.samples[0];
    if (!first || now === first.at) return 0;
    return Math.max(0, (transfer.transferred - first.bytes) / ((now - first.at) / 1000));
  }
}
