import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGES = join(import.meta.dirname, '..', '..', 'packages');

/** What `npm pack` would put in a package's tarball (of the built tree: run after `npm run build`). */
async function packedFiles(name: string): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(PACKAGES, name) });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return new Set(pack?.files.map((file) => file.path));
}

interface SourceMap {
  readonly sourceRoot?: string;
  readonly sources: readonly string[];
  readonly sourcesContent?: ReadonlyArray<string | null>;
}

describe.each(['protocol', 'client', 'server', 'cli'])('the published package packages/%s', (name) => {
  it('has source maps whose sources are in the package, so stack traces and debuggers reach the TypeScript', async () => {
    const files = await packedFiles(name);
    const maps = [...files].filter((path) => path.endsWith('.map'));
    // Both kinds: .js.map for stack traces, .d.ts.map for "go to definition" in an editor.
    expect(maps).toContain(name === 'cli' ? 'dist/main.js.map' : 'dist/index.js.map');
    expect(maps).toContain(name === 'cli' ? 'dist/main.d.ts.map' : 'dist/index.d.ts.map');

    const unresolved: string[] = [];
    for (const path of maps) {
      const map = JSON.parse(await readFile(join(PACKAGES, name, path), 'utf8')) as SourceMap;
      map.sources.forEach((source, i) => {
        const target = posix.normalize(posix.join(dirname(path), map.sourceRoot ?? '', source));
        if (!files.has(target) && typeof map.sourcesContent?.[i] !== 'string') unresolved.push(`${path} → ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  it('ships its built entry point and types, and no tests or build configs', async () => {
    const files = await packedFiles(name);
    const entry = name === 'cli' ? 'main' : 'index';
    expect(files).toContain(`dist/${entry}.js`);
    expect(files).toContain(`dist/${entry}.d.ts`);
    expect([...files].filter((path) => path.startsWith('test/') || path.includes('tsconfig') || path.endsWith('.tsbuildinfo'))).toEqual([]);
  });
});

describe('the browser package', () => {
  it('depends on nothing that runs only on a server (a browser user installs no server code)', async () => {
    const manifest = JSON.parse(await readFile(join(PACKAGES, 'client', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const protocol = JSON.parse(await readFile(join(PACKAGES, 'protocol', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const installed = [...Object.keys(manifest.dependencies), ...Object.keys(protocol.dependencies)].sort();
    expect(installed).toEqual(['@icebreaker/protocol', '@noble/hashes', 'valibot']);
  });
});
