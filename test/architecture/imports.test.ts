import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Which rooms each room may import from (STYLE.md: web → client → protocol, cli → server → protocol). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  protocol: ['protocol'],
  client: ['client', 'protocol'],
  web: ['web', 'client', 'protocol'],
  server: ['server', 'protocol'],
  cli: ['cli', 'server', 'protocol', 'client'],
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

/** Every module a file imports from src, type-only and dynamic `import()` included, as paths of .ts files. */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const dynamic = [...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
  return [...imports(file), ...dynamic]
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => join(file, '..', spec).replace(/\.js$/, '.ts'));
}

/**
 * The import cycles among `files`, each as the list of its modules (Tarjan's strongly connected
 * components: a component of more than one module, or a module that imports itself, is a cycle).
 */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, localImports(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === file) break;
    }
    if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component.map((f) => relative(SRC, f)).sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe('layering', () => {
  const all = files(SRC);

  it.each(Object.keys(ALLOWED))('src/%s imports only what its room may', (room) => {
    const offences: string[] = [];
    for (const file of all.filter((f) => relative(SRC, f).startsWith(`${room}/`))) {
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) {
          const target = relative(SRC, join(file, '..', spec)).split('/')[0] as string;
          if (!ALLOWED[room]?.includes(target)) offences.push(`${relative(SRC, file)} → ${spec}`);
        } else if (spec.startsWith('node:') && (room === 'protocol' || room === 'client' || room === 'web')) {
          offences.push(`${relative(SRC, file)} → ${spec} (no Node APIs here)`);
        } else if (spec === 'ws' && room !== 'server' && room !== 'cli') {
          offences.push(`${relative(SRC, file)} → ws (only Node code uses it: the server, and the CLI's peer)`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  // A cycle makes two modules one in all but name: neither can be read, tested or moved without the
  // other, and an import order decides what is initialised first (issue 10 §4).
  // src/web is left out until its lesson ↔ lesson-record cycle is undone (another part of issue 10).
  it.each(Object.keys(ALLOWED).filter((room) => room !== 'web'))('src/%s has no import cycle', (room) => {
    expect(cycles(all.filter((f) => relative(SRC, f).startsWith(`${room}/`)))).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(cycles([join(import.meta.dirname, 'fixtures', 'cycle-a.ts'), join(import.meta.dirname, 'fixtures', 'cycle-b.ts')])).toHaveLength(
      1,
    );
  });

  it('keeps DOM globals out of the protocol', () => {
    for (const file of all.filter((f) => relative(SRC, f).startsWith('protocol/'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(window|document|RTCPeerConnection|WebSocket)\b/);
    }
  });
});
