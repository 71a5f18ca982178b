/**
 * The smallest page on Icebreaker: join the room named in the address, and chat with whoever opens the
 * same address, over a WebRTC data channel. The signaling server only introduces the two tabs.
 */
import { connect } from '@icebreaker/client';
const status = document.querySelector('#status');
const form = document.querySelector('#chat');
const input = document.querySelector('#text');
const button = form.querySelector('button');
const log = document.querySelector('#log');
function show(line) {
    const item = document.createElement('li');
    item.textContent = line;
    log.append(item);
}
/** The room is in the address (`?room=…`), so that a second tab opened on it joins the same room. */
function roomFromAddress() {
    const params = new URLSearchParams(location.search);
    const room = params.get('room') ?? crypto.randomUUID().slice(0, 8);
    params.set('room', room);
    history.replaceState(null, '', `?${params}`);
    return room;
}
async function main() {
    const room = roomFromAddress();
    // The server that served this page also signals, on /ws (`vite` proxies it there in development).
    const session = await connect(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, { room });
    status.textContent = `In room ${room}. Waiting for another tab…`;
    session.on('open', (peer) => {
        status.textContent = `Connected to ${peer.id}.`;
        input.disabled = button.disabled = false;
    });
    session.on('peer-left', (peer) => {
        status.textContent = `${peer.id} left. Waiting for another tab…`;
        input.disabled = button.disabled = session.peers.size === 0;
    });
    session.on('message', (peer, data) => show(`${peer.id}: ${String(data)}`));
    session.on('error', (error) => show(`error: ${error.code}: ${error.message}`));
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = input.value;
        if (text === '')
            return;
        for (const peer of session.peers.values()) {
            if (peer.channelState === 'open')
                peer.send(text).catch((error) => show(`not sent: ${error.message}`));
        }
        show(`me: ${text}`);
        input.value = '';
    });
    addEventListener('pagehide', () => session.close());
}
main().catch((error) => {
    status.textContent = `Could not join: ${error.message}`;
});
//# sourceMappingURL=main.js.map