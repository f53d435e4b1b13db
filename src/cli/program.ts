/**
 * The `salescast` command tree. Each command lives in `commands/<name>.ts` and registers itself
 * here; commands stay thin and call the libraries and services below them.
 */
import { Command } from 'commander';
import { CODE_VERSION } from '../core/config.js';

export type CommandRegistrar = (program: Command) => void;

export function buildProgram(registrars: readonly CommandRegistrar[]): Command {
  const program = new Command('salescast')
    .description('salescast: forecast what every store will sell, explain it and act on it.')
    .version(CODE_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });
  for (const register of registrars) register(program);
  // Exit codes are ours to set: 0 for help and version, 2 for every usage error.
  program.exitOverride();
  for (const cmd of allCommands(program)) cmd.exitOverride();
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}
