import { SERVE_SETTINGS } from './serve-settings.js';
import { settingText } from './setting-text.js';

const PLACEHOLDERS = {
  integer: '<n>',
  duration: '<duration>',
  bytes: '<bytes>',
  text: '<value>',
  list: '<value>',
  'ice-servers': '<servers>',
};
const COLUMN = 36;
const WIDTH = 110;

/** A doc line without its Markdown: no backticks, links reduced to their text. */
const plain = (doc: string) => doc.replaceAll('`', '').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');

/** Breaks `text` into lines that fit `width`, between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** One option of the help: its flag, its doc line wrapped, then its variable and default. */
function option(flag: string, doc: string, footer: string): string {
  const [first = '', ...rest] = wrap(doc, WIDTH - COLUMN);
  const indent = ''.padEnd(COLUMN);
  return [`  ${flag.padEnd(COLUMN - 3)} ${first}`, ...rest.map((line) => indent + line), indent + footer].join('\n');
}

/** `icebreaker serve --help`, written from the settings' definitions. */
export const SERVE_HELP = `Usage: icebreaker serve [options]

Serves the teaching page and the signaling endpoint on one port. Logs go to stdout (JSON lines, or
short human lines on a terminal). SIGTERM drains (clients are told to reconnect elsewhere), SIGINT
closes at once.

Options (each also read from the environment variable shown, then from the config file; durations
take ms, s, m or h, sizes KiB, MiB or GiB):
${option('--config <file>', 'JSON object of settings named like the flags, e.g. {"port": 8080}', 'env ICEBREAKER_CONFIG')}
${SERVE_SETTINGS.map(({ meta, doc, fallback }) => {
  const env = meta.envFallback === undefined ? meta.env : `${meta.env} (or ${meta.envFallback})`;
  const unset = fallback === null || (Array.isArray(fallback) && fallback.length === 0);
  const shown = unset ? plain(meta.unset ?? 'none') : settingText(meta.form, fallback);
  return option(`--${meta.flag} ${PLACEHOLDERS[meta.form]}`, plain(doc), `env ${env}; default ${shown}`);
}).join('\n')}
  ${'--help'.padEnd(COLUMN - 3)} show this help
`;
