import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '@icebreaker/protocol';
import { DEFAULT_CONFIG, SETTINGS } from '@icebreaker/server';
import { describe, expect, it } from 'vitest';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** Every Markdown table row of the README as trimmed cells (the formatter pads columns). */
const ROWS = [...README.matchAll(/^\|(.+)\|$/gm)].map(([, row]) => (row as string).split('|').map((cell) => cell.trim()));

describe('the README stays true to the code', () => {
  it('lists every error code with its meaning, and no others', () => {
    const table = ROWS.filter((cells) => cells.length === 2).map(([code = '', meaning]) => [code.replaceAll('`', ''), meaning]);
    expect(Object.fromEntries(table.filter(([code]) => Object.hasOwn(ERROR_CODES, code as string)))).toEqual(
      Object.fromEntries(Object.entries(ERROR_CODES).map(([code, meaning]) => [code, meaning])),
    );
  });

  it('documents every server setting with its flag and variable', () => {
    for (const setting of SETTINGS) {
      const row = ROWS.find((cells) => cells[0] === `\`--${setting.flag}\``);
      expect(row?.[1], setting.flag).toContain(`\`${setting.env}\``);
      expect(DEFAULT_CONFIG[setting.key]).toBeDefined();
    }
  });

  it('gives the quick-start commands that package.json defines', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(README).toContain('npm ci && npm start');
    expect(README).toContain('npm test');
    expect(pkg.scripts.start).toContain('serve');
    expect(pkg.scripts.test).toContain('vitest run');
    expect(readFileSync(join(import.meta.dirname, '..', '..', '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
