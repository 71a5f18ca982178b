import * as v from 'valibot';

/**
 * How a setting's value is written as text (a flag, an environment variable, a config file entry).
 * The server never reads text; the CLI picks its reader by this.
 */
export type TextForm = 'integer' | 'duration' | 'bytes' | 'text' | 'list' | 'ice-servers';

/** What the CLI needs to know of a setting beyond its schema, kept beside the schema as valibot metadata. */
export type SettingMeta = {
  /** Its flag without the dashes, also its config file key; none for an option only a library gives. */
  readonly flag?: string;
  /** Its environment variable. */
  readonly env?: string;
  /** A variable read when `env` is not set (`PORT`, which hosting platforms set). */
  readonly envFallback?: string;
  readonly form: TextForm;
  /** Its value is never shown: not in errors, not in logs, not in help. */
  readonly secret?: true;
  /** What leaving it unset (null, an empty list) means, for help and the README. */
  readonly unset?: string;
};

/**
 * Defines one setting: its schema (type and range), its default, one doc line (Markdown: the README
 * shows it as it is, `--help` without the marks) and how the CLI names and reads it.
 *
 * @example
 * ```ts
 * const roomCapacity = setting(wholeNumber(2, 256), 2, 'peers per room', { flag: 'room-capacity', env: 'ICEBREAKER_ROOM_CAPACITY', form: 'integer' });
 * ```
 */
export function setting<const TSchema extends v.GenericSchema, const TDefault extends v.InferInput<TSchema>>(
  schema: TSchema,
  fallback: TDefault,
  doc: string,
  meta: SettingMeta,
) {
  return v.optional(v.pipe(schema, v.description(doc), v.metadata(meta)), fallback);
}

/** A setting's parts, read back from its schema: its default, doc line and CLI metadata. */
export interface SettingInfo {
  readonly key: string;
  readonly fallback: unknown;
  readonly doc: string;
  readonly meta: SettingMeta;
}

/** Reads back what {@link setting} put in each entry of an object of settings, in order. */
export function settingInfos(entries: Readonly<Record<string, v.OptionalSchema<v.GenericSchema, unknown>>>): SettingInfo[] {
  return Object.entries(entries).map(([key, entry]) => ({
    key,
    fallback: v.getDefault(entry),
    doc: v.getDescription(entry.wrapped) ?? '',
    meta: v.getMetadata(entry.wrapped) as unknown as SettingMeta,
  }));
}
