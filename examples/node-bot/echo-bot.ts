/**
 * A Node peer that joins a room and sends every message back to whoever sent it: the shape of any bot
 * on Icebreaker. Node has no WebRTC of its own, so the client is handed one (node-datachannel's W3C
 * polyfill, on libdatachannel) and a WebSocket (ws).
 *
 * Run it beside `npm start`, then open http://127.0.0.1:8080/?room=echo and write to it:
 *
 *     npx tsx examples/node-bot/echo-bot.ts ws://127.0.0.1:8080/ws echo
 */
import { connect, type WebSocketConstructor } from '@icebreaker/client';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import WebSocket from 'ws';

const [url = 'ws://127.0.0.1:8080/ws', roomName = 'echo'] = process.argv.slice(2);

const room = await connect(url, {
  room: roomName,
  name: 'echo-bot',
  // The polyfill implements the W3C interface; its own type declarations differ in details only.
  RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
  WebSocket: WebSocket as unknown as WebSocketConstructor,
});
console.log(`echo-bot joined room "${roomName}" as ${room.peerId}`);

room.on('open', (peer) => console.log(`${peer.id} connected`));
room.on('message', (peer, data) => {
  peer.send(data).catch((error: Error) => console.error(`could not echo to ${peer.id}: ${error.message}`));
});
room.on('error', (error, peer) => console.error(`${peer?.id ?? 'room'}: ${error.code}: ${error.message}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    room.close();
    // libdatachannel's threads would keep the process alive.
    process.exit(0);
  });
}
