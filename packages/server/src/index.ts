/**
 * The Icebreaker signaling server (Node.js only).
 *
 * @example
 * ```ts
 * import { startServer } from '@icebreaker/server';
 * const server = await startServer({ port: 8080 });
 * ```
 * @module
 */
export {
  type ConfigFile,
  checkConfig,
  checkOptions,
  DEFAULT_CONFIG,
  parseConfigFile,
  parseDuration,
  resolveConfig,
  SETTINGS,
  type ServerConfig,
} from './config.js';
export { type MintOptions, mintRoomToken, type RoomGrant } from './room-tokens.js';
export { type IcebreakerServer, SIGNALING_PATH, type StartOptions, startServer } from './server.js';
export { turnCredentials } from './turn-credentials.js';
