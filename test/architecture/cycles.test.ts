import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The rooms checked for circles: those this file's checks are known to hold for. */
const ROOMS = ['protocol', 'client', 'web'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Relative imports of `file`, type-only ones included (a circle of types is still a circle to read). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1] as string);
}

function resolve(from: string, spec: string): string {
  const target = join(dirname(from), spec.replace(/\.js$/, '.ts'));
  return existsSync(target) ? target : join(dirname(from), spec);
}

describe('imports', () => {
  const all = ROOMS.flatMap((room) => files(join(SRC, room)));

  it(`go round in no circle in src/${ROOMS.join(', src/')}`, () => {
    const graph = new Map(all.map((file) => [file, imports(file).map((spec) => resolve(file, spec))]));
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      path.pop();
      state.set(file, 'done');
    };
    for (const file of all) visit(file);
    expect(circles).toEqual([]);
  });

  it('reach another room only through its index (its public exports)', () => {
    const offences: string[] = [];
    for (const file of all.filter((f) => !relative(SRC, f).startsWith('protocol/'))) {
      const room = relative(SRC, file).split('/')[0];
      for (const spec of imports(file)) {
        const target = relative(SRC, resolve(file, spec));
        if (target.split('/')[0] !== room && !/^\w+\/index\.ts$/.test(target)) offences.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
