import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { IcebreakerError, isIcebreakerError } from '@icebreaker/protocol';
import { startServer, TEACHING_PAGE_DIR } from '@icebreaker/server';
import { type ConfigFile, parseConfigFile } from './config-file.js';
import { createLogger } from './log.js';
import { DEFAULT_SERVE_CONFIG, resolveConfig } from './resolve-config.js';
import { SERVE_HELP } from './serve-help.js';
import { SERVE_SETTINGS } from './serve-settings.js';

/**
 * Runs `icebreaker serve` until SIGINT or SIGTERM. Resolves with the process exit code:
 * 0 after a clean shutdown, 2 for a bad flag or value, 1 when the server cannot start.
 */
export async function serve(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let flags: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean' },
        config: { type: 'string' },
        ...Object.fromEntries(SERVE_SETTINGS.map(({ meta }) => [meta.flag, { type: 'string' as const, multiple: meta.form === 'list' }])),
      },
      strict: true,
      allowPositionals: false,
    });
    if (parsed.values.help) {
      out.write(SERVE_HELP);
      return 0;
    }
    // A repeated flag's values become one comma-separated list, the form its variable takes.
    flags = Object.fromEntries(
      Object.entries(parsed.values).map(([flag, value]) => [flag, Array.isArray(value) ? value.join(',') : value]),
    ) as Record<string, string | undefined>;
  } catch (error) {
    err.write(`icebreaker serve: ${(error as Error).message}\nRun "icebreaker serve --help" for the options.\n`);
    return 2;
  }

  let config: ReturnType<typeof resolveConfig>;
  try {
    const file = await readConfigFile(flags.config ?? env.ICEBREAKER_CONFIG, flags.config === undefined ? 'ICEBREAKER_CONFIG' : '--config');
    config = resolveConfig(flags, env, { ...DEFAULT_SERVE_CONFIG, staticDir: TEACHING_PAGE_DIR }, file);
  } catch (error) {
    if (!isIcebreakerError(error)) throw error;
    err.write(`icebreaker serve: ${error.message}\n`);
    return 2;
  }

  // A log reader or terminal that goes away (EPIPE) must not take the server and its rooms with it:
  // what is written after that is lost, nothing else.
  for (const stream of [out, err]) stream.on('error', () => {});
  const logger = createLogger(out, config.logLevel);
  let server: Awaited<ReturnType<typeof startServer>>;
  // Start-up waits for Redis (10 s at most): say so, or a node that cannot reach it looks hung.
  if (config.redisUrl !== null) err.write(`Connecting to Redis at ${redisAddress(config.redisUrl)} (up to 10 s)…\n`);
  try {
    const { logLevel: _, ...settings } = config;
    server = await startServer({ ...settings, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use; choose another with --port`
        : code === 'EACCES'
          ? `not allowed to listen on port ${config.port}; choose one above 1023 with --port`
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL'
            ? `cannot listen on host ${config.host}: it is not an address of this machine (${code}); give one with --host, e.g. 127.0.0.1 or 0.0.0.0`
            : (error as Error).message;
    err.write(`icebreaker serve: cannot start: ${why}\n`);
    return 1;
  }

  // Listen for the stop signals before announcing readiness: whoever reads the announcement may
  // signal at once (pipe writes are synchronous on Linux).
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const ice = config.iceServers.flatMap((s) => [s.urls].flat()).join(', ') || 'none (host candidates only)';
  const auth = config.authSecret === null ? 'OPEN: anyone may join any room (set --auth-secret to require tokens)' : 'room tokens required';
  const turn = config.turnUrls.length > 0 ? `\n  TURN       ${config.turnUrls.join(', ')} (credentials per peer)` : '';
  // The banner is for people; it goes to stderr so that stdout stays one JSON log line per event.
  err.write(
    `Icebreaker is running.\n  page       ${server.url}\n  signaling  ${server.signalingUrl}\n  ICE        ${ice}${turn}\n  auth       ${auth}\n` +
      `Open the page, then open the same address (with its ?room=…) in a second tab or browser.\nPress Ctrl+C to stop.\n`,
  );

  const signal = await stopRequested;
  err.write(signal === 'SIGTERM' ? `\nSIGTERM: draining (up to ${config.drainTimeoutMs} ms)…\n` : `\n${signal}: closing connections…\n`);
  if (signal === 'SIGTERM') {
    // Ctrl+C (or a second signal) during the drain closes what is left at once.
    const hurry = () => {
      err.write('Closing now…\n');
      void server.close();
    };
    process.once('SIGINT', hurry);
    process.once('SIGTERM', hurry);
    await server.drain();
    process.off('SIGINT', hurry);
    process.off('SIGTERM', hurry);
  } else await server.close();
  err.write('Stopped.\n');
  return 0;
}

/** Reads the config file at `path`, given by `source` (the flag or the variable, for errors). */
async function readConfigFile(path: string | undefined, source: string): Promise<ConfigFile | undefined> {
  if (path === undefined || path === '') return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new IcebreakerError('invalid-config', `${source} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  return parseConfigFile(path, text);
}

/** Where a Redis URL points, without its password. */
function redisAddress(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname}`;
}
