/**
 * A progress bar on stderr for long steps. It appears only on a TTY, only when not printing JSON,
 * and only once a step has run for about two seconds, so quick commands stay quiet.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the completed amount (same unit as `total`). */
  update(done: number): void;
  stop(): void;
}

const SHOW_AFTER_MS = 2000;

export function startProgress(label: string, total: number, opts: { json?: boolean } = {}): Progress {
  const enabled = Boolean(process.stderr.isTTY) && !opts.json && total > 0;
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let last = 0;
  return {
    update(done: number) {
      last = done;
      if (!enabled) return;
      if (!bar && Date.now() - started >= SHOW_AFTER_MS) {
        bar = new cliProgress.SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      } else bar?.update(done);
    },
    stop() {
      if (bar) {
        bar.update(Math.max(last, total));
        bar.stop();
      }
    },
  };
}
