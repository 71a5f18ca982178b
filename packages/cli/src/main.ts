#!/usr/bin/env node
import { doctor } from './doctor.js';
import { peer } from './peer.js';
import { serve } from './serve.js';
import { token } from './token.js';
import { transfers } from './transfers.js';

const HELP = `Usage: icebreaker <command> [options]

Commands:
  serve     run the signaling server and the teaching page
  peer      join a room as a peer from the terminal: chat, send and receive files
  token     print a room token for a server that runs with --auth-secret
  transfers list or discard the unfinished files of a folder that peer --receive saves into
  doctor    check connectivity: which ICE servers answer, whether a path exists, and what to do

Run "icebreaker <command> --help" for a command's options.
`;

/** Dispatches to a command and resolves with the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest, process.env, process.stdout, process.stderr);
    case 'token':
      return token(rest, process.env, process.stdout, process.stderr);
    case 'doctor':
      return doctor(rest, { env: process.env, out: process.stdout, err: process.stderr });
    case 'transfers':
      return transfers(rest, { out: process.stdout, err: process.stderr });
    case 'peer':
      return peer(rest, { stdin: process.stdin, env: process.env, out: process.stdout, err: process.stderr });
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

const code = await main(process.argv.slice(2));
// A peer's WebRTC stack and stdin keep the process alive after its session closed: leave explicitly.
if (process.argv[2] === 'peer' || process.argv[2] === 'doctor') process.exit(code);
process.exitCode = code;
