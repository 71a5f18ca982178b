/**
 * The Icebreaker signaling server (Node.js only): on a port of its own with {@link startServer}, or
 * mounted on your HTTP server with {@link createSignalingServer}.
 *
 * @example
 * ```ts
 * import { startServer } from '@icebreaker/server';
 * const server = await startServer({ port: 8080 });
 * ```
 * @module
 */
export { checkOptions, DEFAULT_CONFIG, type ServerConfig } from './config.js';
export type { HttpRoutes, RequestHandler } from './http-routes.js';
export { type MintOptions, mintRoomToken, type RoomGrant } from './room-tokens.js';
export { type IcebreakerServer, type StartOptions, startServer } from './server.js';
export { createSignalingServer, type SignalingOptions, type SignalingServer } from './signaling-server.js';
export { TEACHING_PAGE_DIR } from './teaching-page.js';
export { turnCredentials } from './turn-credentials.js';
export { SIGNALING_PATH } from './upgrade-gate.js';
