/**
 * The signaling endpoint for a page or WebSocket address. Query and fragment are dropped: a pasted
 * pairing link's fragment holds its secret, which must never reach the server or a log.
 */
export function signalingUrl(address: string): string {
  const url = URL.parse(address);
  if (url === null) throw new TypeError(`url: "${address.slice(0, 200)}" is not an http(s) or ws(s) address`);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = '/ws';
  } else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`url: "${address}" is not an http(s) or ws(s) address`);
  }
  url.search = '';
  url.hash = '';
  return url.href;
}
