import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type DiskPartial, diskStore } from './disk-store.js';
import { PARTIAL_FLAGS, PARTIAL_FLAGS_HELP, partialBounds } from './partial-flags.js';
import { printable } from './printable.js';

export const TRANSFERS_HELP = `Usage: icebreaker transfers list <dir> [--json]
       icebreaker transfers discard <dir> <id>… | --all

Lists, or deletes, the unfinished files in a folder that "icebreaker peer --receive <dir>" was
receiving into. Each is kept beside where it will be saved, as <name>.icebreaker-part (its bytes)
and <name>.icebreaker-manifest (what it is, and a SHA-256 per chunk stored); the next
"icebreaker peer --receive <dir>" asks the peers it meets to resume them, from the first chunk not on
disk. Listing also deletes those past the bounds below, and any whose manifest cannot be read.

Options:
  --json                list as JSON: an array of {id, name, path, target, size, bytes, chunks, updatedAt, active}
  --all                 discard every unfinished file of the folder
${PARTIAL_FLAGS_HELP}
  --help                show this help

Exit codes: 0 done, 1 an id given to discard is not there, 2 bad usage.
`;

interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Runs `icebreaker transfers` and resolves with its exit code. */
export async function transfers(argv: readonly string[], io: Io): Promise<number> {
  const usage = (message: string): number => {
    io.err.write(`icebreaker transfers: ${message}\nRun "icebreaker transfers --help" for the options.\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    io.out.write(TRANSFERS_HELP);
    return 0;
  }
  const [action, dir, ...ids] = positionals;
  if (action !== 'list' && action !== 'discard') return usage('say list or discard, then the folder');
  if (dir === undefined || !(await stat(dir).catch(() => null))?.isDirectory()) return usage(`no folder at ${dir ?? '(none given)'}`);
  if (action === 'list' && (ids.length > 0 || values.all)) return usage('list takes only the folder');
  if (action === 'discard' && values.json) return usage('--json is for list');
  if (action === 'discard' && Boolean(values.all) === ids.length > 0)
    return usage('discard takes the ids of the files to delete, or --all');
  let bounds: ReturnType<typeof partialBounds>;
  try {
    bounds = partialBounds(values);
  } catch (error) {
    return usage((error as Error).message);
  }
  const store = diskStore(dir, {
    ...bounds,
    onDropped: ({ manifest, reason, error }) =>
      io.err.write(`deleted ${printable(manifest)}: ${reason === 'unreadable' ? printable(error?.message ?? '') : reason}\n`),
  });
  const partials = await store.list();
  if (action === 'list') {
    io.out.write(values.json ? `${JSON.stringify(partials.map(asJson), null, 2)}\n` : partials.map(line).join(''));
    if (!values.json && partials.length === 0) io.err.write(`no unfinished files in ${printable(dir)}\n`);
    return 0;
  }
  const targets = values.all ? partials : partials.filter((p) => ids.includes(p.info.id));
  for (const partial of targets) {
    await store.discard(partial.info.id);
    io.out.write(`discarded ${printable(partial.info.id)} ${printable(partial.target)}\n`);
  }
  const missing = ids.filter((id) => !partials.some((p) => p.info.id === id));
  for (const id of missing) io.err.write(`icebreaker transfers: no unfinished file of id ${printable(id)} in ${printable(dir)}\n`);
  return missing.length > 0 ? 1 : 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { json: { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean' }, ...PARTIAL_FLAGS },
    allowPositionals: true,
    strict: true,
  });
}

function asJson(p: DiskPartial) {
  return {
    id: p.info.id,
    name: p.info.name,
    ...(p.info.path === undefined ? {} : { path: p.info.path }),
    target: p.target,
    size: p.info.size,
    bytes: p.bytes,
    chunks: p.chunks,
    updatedAt: new Date(p.updatedAt).toISOString(),
    active: p.active,
  };
}

/** `<id>  photos/a.jpg  42% 84.0/200.0 MiB, written 2026-05-01T10:00:00.000Z`: names from a peer escaped. */
function line(p: DiskPartial): string {
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const percent = p.info.size === 0 ? 100 : Math.floor((p.bytes / p.info.size) * 100);
  return `${printable(p.info.id)}  ${printable(p.target)}  ${percent}% ${mib(p.bytes)}/${mib(p.info.size)} MiB, written ${new Date(p.updatedAt).toISOString()}\n`;
}
