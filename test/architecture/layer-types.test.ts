import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/**
 * Compiles one snippet with a layer's own tsconfig (packages/<layer>/tsconfig.json, the one `npm run
 * typecheck` uses) and returns the compiler's diagnostics, empty when it compiles.
 */
async function compileIn(dir: string, layer: string, source: string): Promise<string> {
  const case_ = await mkdtemp(join(dir, `${layer}-`));
  await writeFile(join(case_, 'snippet.ts'), `${source}\nexport {};\n`);
  await writeFile(
    join(case_, 'tsconfig.json'),
    // The layer's libs and types; not its build settings (rootDir, composite), which place outputs.
    JSON.stringify({
      extends: join(ROOT, 'packages', layer, 'tsconfig.json'),
      compilerOptions: { rootDir: '.', composite: false, noEmit: true },
      include: [],
      files: ['snippet.ts'],
    }),
  );
  try {
    await promisify(execFile)(TSC, ['-p', case_]);
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe("each layer compiles against its own environment's types only", () => {
  let dir = '';
  beforeAll(async () => {
    // Inside the repository, so that `types: ["node"]` finds node_modules/@types; test-results/ is git-ignored.
    await mkdir(join(ROOT, 'test-results'), { recursive: true });
    dir = await mkdtemp(join(ROOT, 'test-results', 'layer-types-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['client', 'Buffer', "Buffer.from('x');"],
    ['client', 'process', 'process.exitCode = 1;'],
    ['web', 'Buffer', 'Buffer.alloc(1);'],
    ['protocol', 'Buffer', 'Buffer.alloc(1);'],
    ['protocol', 'document', 'document.title;'],
    ['server', 'document', 'document.title;'],
    ['server', 'window', 'window.location;'],
  ])('packages/%s rejects `%s`', async (layer, name, source) => {
    expect(await compileIn(dir, layer, source)).toContain(`Cannot find name '${name}'`);
  });

  it.each([
    ['client', 'new RTCPeerConnection();'],
    ['web', "document.createElement('p');"],
    ['server', "Buffer.from('x'); process.exitCode = 0;"],
    ['cli', "Buffer.from('x'); new RTCPeerConnection();"],
  ])('packages/%s compiles what its environment has', async (layer, source) => {
    expect(await compileIn(dir, layer, source)).toBe('');
  });
});
