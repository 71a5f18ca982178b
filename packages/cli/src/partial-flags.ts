import { DISK_STORE_MAX_AGE_MS, DISK_STORE_MAX_BYTES } from './disk-store.js';
import { durationText, parseBytes, parseDuration } from './setting-text.js';

/** The flags that bound what a receiving folder keeps of unfinished files: `peer --receive` and `transfers` take them. */
export const PARTIAL_FLAGS = {
  'partial-max-age': { type: 'string' },
  'partial-max-bytes': { type: 'string' },
} as const;

/** Their lines of `--help`. */
export const PARTIAL_FLAGS_HELP = `  --partial-max-age <duration>
                        unfinished files not written to for this long are deleted (default ${durationText(DISK_STORE_MAX_AGE_MS)})
  --partial-max-bytes <size>
                        unfinished files of the folder together are kept under this size, the least
                        recently written deleted first; never the one being received (default 64GiB)`;

/** The `diskStore` options the flags give; throws an `invalid-config` error naming a bad one. */
export function partialBounds(values: { 'partial-max-age'?: string; 'partial-max-bytes'?: string }): {
  maxAgeMs: number;
  maxBytes: number;
} {
  return {
    maxAgeMs: parseDuration(
      values['partial-max-age'] ?? durationText(DISK_STORE_MAX_AGE_MS),
      '--partial-max-age',
      60_000,
      8760 * 3_600_000,
    ),
    maxBytes: parseBytes(values['partial-max-bytes'] ?? `${DISK_STORE_MAX_BYTES}`, '--partial-max-bytes', 0, 2 ** 50),
  };
}
