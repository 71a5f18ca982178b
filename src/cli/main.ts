#!/usr/bin/env node
import { serve } from './serve.js';

const HELP = `Usage: icebreaker <command> [options]

Commands:
  serve     run the signaling server and the teaching page

Run "icebreaker <command> --help" for a command's options.
`;

/** Dispatches to a command and resolves with the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest, process.env, process.stdout, process.stderr);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`icebreaker: unknown command "${command}"\n${HELP}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
