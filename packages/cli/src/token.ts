import { parseArgs } from 'node:util';
import { isIcebreakerError } from '@icebreaker/protocol';
import { mintRoomToken } from '@icebreaker/server';
import { parseDuration } from './setting-text.js';

export const TOKEN_HELP = `Usage: icebreaker token --room <room> [options]

Prints a room token (JWT, HS256) signed with the server's auth secret, for development and tests.
In production your backend mints tokens after it has authenticated its user (see mintRoomToken).

Options:
  --room <room>       the room the token admits to (required)
  --ttl <duration>    how long it is valid, e.g. 15m, 1h (default 1h)
  --name <name>       display name the peer will have (it overrides the one the client asks for)
  --role <role>       role the other peers see, e.g. host
  --relay             the claim relay: true: with \`serve --relay token\`, only such peers may relay
                      through the server when their direct connection fails
  --secret <secret>   the server's auth secret (default: env ICEBREAKER_AUTH_SECRET)
  --help              show this help
`;

/** Runs `icebreaker token`; resolves with the exit code (0, or 2 for a bad flag or missing secret). */
export async function token(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const fail = (message: string) => {
    err.write(`icebreaker token: ${message}\nRun "icebreaker token --help" for the options.\n`);
    return 2;
  };
  let values: { room?: string; ttl?: string; name?: string; role?: string; relay?: boolean; secret?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        room: { type: 'string' },
        ttl: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        relay: { type: 'boolean' },
        secret: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    out.write(TOKEN_HELP);
    return 0;
  }
  const secret = values.secret ?? env.ICEBREAKER_AUTH_SECRET;
  if (values.room === undefined) return fail('--room is required');
  if (secret === undefined || secret === '')
    return fail("no secret: pass --secret or set ICEBREAKER_AUTH_SECRET (the server's --auth-secret)");
  try {
    const ttlMs = parseDuration(values.ttl ?? '1h', '--ttl', 1000, 366 * 86_400_000);
    const { room, name, role, relay } = values;
    const options = {
      room,
      ttlMs,
      ...(name === undefined ? {} : { name }),
      ...(role === undefined ? {} : { role }),
      ...(relay ? { relay } : {}),
    };
    out.write(`${await mintRoomToken(secret, options)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TypeError || isIcebreakerError(error)) return fail(error.message);
    throw error;
  }
}
