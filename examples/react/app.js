import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { useState } from 'react';
import { useRoom } from './use-room.js';
/** A chat between the tabs that open the same `?room=…`, on {@link useRoom}. */
export function App({ url, room }) {
    const { status, id, peers, messages, error, send } = useRoom(url, room);
    const [text, setText] = useState('');
    function submit(event) {
        event.preventDefault();
        if (text === '')
            return;
        send(text);
        setText('');
    }
    return (_jsxs("main", { children: [_jsxs("h1", { children: ["Room ", room] }), _jsx("p", { id: "status", "data-status": status, children: status === 'joined'
                    ? `You are ${id}. ${peers.length === 0 ? 'Waiting for another tab…' : `Connected to ${peers.join(', ')}.`}`
                    : status }), error === undefined ? null : _jsx("p", { id: "error", children: error }), _jsxs("form", { onSubmit: submit, children: [_jsx("input", { id: "text", value: text, onChange: (event) => setText(event.target.value), disabled: peers.length === 0 }), _jsx("button", { type: "submit", disabled: peers.length === 0, children: "Send" })] }), _jsx("ol", { id: "log", children: messages.map((message, i) => (_jsxs("li", { children: [message.from === id ? 'me' : message.from, ": ", message.text] }, i))) })] }));
}
//# sourceMappingURL=app.js.map