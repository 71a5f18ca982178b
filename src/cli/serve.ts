import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isIcebreakerError } from '../protocol/index.js';
import { DEFAULT_CONFIG, resolveConfig, SETTINGS, startServer } from '../server/index.js';

/** The built page sits beside the CLI in the package: dist/cli → dist/web. */
const PAGE_DIR = fileURLToPath(new URL('../web/', import.meta.url));

export const SERVE_HELP = `Usage: icebreaker serve [options]

Serves the teaching page and the signaling endpoint on one port.

Options (each also read from the environment variable shown):
${SETTINGS.map((s) => `  --${`${s.flag} <value>`.padEnd(30)}${s.help}\n  ${''.padEnd(32)}env ${s.env}, default ${show(DEFAULT_CONFIG[s.key])}`).join('\n')}
  --help                          show this help
`;

function show(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

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
        ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const, multiple: s.repeatable ?? false }])),
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
    config = resolveConfig(flags, env, { ...DEFAULT_CONFIG, staticDir: PAGE_DIR });
  } catch (error) {
    if (!isIcebreakerError(error)) throw error;
    err.write(`icebreaker serve: ${error.message}\n`);
    return 2;
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use; choose another with --port`
        : code === 'EACCES'
          ? `not allowed to listen on port ${config.port}; choose one above 1023 with --port`
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
  out.write(
    `Icebreaker is running.\n  page       ${server.url}\n  signaling  ${server.signalingUrl}\n  ICE        ${ice}\n` +
      `Open the page, then open the same address (with its ?room=…) in a second tab or browser.\nPress Ctrl+C to stop.\n`,
  );

  const signal = await stopRequested;
  out.write(`\n${signal}: closing connections…\n`);
  await server.close();
  out.write('Stopped.\n');
  return 0;
}
