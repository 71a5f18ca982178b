import { type ServerConfig, ServerConfigSchema } from './server-config.js';
import { SERVER_SETTINGS } from './server-settings.js';
import { settingInfos } from './setting.js';
import { checkSettings, nameSettings, shownValue } from './setting-problem.js';

const SECRETS = new Set(settingInfos(SERVER_SETTINGS).flatMap((s) => (s.meta.secret ? [s.key] : [])));

/**
 * Checks the options a library caller passed (`startServer`) with the same rules as the CLI's flags,
 * and returns the config they make, defaults filled in. Keys in `extra` are the caller's own (a
 * logger) and are left out. Throws a `TypeError` that names the option as the caller wrote it
 * (`options.maxConnections: expected a whole number from 1 to 1000000, got 0`).
 *
 * @example
 * ```ts
 * const config = checkOptions({ port: 0, roomCapacity: 4 });
 * ```
 */
export function checkOptions(options: unknown, extra: readonly string[] = []): ServerConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('options: expected an object of settings');
  }
  const settings = Object.fromEntries(Object.entries(options).filter(([key]) => !extra.includes(key)));
  const result = checkSettings(ServerConfigSchema, settings);
  if (result.ok) return result.output;
  const { kind, key, value, expected } = result.problem;
  if (kind === 'unknown') {
    const known = [...Object.keys(SERVER_SETTINGS), ...extra].join(', ');
    throw new TypeError(`options.${key.slice(0, 40)}: not an option; the options are ${known}`);
  }
  if (kind === 'between') throw new TypeError(nameSettings(expected, (name) => `options.${name}`));
  throw new TypeError(`options.${key}: expected ${expected}, got ${shownValue(JSON.stringify(value) ?? String(value), SECRETS.has(key))}`);
}
