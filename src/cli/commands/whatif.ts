/**
 * `salescast whatif`: a what-if scenario on the future drivers of a saved model's forecast
 * (`--action discount+5`, `price*0.9`, `promo=on`), the recursion re-run, against the baseline with
 * intervals; or, with `--goal`, the smallest change of one driver within its bounds that reaches a
 * target.
 */
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import type { GoalSeekAnswer, WhatIfAnswer } from '../../realtime/explain-service.js';
import { choiceOption, numberOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import {
  type ExplainInputOptions,
  readExplainInput,
  selectionOf,
  textTable,
  withExplainInput,
  withSelection,
} from './explain.js';

interface WhatIfCommandOptions extends ExplainInputOptions {
  action: string[];
  series?: string;
  store?: string;
  product?: string;
  category?: string;
  goal?: number;
  per: 'week' | 'horizon';
  driver?: string;
  min?: number;
  max?: number;
}

const HELP_AFTER = `
Actions change the known future drivers of the selected series in the forecast periods:
  <driver>+<n>, <driver>-<n>   add points or units        discount+5, temp_c-3
  <driver>*<f>                 multiply                   price*0.9
  <driver>=<value>             set (on/off, a level)      promo=on, promo_type=flyer, discount=20
discount stands for discount_pct and promo for on_promo; a change of price or discount recomputes
paid_price. Repeat --action to combine. + and * need the planned values: give --future or --cutoff.

Goal seeking (--goal) finds the smallest change of --driver within [--min, --max] (discount: points
added, default 0–40; price: factor, default 0.8–1.2) whose forecast of the selected series reaches
the goal. With no planned discount (no --future or --cutoff) it finds the smallest discount level to
set instead (op "set"); a price factor then needs the plan. An unreachable goal is an answer, not an
error: it says so and gives the best change.

Examples:
  salescast whatif --model-file model.scf --data ./panel --cutoff 2024-12-24 --action discount+15 --product P004
  salescast whatif --model-file model.scf --data ./panel --cutoff 2024-12-24 --action promo=on --series S01/P002
  salescast whatif --model-file model.scf --data ./panel --cutoff 2024-12-24 --product P004 \\
    --goal 520 --per week --driver discount --min 0 --max 40 --json
`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerWhatIf(program: Command): void {
  withCommonOptions(
    withSelection(
      withExplainInput(
        program
          .command('whatif')
          .description('What-if scenarios on the future drivers, and goal seeking, with a saved model.'),
      ),
    )
      .option(
        '--action <action>',
        'scenario action, repeatable: discount+5, price*0.9, promo=on',
        collect,
        [],
      )
      .option('--category <name>', 'change only the rows of this category')
      .option('--goal <units>', 'goal seeking: the units to reach', numberOption)
      .option(
        '--per <period>',
        'the goal is per week or over the horizon',
        choiceOption(['week', 'horizon'] as const),
        'week',
      )
      .option('--driver <name>', 'goal seeking: the driver to change (discount, price or a driver column)')
      .option('--min <n>', 'goal seeking: smallest permitted change', numberOption)
      .option('--max <n>', 'goal seeking: largest permitted change', numberOption),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: WhatIfCommandOptions) => {
      const selection = { ...selectionOf(opts), category: opts.category };
      const seeking = opts.goal !== undefined;
      if (seeking && opts.action.length > 0)
        throw new SalescastError('USAGE', 'give --action (a scenario) or --goal (goal seeking), not both.');
      if (!seeking && opts.action.length === 0)
        throw new SalescastError('USAGE', 'give at least one --action, or --goal with --driver.');
      if (seeking && !opts.driver)
        throw new SalescastError('USAGE', '--goal needs --driver (e.g. discount).');
      if (!seeking && (opts.driver || opts.min !== undefined || opts.max !== undefined))
        throw new SalescastError('USAGE', '--driver, --min and --max go with --goal.');
      const service = await import('../../realtime/explain-service.js');
      // Actions are checked before any file is read: a typo fails fast.
      const actions = opts.action.map((a) => service.parseAction(a, '--action'));
      const data = await readExplainInput(opts);
      if (seeking) {
        const answer = service.goalSeekAnswer(data, {
          driver: opts.driver!,
          target: opts.goal!,
          per: opts.per,
          min: opts.min,
          max: opts.max,
          selection,
        });
        emit(opts, answer as unknown as Record<string, unknown>, () => goalText(answer));
        return;
      }
      const answer = service.whatIfAnswer(data, { actions, selection });
      emit(opts, answer as unknown as Record<string, unknown>, () => scenarioText(answer, opts.action));
    });
}

const f1 = (x: number) => x.toFixed(1);
const band = (iv: [number, number] | null) => (iv ? `${f1(iv[0])}–${f1(iv[1])}` : '');
const rel = (x: number | null) => (x === null ? '' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);

function scenarioText(a: WhatIfAnswer, actions: readonly string[]): string {
  const header = ['series', 'baseline', 'P10–P90', 'scenario', 'P10–P90', 'change', ''];
  const row = (id: string, t: WhatIfAnswer['total']) => [
    id,
    f1(t.baseline),
    band(t.baseline_interval),
    f1(t.scenario),
    band(t.scenario_interval),
    `${t.delta >= 0 ? '+' : ''}${f1(t.delta)}`,
    rel(t.relative),
  ];
  return [
    `Scenario ${actions.join(', ')} (model ${a.model}, ${a.h} periods, ${a.changed_rows} future rows changed); units summed over the horizon:`,
    textTable(header, [
      ...a.series.map((s) => row(s.series_id, s)),
      ...(a.series.length > 1 ? [row('total', a.total)] : []),
    ]),
  ].join('\n');
}

function goalText(a: GoalSeekAnswer): string {
  return `${a.message} (${a.evaluations} forecasts, model ${a.model}, ${a.h} periods.)`;
}
