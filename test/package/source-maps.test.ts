import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** What `npm pack` would put in the tarball (of the built tree: run after `npm run build`). */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return new Set(pack?.files.map((file) => file.path));
}

interface SourceMap {
  readonly sourceRoot?: string;
  readonly sources: readonly string[];
  readonly sourcesContent?: ReadonlyArray<string | null>;
}

describe('the published package', () => {
  it('has source maps whose sources are in the package, so stack traces and debuggers reach the TypeScript', async () => {
    const files = await packedFiles();
    const maps = [...files].filter((path) => path.endsWith('.map'));
    // Both kinds: .js.map for stack traces, .d.ts.map for "go to definition" in an editor.
    expect(maps).toContain('packages/client/dist/index.js.map');
    expect(maps).toContain('dist/client/index.d.ts.map');

    const unresolved: string[] = [];
    for (const path of maps) {
      const map = JSON.parse(await readFile(join(ROOT, path), 'utf8')) as SourceMap;
      map.sources.forEach((source, i) => {
        const target = posix.normalize(posix.join(dirname(path), map.sourceRoot ?? '', source));
        if (!files.has(target) && typeof map.sourcesContent?.[i] !== 'string') unresolved.push(`${path} → ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  it('ships the built entry points and their types, and no tests', async () => {
    const files = await packedFiles();
    for (const entry of ['protocol', 'client', 'server']) {
      expect(files).toContain(`dist/${entry}/index.js`);
      expect(files).toContain(`dist/${entry}/index.d.ts`);
    }
    expect([...files].filter((path) => path.startsWith('test/') || path.includes('tsconfig'))).toEqual([]);
  });
});
