import { SERVE_SETTINGS } from './serve-settings.js';
import { settingText } from './setting-text.js';

/**
 * The README's table of `icebreaker serve`'s settings (flag, variable, default, meaning), written from
 * the settings' definitions, its columns padded as the Markdown formatter pads them. A test checks
 * that the README holds exactly this.
 */
export function settingsTable(): string {
  const rows = [
    ['flag', 'environment variable', 'default', 'meaning'],
    ...SERVE_SETTINGS.map(({ meta, doc, fallback }) => {
      const unset = fallback === null || (Array.isArray(fallback) && fallback.length === 0);
      return [
        `\`--${meta.flag}\``,
        meta.envFallback === undefined ? `\`${meta.env}\`` : `\`${meta.env}\` (or \`${meta.envFallback}\`)`,
        unset ? (meta.unset ?? 'none') : `\`${settingText(meta.form, fallback)}\``,
        doc,
      ];
    }),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length))) ?? [];
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [head = [], ...body] = rows;
  return [line(head), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)].join('\n');
}
