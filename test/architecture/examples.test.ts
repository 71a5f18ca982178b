import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

describe('examples', () => {
  it('use Icebreaker through the package name, as an application would, never through its sources', () => {
    const offences: string[] = [];
    for (const file of sources(EXAMPLES)) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)];
      for (const [, spec = ''] of specifiers) {
        // A relative import stays inside its example's folder.
        if (spec.startsWith('..') || spec.includes('/src/') || spec.includes('/dist/'))
          offences.push(`${relative(EXAMPLES, file)} → ${spec}`);
      }
    }
    expect(offences).toEqual([]);
    expect(sources(EXAMPLES).some((file) => readFileSync(file, 'utf8').includes("from '@icebreaker/client'"))).toBe(true);
  });
});
