import type { ServerConfig } from '@icebreaker/server';
import { SERVER_SETTINGS, type SettingInfo, setting, settingInfos } from '@icebreaker/server/settings';
import * as v from 'valibot';

/** The levels pino knows, lowest last; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A level the CLI's logger may be set to. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const logLevelExpected = `one of ${LOG_LEVELS.join(', ')}`;

/**
 * Settings of `icebreaker serve` that are not the server's: a library caller hands the server a
 * logger of its own, the CLI makes one at this level.
 */
export const CLI_SETTINGS = {
  logLevel: setting(
    v.picklist(LOG_LEVELS, logLevelExpected),
    'info',
    `lowest level logged: ${LOG_LEVELS.map((level) => `\`${level}\``).join(', ')}`,
    { flag: 'log-level', env: 'ICEBREAKER_LOG_LEVEL', form: 'text' },
  ),
};

/** The schema of the CLI's own settings. */
export const CliConfigSchema = v.pipe(v.strictObject(CLI_SETTINGS), v.readonly());

/** What `icebreaker serve` runs with: the server's config and the CLI's own settings. */
export type ServeConfig = ServerConfig & v.InferOutput<typeof CliConfigSchema>;

/**
 * Every setting `icebreaker serve` takes as a flag, variable or config file key, in the order of
 * `--help` and the README: the server's, then the CLI's own.
 */
export const SERVE_SETTINGS: readonly (SettingInfo & { readonly meta: { readonly flag: string; readonly env: string } })[] = [
  ...settingInfos(SERVER_SETTINGS),
  ...settingInfos(CLI_SETTINGS),
].flatMap((info) => {
  const { flag, env } = info.meta;
  return flag === undefined || env === undefined ? [] : [{ ...info, meta: { ...info.meta, flag, env } }];
});
