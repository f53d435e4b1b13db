/**
 * Streamed actuals as training data. A tenant that sends its sales through `POST /v1/stream` (or
 * Redis Streams) and seldom ingests a dataset would otherwise retrain, and be monitored, on the same
 * history forever: the actuals it streamed reached the served state, never a model.
 *
 * `withStreamedActuals` extends a dataset's panel with the actuals streamed for dates after each
 * series' last date in it, through the online state's own `apply`, so a model is trained on exactly
 * the live view it is then served from. Within a series' dataset range the dataset stands: a
 * record there is not applied (to correct history, ingest the corrected data).
 */
import { formatDay } from '../core/dates.js';
import { isSalescastError } from '../core/errors.js';
import { type Panel, seriesCount } from '../features/panel.js';
import type { Store } from '../store/store.js';
import { OnlineState } from './online-state.js';
import { recordsStreamedAfter, streamRecordOf } from './serving.js';

/** What a panel took from the stream: recorded with a run, so its data can be traced and rebuilt. */
export interface StreamedActualsUsed {
  /** Actuals added (records with a target; driver-only events are not counted). */
  readonly actuals: number;
  /** The newest date added ('YYYY-MM-DD'); null when none was. */
  readonly through: string | null;
  /** Records that could not be applied: off the series' date grid. */
  readonly skipped: number;
}

export interface WithStreamedActuals {
  readonly panel: Panel;
  readonly streamed: StreamedActualsUsed;
}

/**
 * `panel` extended by the tenant's streamed actuals dated after each series' last date (and at or
 * before `through`, 'YYYY-MM-DD', when given: a run's panel rebuilt as it was trained). Series the
 * panel does not have are left out. Gaps between the dataset's end and a streamed date become
 * missing targets, with the drivers streamed for them; a driver-only event dated after the last
 * actual is not a row. The panel comes back unchanged (the same object) when nothing was added.
 */
export async function withStreamedActuals(
  store: Store,
  tenantId: string,
  panel: Panel,
  through?: string,
): Promise<WithStreamedActuals> {
  const ends = new Map<string, number>();
  for (let s = 0; s < seriesCount(panel); s++)
    ends.set(panel.seriesIds[s], panel.dates[panel.offsets[s + 1] - 1]);
  const rows = await recordsStreamedAfter(store, tenantId, panel);
  // The whole history stays in the window: nothing is trimmed, so `panelOf` returns all of it.
  let state: OnlineState | undefined;
  let actuals = 0;
  let skipped = 0;
  let newest = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    if (through !== undefined && row.date > through) continue;
    const end = ends.get(row.series_id);
    if (end === undefined) continue;
    const record = streamRecordOf(row);
    if (record.date <= end) continue;
    state ??= new OnlineState(panel, Number.POSITIVE_INFINITY);
    try {
      state.apply(record);
    } catch (e) {
      // Validated against the served model's grid when streamed; a dataset of another grid
      // (weekly dates on another weekday) cannot place it.
      if (isSalescastError(e) && e.code === 'INVALID_DATA') {
        skipped++;
        continue;
      }
      throw e;
    }
    if (record.y !== null) {
      actuals++;
      newest = Math.max(newest, record.date);
    }
  }
  if (!state || actuals === 0) return { panel, streamed: { actuals: 0, through: null, skipped } };
  return {
    panel: state.panelOf(panel.seriesIds),
    streamed: { actuals, through: formatDay(newest), skipped },
  };
}
