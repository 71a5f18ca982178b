import * as v from 'valibot';
import { RATE_BURST_SECONDS, SERVER_SETTINGS } from './server-settings.js';

/**
 * The schema of a whole server config: every setting of {@link SERVER_SETTINGS} (each optional, with
 * its default), no unknown key, and the checks between settings. Their messages write each setting
 * as `{key}`: whoever reports the problem names it as its caller wrote it (`options.turnSecret`,
 * `--turn-secret`, `ICEBREAKER_TURN_SECRET`).
 */
export const ServerConfigSchema = v.pipe(
  v.strictObject(SERVER_SETTINGS),
  // A burst must hold one message of the largest size accepted, or no join with a long token passes.
  v.forward(
    v.partialCheck(
      [['rateBytesPerSecond'], ['maxMessageBytes']],
      ({ rateBytesPerSecond, maxMessageBytes }) => rateBytesPerSecond === 0 || rateBytesPerSecond * RATE_BURST_SECONDS >= maxMessageBytes,
      ({ input }) => {
        const { rateBytesPerSecond, maxMessageBytes } = input;
        return `{rateBytesPerSecond} ${rateBytesPerSecond} is too low for {maxMessageBytes} ${maxMessageBytes}: its ${RATE_BURST_SECONDS} s burst must hold one message (at least ${Math.ceil(maxMessageBytes / RATE_BURST_SECONDS)}, or 0 for no limit)`;
      },
    ),
    ['rateBytesPerSecond'],
  ),
  v.forward(
    v.partialCheck(
      [['turnUrls'], ['turnSecret']],
      ({ turnUrls, turnSecret }) => turnUrls.length === 0 || turnSecret !== null,
      '{turnUrls} needs {turnSecret} to mint credentials',
    ),
    ['turnUrls'],
  ),
  v.forward(
    v.partialCheck(
      [['turnUrls'], ['turnSecret']],
      ({ turnUrls, turnSecret }) => turnSecret === null || turnUrls.length > 0,
      '{turnSecret} is set but no {turnUrls} says where the TURN server is',
    ),
    ['turnSecret'],
  ),
  v.readonly(),
);

/**
 * Everything the signaling server can be told, derived from {@link SERVER_SETTINGS}: each field's
 * meaning, range and default are there (and in the README's settings table, made from it).
 */
export type ServerConfig = v.InferOutput<typeof ServerConfigSchema>;

/** The config of a server given no options: every setting's default. */
export const DEFAULT_CONFIG: ServerConfig = v.parse(ServerConfigSchema, {});
