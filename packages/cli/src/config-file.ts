import { IcebreakerError } from '@icebreaker/protocol';
import { SERVE_SETTINGS } from './serve-settings.js';

/** A config file's settings, keyed by flag name, each in the text form its flag takes. */
export interface ConfigFile {
  /** How errors name the file (its path). */
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Reads a config file's text: a JSON object whose keys are the flag names (`"port": 8080`,
 * `"allowed-origin": ["https://app.example"]`, `"ice-servers": [{ "urls": "stun:…" }]`). Values are
 * checked later, like flags; unknown keys are refused so that a typo is not ignored. Throws an
 * `invalid-config` error naming the file.
 */
export function parseConfigFile(name: string, text: string): ConfigFile {
  let json: unknown;
  try {
    // Editors on some systems start UTF-8 files with a byte-order mark; JSON.parse would call it a token.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new IcebreakerError('invalid-config', `${name}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new IcebreakerError('invalid-config', `${name}: expected a JSON object of settings, like {"port": 8080}`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    const setting = SERVE_SETTINGS.find((s) => s.meta.flag === key);
    if (!setting) {
      throw new IcebreakerError(
        'invalid-config',
        `${name}: unknown setting "${key.slice(0, 40)}"; settings are named like the flags: ${SERVE_SETTINGS.map((s) => s.meta.flag).join(', ')}`,
      );
    }
    // Each value has the shape its flag's text stands for: a string or number; a list of strings for
    // a repeatable setting; ICE servers also as the JSON array of objects the flag takes.
    const { form } = setting.meta;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
    else if (Array.isArray(value) && form === 'list' && value.every((item) => typeof item === 'string')) values[key] = value.join(',');
    else if (Array.isArray(value) && form === 'ice-servers') values[key] = JSON.stringify(value);
    else {
      const expected =
        form === 'list' ? 'a string or a list of strings' : form === 'ice-servers' ? 'a list of ICE servers' : 'a string or a number';
      throw new IcebreakerError('invalid-config', `${name} "${key}": expected ${expected}, not ${JSON.stringify(value)?.slice(0, 80)}`);
    }
  }
  return { name, values };
}
