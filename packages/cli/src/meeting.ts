import { codeRoom, createCode, createInvite, isCode, readInvite } from '@icebreaker/client/pairing';
import { RoomName } from '@icebreaker/protocol';
import { safeParse } from 'valibot';
import type { Invitation } from './invite-banner.js';
import { signalingUrl } from './signaling-url.js';

/**
 * Where and how `icebreaker peer` meets the other side: the signaling endpoint, the room, the link's
 * secret when there is one, and what this side made for the user to pass on (a link or a code).
 */
export interface Meeting {
  readonly endpoint: string;
  readonly room: string;
  /** The link's secret (base64url): only in the link's fragment, never sent to the server. */
  readonly secret?: string;
  /** What this side made and must show its user: the link to open, or the code to type. */
  readonly made?: Invitation;
  /** Where received files go: the `--receive` folder, or `--into` (default `.`) with a link or code. */
  readonly inbox?: string;
}

/** The flags `meeting` reads. */
export interface MeetingFlags {
  /** The server address given as the positional argument. */
  readonly address: string | undefined;
  readonly room: string | undefined;
  readonly receive: string | undefined;
  readonly into: string | undefined;
  readonly code: boolean;
  readonly sending: boolean;
}

/** The page a link opens: the server's own http(s) origin, which serves the page. */
export function pageOf(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}/`;
}

/**
 * What `--receive` was given, for a message: cut where a key may start (a `#`, its `%23` form, `key=`),
 * runs of 16 or more base64url characters (a key pasted alone, without its link) shown by their length
 * only, and 80 characters at most (a pasted link can be long).
 */
function quoted(text: string): string {
  const cut = text.search(/#|%23|key=/i);
  const kept = (cut === -1 ? text : `${text.slice(0, cut)}…`).replace(/[A-Za-z0-9_-]{16,}/g, (run) => `[${run.length} characters]`);
  return JSON.stringify(kept.length > 80 ? `${kept.slice(0, 80)}…` : kept);
}

/**
 * Works out the meeting from the flags; throws a `TypeError` whose message is the usage error.
 *
 * - `--room R`: that room, as before (`--receive` is a folder);
 * - `--receive LINK`: the link's server, room and secret (no address: the link names its server);
 * - `<url> --receive CODE`: the code's room on that server, no secret;
 * - `<url> --send …` without `--room`: a new link (or with `--code`, a new code) for the other side.
 */
export function meeting(flags: MeetingFlags): Meeting {
  const { address, room, receive, into } = flags;
  if (room !== undefined) {
    if (!safeParse(RoomName, room).success) throw new TypeError('--room: letters, digits and - _ . ~, up to 64');
    if (flags.code) throw new TypeError('--code makes a room of its own: leave out --room');
    if (into !== undefined) throw new TypeError('--into goes with --receive LINK or --receive CODE; with --room, --receive is the folder');
    return { endpoint: needAddress(address), room, ...(receive === undefined ? {} : { inbox: receive }) };
  }
  if (receive !== undefined) {
    if (flags.code) throw new TypeError('--code is for the side that sends: --receive takes the code');
    const inbox = into ?? '.';
    if (/^[a-z][a-z0-9+.-]*:/i.test(receive)) {
      if (address !== undefined) throw new TypeError('--receive: a link names its server: give no server address with it');
      let invite: ReturnType<typeof readInvite>;
      try {
        invite = readInvite(receive);
      } catch (error) {
        throw new TypeError(`--receive: ${(error as Error).message}`);
      }
      return { endpoint: invite.signaling, room: invite.room, secret: invite.secret, inbox };
    }
    if (isCode(receive) || /^\s*\d+[-\s]/.test(receive)) {
      let codeRoomName: string;
      try {
        codeRoomName = codeRoom(receive);
      } catch {
        // Our own words: the library's message repeats the text whole, and it may hold a pasted secret.
        throw new TypeError(
          `--receive: a code: expected a number from 1 to 99 and two words (like 7-tiger-hurricane), got ${quoted(receive)}`,
        );
      }
      if (address === undefined) throw new TypeError(`--receive: a code names no server: icebreaker peer <url> --receive ${receive}`);
      return { endpoint: signalingUrl(address), room: codeRoomName, inbox };
    }
    throw new TypeError(
      `--receive: ${quoted(receive)} is not a link (http://host/#room=…&key=…) or a code (like 7-tiger-hurricane); ` +
        'to save into a folder, give --room too',
    );
  }
  if (into !== undefined) throw new TypeError('--into goes with --receive LINK or --receive CODE');
  if (!flags.sending) throw new TypeError('--room is required (or --send, which makes a link, or --receive LINK)');
  const endpoint = needAddress(address);
  if (flags.code) {
    const code = createCode();
    return { endpoint, room: codeRoom(code), made: { code } };
  }
  const invite = createInvite(pageOf(endpoint));
  return { endpoint, room: invite.room, secret: invite.secret, made: { link: invite.link } };
}

function needAddress(address: string | undefined): string {
  if (address === undefined) throw new TypeError('give exactly one server address');
  return signalingUrl(address);
}
