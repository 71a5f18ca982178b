import type { IncomingTransfer, OutgoingTransfer, TransferProgress } from '@icebreaker/client';
import type { AutoLesson } from './auto-lesson.js';
import { byId, el } from './dom.js';

const MiB = 1024 * 1024;

/**
 * The files-and-camera panel of the automatic mode: drag and drop (or pick) files to send them with a
 * progress bar on both sides and a download link on arrival; add or remove camera and microphone,
 * which renegotiates through the library's perfect negotiation.
 */
export function mountExtras(lesson: AutoLesson): void {
  const panel = byId('extras');
  const list = byId('transfers');
  const dropzone = byId('dropzone');
  const input = byId<HTMLInputElement>('file-input');

  const send = (files: Iterable<File>): void => {
    for (const file of files) lesson.sendFile(file);
  };
  input.addEventListener('change', () => {
    if (input.files) send(input.files);
    input.value = '';
  });
  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropzone.classList.add('dragging');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('dragging');
    if (event.dataTransfer?.files) send(event.dataTransfer.files);
  });

  lesson.on('transfer', (direction, transfer) => list.append(transferItem(direction, transfer)));

  const camera = byId<HTMLButtonElement>('camera');
  const localVideo = byId<HTMLVideoElement>('local-video');
  const remoteVideo = byId<HTMLVideoElement>('remote-video');
  let senders: RTCRtpSender[] = [];
  let stream: MediaStream | null = null;
  camera.addEventListener('click', async () => {
    const peer = lesson.remote;
    if (!peer) return;
    camera.disabled = true;
    try {
      if (stream) {
        for (const sender of senders) peer.removeTrack(sender);
        for (const track of stream.getTracks()) track.stop();
        senders = [];
        stream = null;
        localVideo.srcObject = null;
        camera.textContent = 'Add camera and microphone';
      } else {
        stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        const media = stream;
        senders = media.getTracks().map((track) => peer.addTrack(track, media));
        localVideo.srcObject = media;
        camera.textContent = 'Remove camera and microphone';
      }
    } catch (error) {
      camera.textContent = `Camera unavailable: ${(error as Error).message}`;
    } finally {
      camera.disabled = false;
    }
  });
  lesson.on('track', (track, streams) => {
    remoteVideo.srcObject = streams[0] ?? new MediaStream([track]);
    track.addEventListener('ended', () => {
      if ((remoteVideo.srcObject as MediaStream | null)?.getTracks().every((t) => t.readyState === 'ended')) remoteVideo.srcObject = null;
    });
  });

  const media = byId('media');
  lesson.on('change', () => {
    // Once connected the panel stays, so that files received can still be saved after the peer has
    // gone (`icebreaker peer --send` leaves as soon as its file is through), and while the tab waits
    // for the next peer; only sending needs a peer connected now.
    if (lesson.connected) panel.hidden = false;
    const away = Boolean(lesson.ended) || lesson.remoteLeft || !lesson.connected;
    dropzone.hidden = away;
    media.hidden = away;
    if (away && stream) {
      for (const track of stream.getTracks()) track.stop();
      stream = null;
      senders = [];
      localVideo.srcObject = null;
      camera.textContent = 'Add camera and microphone';
    }
    if (away) remoteVideo.srcObject = null;
  });
}

function transferItem(direction: 'in' | 'out', transfer: IncomingTransfer | OutgoingTransfer): HTMLLIElement {
  const { name, size } = transfer.info;
  const bar = el('progress', { max: String(size || 1), value: '0' });
  const status = el('span', { class: 'transfer-status' }, 'starting…');
  const cancel = el('button', { type: 'button', class: 'cancel' }, 'Cancel');
  const item = el(
    'li',
    { class: `transfer transfer-${direction}`, 'data-name': name },
    el('span', { class: 'transfer-name' }, `${direction === 'in' ? '⬇' : '⬆'} ${name}`),
    bar,
    status,
    cancel,
  );
  cancel.addEventListener('click', () => transfer.cancel());
  transfer.on('progress', ({ bytes, total, rate }: TransferProgress) => {
    bar.value = bytes;
    status.textContent = `${(bytes / MiB).toFixed(1)} / ${(total / MiB).toFixed(1)} MiB · ${(rate / MiB).toFixed(1)} MiB/s`;
  });
  const done: Promise<unknown> = transfer.done;
  done.then(
    (result) => {
      bar.value = size;
      cancel.remove();
      item.dataset.state = 'done';
      status.textContent = direction === 'in' ? 'received, SHA-256 verified' : 'sent, SHA-256 verified by the receiver';
      if (result instanceof Blob) {
        const link = el('a', { href: URL.createObjectURL(result), download: name, class: 'download' }, 'Save');
        item.append(link);
      }
    },
    (error: Error) => {
      cancel.remove();
      item.dataset.state = 'failed';
      status.textContent = error.message;
    },
  );
  return item;
}
