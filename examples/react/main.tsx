import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

// The room is in the address, so that a second tab opened on it joins the same room.
const params = new URLSearchParams(location.search);
const room = params.get('room') ?? crypto.randomUUID().slice(0, 8);
params.set('room', room);
history.replaceState(null, '', `?${params}`);

// The server that served this page also signals, on /ws (`vite` proxies it there in development).
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

createRoot(document.querySelector('#root') as HTMLElement).render(
  <StrictMode>
    <App url={url} room={room} />
  </StrictMode>,
);
