/**
 * Option parsers shared by commands. A parser throws commander's InvalidArgumentError, which the
 * program turns into exit code 2 with a one-line message naming the option.
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseIsoDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isDirectory } from '../store/forecast-data.js';

export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer in [${min}, ${max}]; got '${value}'.`);
    }
    return n;
  };
}

export function numberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError(`must be a number; got '${value}'.`);
  return n;
}

export function dateOption(value: string): string {
  if (parseIsoDay(value) === undefined)
    throw new InvalidArgumentError(`must be a date YYYY-MM-DD; got '${value}'.`);
  return value;
}

export function choiceOption<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`must be one of ${choices.join(', ')}; got '${value}'.`);
    }
    return value as T;
  };
}

/**
 * `--threads <n>` of the tree learners, every core by default (shown as such, so the help and
 * docs/CLI.md do not depend on the machine).
 */
export function threadsOption(description: string): Option {
  return new Option('--threads <n>', description)
    .argParser(intOption(1, 256))
    .default(availableParallelism(), 'every core');
}

/** Adds the options every command shares: `--json` and `--data-dir`. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .option('--data-dir <dir>', 'where salescast keeps its state (env SALESCAST_DATA_DIR, default ./var)');
}

/**
 * Refuses, before any work, an output path that is a directory or that would replace one of the
 * command's input files (their data would be lost). `inputs`: each input option and its path.
 */
export function checkOutputPath(
  outOption: string,
  out: string | undefined,
  inputs: Readonly<Record<string, string | undefined>>,
): void {
  if (out === undefined) return;
  const field = outOption.replace(/^--/, '');
  if (isDirectory(out)) {
    throw new SalescastError(
      'USAGE',
      `${outOption} ${out} is a directory; give the path of a file to write.`,
      { field },
    );
  }
  const target = canonicalPath(out);
  for (const [option, input] of Object.entries(inputs)) {
    if (input !== undefined && canonicalPath(input) === target) {
      throw new SalescastError(
        'USAGE',
        `${outOption} ${out} is the file given to ${option}: writing it would replace that data; choose another path.`,
        { field },
      );
    }
  }
}

/** The absolute path of `path` with symbolic links resolved when it exists. */
function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
