#!/usr/bin/env node
/**
 * Entry point of the `salescast` binary. It maps every failure to an exit code and a one-line
 * message: 2 for bad input or usage, 1 for other failures. Stack traces are shown only with
 * SALESCAST_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { isSalescastError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(COMMANDS);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

function reportFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message.
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code) ? 0 : 2;
  }
  if (isSalescastError(e)) {
    process.stderr.write(`salescast: ${e.toLine()}\n`);
    if (process.env.SALESCAST_DEBUG === '1' && e.stack) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`salescast: unexpected failure: ${err.message}\n`);
  if (process.env.SALESCAST_DEBUG === '1' && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportFailure(e);
  },
);
