/**
 * What a command prints. Human text goes to stdout; with `--json` the result is one JSON object on
 * the last line of stdout, so scripts can take `tail -n 1`.
 */

export interface OutputOptions {
  json?: boolean;
}

export function emit(opts: OutputOptions, result: Record<string, unknown>, human: () => string): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}
