/**
 * Test support: runs one CLI command in-process and returns what it printed to stdout, so command
 * tests need not spawn the built binary. Commander's own help and error output is silenced.
 */
import { vi } from 'vitest';
import { buildProgram, type CommandRegistrar } from '../program.js';

export async function runCommand(register: CommandRegistrar, args: string[]): Promise<string> {
  const program = buildProgram([register]);
  for (const cmd of [program, ...program.commands])
    cmd.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  await program.parseAsync(['node', 'salescast', ...args]);
  return out;
}
