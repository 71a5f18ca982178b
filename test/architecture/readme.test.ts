import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '@icebreaker/protocol';
import { describe, expect, it } from 'vitest';
import { SERVE_SETTINGS } from '../../packages/cli/src/serve-settings.js';
import { settingsTable } from '../../packages/cli/src/settings-table.js';

const README_PATH = join(import.meta.dirname, '..', '..', 'README.md');
const README = readFileSync(README_PATH, 'utf8');

/** Every Markdown table row of the README as trimmed cells (the formatter pads columns). */
const ROWS = [...README.matchAll(/^\|(.+)\|$/gm)].map(([, row]) => (row as string).split('|').map((cell) => cell.trim()));

describe('the README stays true to the code', () => {
  it('lists every error code with its meaning, and no others', () => {
    const table = ROWS.filter((cells) => cells.length === 2).map(([code = '', meaning]) => [code.replaceAll('`', ''), meaning]);
    expect(Object.fromEntries(table.filter(([code]) => Object.hasOwn(ERROR_CODES, code as string)))).toEqual(
      Object.fromEntries(Object.entries(ERROR_CODES).map(([code, meaning]) => [code, meaning])),
    );
  });

  // The table is made from the settings' definitions (src/server/config, src/cli/serve-settings.ts).
  // After changing one, rewrite it with: UPDATE_README=1 npx vitest run test/architecture/readme.test.ts
  it('holds the settings table made from the settings, flag, variable, default and meaning', () => {
    const table = README.match(/^\| flag .*\n(?:\|.*\n)*/m)?.[0].trimEnd() ?? '';
    if (process.env.UPDATE_README && table !== settingsTable()) writeFileSync(README_PATH, README.replace(table, settingsTable()));
    else expect(table).toBe(settingsTable());
  });

  it('has a row for every setting, so a setting left out of the table is seen', () => {
    for (const { meta } of SERVE_SETTINGS) {
      const row = ROWS.find((cells) => cells[0] === `\`--${meta.flag}\``);
      expect(row?.[1], meta.flag).toContain(`\`${meta.env}\``);
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
