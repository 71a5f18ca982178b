import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGES = join(import.meta.dirname, '..', '..', 'packages');

/** Which packages each package may import (STYLE.md: web → client → protocol, cli → server → protocol). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  client: ['protocol'],
  web: ['client', 'protocol'],
  server: ['protocol'],
  cli: ['server', 'protocol', 'client'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
}

/** Whether a package's manifest exports the subpath, so that importing it is public use, not a reach into its internals. */
const exported = (pkg: string, subpath: string): boolean =>
  Object.hasOwn(JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')).exports ?? {}, subpath);
const sources = (room: string) => files(join(PACKAGES, room, 'src'));
const name = (file: string) => relative(PACKAGES, file);

describe('layering', () => {
  it.each(Object.keys(ALLOWED))('packages/%s imports only what it may', (room) => {
    const offences: string[] = [];
    const src = join(PACKAGES, room, 'src');
    for (const file of sources(room)) {
      for (const spec of imports(file)) {
        const other = /^@icebreaker\/([^/]+)(\/.*)?$/.exec(spec);
        if (spec.startsWith('.')) {
          // Relative imports stay inside the package's own sources.
          if (relative(src, join(file, '..', spec)).startsWith('..')) offences.push(`${name(file)} → ${spec} (outside the package)`);
        } else if (other) {
          if (!ALLOWED[room]?.includes(other[1] as string)) offences.push(`${name(file)} → ${spec}`);
          if (other[2] && !exported(other[1] as string, `.${other[2]}`))
            offences.push(`${name(file)} → ${spec} (not in the package's exports)`);
        } else if (spec.startsWith('node:') && (room === 'protocol' || room === 'client' || room === 'web')) {
          offences.push(`${name(file)} → ${spec} (no Node APIs here)`);
        } else if (spec === 'ws' && room !== 'server' && room !== 'cli') {
          offences.push(`${name(file)} → ws (only Node code uses it: the server, and the CLI's peer)`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it('keeps DOM globals out of the protocol', () => {
    for (const file of sources('protocol')) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(window|document|RTCPeerConnection|WebSocket)\b/);
    }
  });

  it.each(Object.keys(ALLOWED))('packages/%s has no import cycle', (room) => {
    expect(cycles(sources(room))).toEqual([]);
  });

  it('finds a cycle when there is one (two fixture modules that import each other)', () => {
    const fixtures = ['cycle-a.ts', 'cycle-b.ts'].map((file) => join(import.meta.dirname, 'fixtures', file));
    expect(cycles(fixtures)).toHaveLength(1);
  });
});

/** Each import cycle among `files` (relative imports, type-only and `import()` included), as "a → b → a". */
function cycles(files: readonly string[]): string[] {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
    graph.set(
      file,
      [...imports(file), ...dynamic].filter((spec) => spec.startsWith('.')).map((spec) => join(file, '..', spec.replace(/\.js$/, '.ts'))),
    );
  }
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file].map((f) => relative(join(PACKAGES, '..'), f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}
