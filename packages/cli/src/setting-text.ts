import { IcebreakerError } from '@icebreaker/protocol';
import type { TextForm } from '@icebreaker/server/settings';

// How the CLI writes and reads each form of value as text. A reader never throws: text it cannot read
// becomes a value the setting's schema refuses (NaN, an empty item), so every error says what was
// expected in the same words, whether the value came from a flag, a variable, a file or a library call.

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Reads `250ms`, `30s`, `2m`, `1h`, or a bare number of milliseconds; NaN for anything else. */
function readDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1)) : Number.NaN;
}

/** Reads `65536`, `64KiB`, `1.5MiB`; a fraction of a byte is left for the schema to refuse. */
function readBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?) ?(B|KiB|MiB|GiB)?$/.exec(text.trim());
  return match ? Number(match[1]) * (BYTE_UNITS[match[2] ?? 'B'] ?? 1) : Number.NaN;
}

function readList(text: string): string[] {
  // An empty value given on purpose (`--allowed-origin "$UNSET"`) is an error, not "nothing listed":
  // for origins, nothing listed means any origin.
  if (text.trim() === '') return [''];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function readIceServers(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'none' || trimmed === '' || trimmed === '[]') return [];
  if (!trimmed.startsWith('[')) return trimmed.split(',').map((part) => ({ urls: part.trim() }));
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    // The text itself, which the schema refuses (undefined would mean "not given": the default).
    return trimmed;
  }
}

/**
 * Reads a setting's text in its form. A secret's text is kept as it is (the `token` command signs
 * with the same variable: both must agree byte for byte); other text is trimmed.
 */
export function readSettingText(form: TextForm, text: string, secret: boolean): unknown {
  switch (form) {
    case 'integer':
      return /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    case 'duration':
      return readDuration(text);
    case 'bytes':
      return readBytes(text);
    case 'list':
      return readList(text);
    case 'ice-servers':
      return readIceServers(text);
    case 'text':
      return secret ? text : text.trim();
  }
}

/** Writes a duration the way a flag takes it: `15s`, `2m`, `1h` (the largest unit that divides it). */
export function durationText(ms: number): string {
  const unit = (['h', 'm', 's'] as const).find((u) => ms !== 0 && ms % (DURATION_UNITS[u] as number) === 0);
  return unit === undefined ? `${ms}ms` : `${ms / (DURATION_UNITS[unit] as number)}${unit}`;
}

/** Writes a size the way a flag takes it: `64KiB`, `1MiB` (the largest unit that divides it). */
export function bytesText(bytes: number): string {
  const unit = (['GiB', 'MiB', 'KiB'] as const).find((u) => bytes !== 0 && bytes % (BYTE_UNITS[u] as number) === 0);
  return unit === undefined ? String(bytes) : `${bytes / (BYTE_UNITS[unit] as number)}${unit}`;
}

/** Writes a setting's value as its flag would take it, for help and the README. */
export function settingText(form: TextForm, value: unknown): string {
  if (form === 'duration') return durationText(value as number);
  if (form === 'bytes') return bytesText(value as number);
  if (form === 'ice-servers') return (value as readonly { urls: string | string[] }[]).flatMap((s) => [s.urls].flat()).join(',');
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * Reads the text of a duration flag of a CLI command (`--ttl 15m`, `--wait 30s`): `250ms`, `30s`,
 * `2m`, `1h` or bare milliseconds, from `minMs` to `maxMs`. Throws an `invalid-config` error naming `name`.
 */
export function parseDuration(text: string, name: string, minMs: number, maxMs: number): number {
  const ms = readDuration(text);
  if (Number.isSafeInteger(ms) && ms >= minMs && ms <= maxMs) return ms;
  throw new IcebreakerError(
    'invalid-config',
    `${name}: "${text.slice(0, 80)}" is not valid: expected a duration from ${durationText(minMs)} to ${durationText(maxMs)} (500ms, 30s or 2m)`,
  );
}

/**
 * Reads the text of a size flag of a CLI command (`--partial-max-bytes 64GiB`): bytes, `KiB`, `MiB` or
 * `GiB`, a whole number of bytes from `min` to `max`. Throws an `invalid-config` error naming `name`.
 */
export function parseBytes(text: string, name: string, min: number, max: number): number {
  const bytes = readBytes(text);
  if (Number.isSafeInteger(bytes) && bytes >= min && bytes <= max) return bytes;
  throw new IcebreakerError(
    'invalid-config',
    `${name}: "${text.slice(0, 80)}" is not valid: expected a size from ${bytesText(min)} to ${bytesText(max)} (512MiB or 64GiB)`,
  );
}
