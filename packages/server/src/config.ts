/**
 * The server's config, defined once in `config/` (one valibot schema per setting): what the rest of
 * the server imports.
 * @module
 */
export { checkOptions } from './config/check-options.js';
export { DEFAULT_CONFIG, type ServerConfig, ServerConfigSchema } from './config/server-config.js';
export { RATE_BURST_SECONDS, SERVER_SETTINGS } from './config/server-settings.js';
