import type { IncomingTransfer } from '@icebreaker/client';
import type { AutoLesson } from './auto-lesson.js';
import { IncomingBatch, outgoingBatchItem } from './batch-view.js';
import { byId } from './dom.js';
import { droppedItems, pickedItems } from './file-picks.js';
import { FlowView } from './flow-view.js';
import { bytes } from './format.js';
import { IN_MEMORY_BELOW_BYTES } from './page-store.js';
import { PartialsView } from './partials-view.js';
import { transferItem } from './transfer-view.js';

/**
 * The files-and-camera panel of the automatic mode: drop files or a folder (or pick them) to send
 * them, one combined progress per batch on both sides, received files written to disk and offered
 * for saving, unfinished files of an earlier visit, a live view of how the bytes flow; add or remove
 * camera and microphone, which renegotiates through the library's perfect negotiation.
 */
export function mountExtras(lesson: AutoLesson): void {
  const panel = byId('extras');
  const list = byId('transfers');
  const dropzone = byId('dropzone');
  const flow = new FlowView(byId('flow'), lesson);

  for (const id of ['file-input', 'folder-input']) {
    const input = byId<HTMLInputElement>(id);
    input.addEventListener('change', () => {
      if (input.files) lesson.sendFiles(pickedItems(input.files));
      input.value = '';
    });
  }
  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropzone.classList.add('dragging');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('dragging');
    if (!event.dataTransfer) return;
    const problem = byId('drop-problem');
    problem.hidden = true;
    droppedItems(event.dataTransfer).then(
      (items) => lesson.sendFiles(items),
      (error: Error) => {
        problem.hidden = false;
        problem.textContent = `The dropped files could not be read: ${error.message}`;
      },
    );
  });

  const note = byId('store-note');
  note.textContent = lesson.store
    ? `Files you receive are written to this browser's private disk (the Origin Private File System) as they arrive, ` +
      `so any size fits and a reload of this tab resumes them; files under ${bytes(IN_MEMORY_BELOW_BYTES)} stay in memory.`
    : 'This browser has no Origin Private File System: files you receive are held in memory, and resume only while this tab stays open.';
  const partials = lesson.store ? new PartialsView(byId('partials'), lesson.store, () => lesson.resumeTransfers()) : null;
  void partials?.load();

  const batches = new Map<string, IncomingBatch>();
  const incoming = (transfer: IncomingTransfer): void => {
    partials?.resuming(transfer.info.id, transfer.info.name, transfer.info.size);
    const group = transfer.info.group;
    if (!group) {
      list.append(transferItem('in', transfer));
      return;
    }
    let batch = batches.get(group.id);
    if (!batch) {
      batch = new IncomingBatch(group);
      batches.set(group.id, batch);
      list.append(batch.element);
    }
    batch.add(transfer);
  };
  lesson.on('transfer', (direction, transfer) => {
    flow.watch(transfer);
    if (direction === 'in') incoming(transfer as IncomingTransfer);
    else list.append(transferItem(direction, transfer));
  });
  lesson.on('batch', (batch, files) => {
    list.append(outgoingBatchItem(batch, files));
    batch.on('transfer', (transfer) => flow.watch(transfer));
  });

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
