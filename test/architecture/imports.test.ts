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

  it('keeps DOM globals out of the protocol', () => {
    for (const file of all.filter((f) => relative(SRC, f).startsWith('protocol/'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(window|document|RTCPeerConnection|WebSocket)\b/);
    }
  });
});
