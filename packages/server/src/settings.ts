/**
 * The definitions of the server's settings, for tools that read settings as text: each setting's
 * valibot schema with its default, doc line, flag, environment variable and text form. The CLI derives
 * its flags, `--help` and the README's table from these; a library caller needs only `startServer` or
 * `createSignalingServer`, which check their options against the same schemas.
 *
 * @example
 * ```ts
 * import { SERVER_SETTINGS, settingInfos } from '@icebreaker/server/settings';
 * for (const info of settingInfos(SERVER_SETTINGS)) console.log(`--${info.flag}`, info.doc);
 * ```
 * @module
 */
export { ServerConfigSchema } from './config/server-config.js';
export { RATE_BURST_SECONDS, SERVER_SETTINGS } from './config/server-settings.js';
export { type SettingInfo, type SettingMeta, setting, settingInfos, type TextForm } from './config/setting.js';
export { checkSettings, nameSettings, type SettingProblem, shownValue } from './config/setting-problem.js';
