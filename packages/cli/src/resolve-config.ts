import { IcebreakerError } from '@icebreaker/protocol';
import {
  checkSettings,
  nameSettings,
  SERVER_SETTINGS,
  ServerConfigSchema,
  type SettingProblem,
  shownValue,
} from '@icebreaker/server/settings';
import * as v from 'valibot';
import type { ConfigFile } from './config-file.js';
import { CLI_SETTINGS, CliConfigSchema, SERVE_SETTINGS, type ServeConfig } from './serve-settings.js';
import { readSettingText } from './setting-text.js';

/** `icebreaker serve`'s config when nothing is given: every setting's default. */
export const DEFAULT_SERVE_CONFIG: ServeConfig = { ...v.parse(ServerConfigSchema, {}), ...v.parse(CliConfigSchema, {}) };

/** Where a setting's value came from: how errors name it, and the text it was read from. */
interface Given {
  readonly name: string;
  readonly text: string;
}

/**
 * Builds `icebreaker serve`'s config from command-line flag values (by flag name, without dashes),
 * environment variables and a config file: a flag wins over its variable, which wins over the file,
 * which wins over `base`. Each text is read in its setting's form (`30s`, `64KiB`, lists), then checked
 * by the same schema as a library caller's options. Throws an `invalid-config` {@link IcebreakerError}
 * naming the flag, variable or file key as it was written.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ port: '9000' }, process.env);
 * ```
 */
export function resolveConfig(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  base: ServeConfig = DEFAULT_SERVE_CONFIG,
  file?: ConfigFile,
): ServeConfig {
  const given = new Map<string, Given>();
  const values: Record<string, unknown> = {};
  for (const { key, meta } of SERVE_SETTINGS) {
    // A variable set to nothing is refused rather than read as unset: `ICEBREAKER_AUTH_SECRET=$UNSET`
    // must not start a server that lets anyone in. (Only the variable of a fallback pair, such as
    // ICEBREAKER_PORT before PORT, may be empty: the next one is read.)
    const empty = meta.env !== undefined && env[meta.env] === '' && (meta.envFallback === undefined || !env[meta.envFallback]);
    if (empty && flags[meta.flag] === undefined) {
      throw new IcebreakerError('invalid-config', `${meta.env} is set but empty: unset it for the default, or give it a value`);
    }
    const fromEnv = [meta.env, meta.envFallback].find((name) => name !== undefined && env[name] !== undefined && env[name] !== '');
    const fileValue = file?.values[meta.flag];
    const source: Given | undefined =
      flags[meta.flag] !== undefined
        ? { name: `--${meta.flag}`, text: flags[meta.flag] as string }
        : fromEnv !== undefined
          ? { name: fromEnv, text: env[fromEnv] as string }
          : file !== undefined && fileValue !== undefined
            ? { name: `${file.name} "${meta.flag}"`, text: fileValue }
            : undefined;
    if (source === undefined) continue;
    given.set(key, source);
    values[key] = readSettingText(meta.form, source.text, meta.secret === true);
  }
  const pick = (keys: readonly string[], from: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(keys.flatMap((key) => (key in from ? [[key, from[key]]] : [])));
  const server = checkSettings(ServerConfigSchema, {
    ...pick(Object.keys(SERVER_SETTINGS), base),
    ...pick(Object.keys(SERVER_SETTINGS), values),
  });
  if (!server.ok) throw invalid(server.problem, given);
  const cli = checkSettings(CliConfigSchema, { ...pick(Object.keys(CLI_SETTINGS), base), ...pick(Object.keys(CLI_SETTINGS), values) });
  if (!cli.ok) throw invalid(cli.problem, given);
  return { ...server.output, ...cli.output };
}

/** Words a problem with each setting named as it was given (a setting not given: its flag). */
function invalid(problem: SettingProblem, given: ReadonlyMap<string, Given>): IcebreakerError {
  const name = (key: string) => {
    const flag = SERVE_SETTINGS.find((s) => s.key === key)?.meta.flag;
    return given.get(key)?.name ?? (flag === undefined ? key : `--${flag}`);
  };
  if (problem.kind === 'between') return new IcebreakerError('invalid-config', nameSettings(problem.expected, name));
  const secret = SERVE_SETTINGS.find((s) => s.key === problem.key)?.meta.secret === true;
  const text = given.get(problem.key)?.text ?? JSON.stringify(problem.value) ?? '';
  return new IcebreakerError(
    'invalid-config',
    `${name(problem.key)}: "${shownValue(text, secret)}" is not valid: expected ${problem.expected}`,
  );
}
