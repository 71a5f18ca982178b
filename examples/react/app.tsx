import { type FormEvent, useState } from 'react';
import { useRoom } from './use-room.js';

/** A chat between the tabs that open the same `?room=…`, on {@link useRoom}. */
export function App({ url, room }: { readonly url: string; readonly room: string }) {
  const { status, id, peers, messages, error, send } = useRoom(url, room);
  const [text, setText] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    if (text === '') return;
    send(text);
    setText('');
  }

  return (
    <main>
      <h1>Room {room}</h1>
      <p id="status" data-status={status}>
        {status === 'joined'
          ? `You are ${id}. ${peers.length === 0 ? 'Waiting for another tab…' : `Connected to ${peers.join(', ')}.`}`
          : status}
      </p>
      {error === undefined ? null : <p id="error">{error}</p>}
      <form onSubmit={submit}>
        <input id="text" value={text} onChange={(event) => setText(event.target.value)} disabled={peers.length === 0} />
        <button type="submit" disabled={peers.length === 0}>
          Send
        </button>
      </form>
      <ol id="log">
        {messages.map((message, i) => (
          // Messages are only ever appended: the index is a stable key.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={i}>
            {message.from === id ? 'me' : message.from}: {message.text}
          </li>
        ))}
      </ol>
    </main>
  );
}
