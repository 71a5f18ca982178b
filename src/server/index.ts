/**
 * The Icebreaker signaling server (Node.js only).
 *
 * @example
 * ```ts
 * import { startServer } from 'icebreaker/server';
 * const server = await startServer({ port: 8080 });
 * ```
 * @module
 */
export { DEFAULT_CONFIG, resolveConfig, SETTINGS, type ServerConfig } from './config.js';
export { type IcebreakerServer, SIGNALING_PATH, startServer } from './server.js';
