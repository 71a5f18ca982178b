import { encode } from './decode.js';
import type { PeerId } from './fields.js';
import type { SignalRequest } from './messages.js';

/**
 * The `signal` frame the server sends on for a client's `signal` request, given the request as decoded
 * and, when it has it, the JSON text it was decoded from.
 *
 * The relay is the server's hot path, and re-encoding a message it has just parsed and checked costs as
 * much as parsing it. So when it is safe, the frame is the request's own text with the sender's id put
 * in front: `{"from":"<id>",` + the text after its `{`. The receiver then parses exactly the bytes the
 * server checked, plus `from`. It is safe when the text is a JSON object (starts with `{`), and cannot
 * hold a key named `from` of its own (no `"from"` in it, and no `\u` escape that could spell one), which
 * would otherwise win over the server's, JSON.parse keeping the last of two equal keys. Otherwise the
 * frame is encoded from the decoded message. Either way a receiver decodes the same `signal` message;
 * the spliced form also carries what the request had beyond it (`to`, `id`, fields the protocol does not
 * define), which receivers ignore, as they ignore every unknown field.
 *
 * @example
 * ```ts
 * const frame = encodeRelayedSignal(sender.id, request, text); // text: the frame `request` was decoded from
 * ```
 */
export function encodeRelayedSignal(from: PeerId, request: SignalRequest, requestText?: string): string {
  if (
    requestText !== undefined &&
    requestText.charCodeAt(0) === OPEN_BRACE &&
    !requestText.includes('"from"') &&
    !requestText.includes('\\u')
  ) {
    return `{"from":${JSON.stringify(from)},${requestText.slice(1)}`;
  }
  const { seq, data } = request;
  return encode(seq === undefined ? { type: 'signal', from, data } : { type: 'signal', from, seq, data });
}

const OPEN_BRACE = 0x7b;
