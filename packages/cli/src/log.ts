import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The CLI's logger: one JSON object per line (what log collectors read) when `out` is a pipe or a
 * file, and a short human line (`12:00:01 INFO peer joined room=demo`) when it is a terminal.
 */
export function createLogger(out: NodeJS.WritableStream & { isTTY?: boolean }, level: LevelWithSilent): Logger {
  const options = { level, base: null, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(options, out.isTTY ? humanReadable(out) : (out as DestinationStream));
}

function humanReadable(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const clock = typeof time === 'string' ? time.slice(11, 19) : '';
      const rest = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      out.write(`${clock} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${String(msg)}${rest ? ` ${rest}` : ''}\n`);
    },
  };
}
