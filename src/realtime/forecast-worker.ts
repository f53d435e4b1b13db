/**
 * The program of a forecast worker thread (see `ForecastWorkers`): it keeps the forecasters it was
 * sent, a few at a time, and answers each task with the NDJSON lines of one batch chunk, computed
 * by the same forecaster code and the same row formatting as the request path, and each series'
 * first forecast period, which the request thread's detectors judge.
 */
import { parentPort } from 'node:worker_threads';
import { SalescastError } from '../core/errors.js';
import { Forecaster } from '../forecast/forecaster.js';
import type { ForecastTask, ForecastTaskReply } from './forecast-workers.js';
import { firstPeriods, ndjsonLines, servedForecasts } from './served-forecasts.js';

/** Forecasters kept per worker; the least recently used beyond this is dropped. */
const KEPT_MODELS = 8;

const port = parentPort;
if (!port) throw new Error('forecast-worker.js runs as a worker thread of ForecastWorkers.');
const models = new Map<string, Forecaster>();

port.on('message', (task: ForecastTask) => {
  port.postMessage(answer(task));
});

function answer(task: ForecastTask): ForecastTaskReply {
  try {
    if (task.artifact) {
      models.set(task.key, Forecaster.deserialize(task.artifact));
      if (models.size > KEPT_MODELS) models.delete(models.keys().next().value!);
    }
    const forecaster = models.get(task.key);
    if (!forecaster) return { id: task.id, needsModel: true };
    // Reinserted so the map's order stays least recently used first.
    models.delete(task.key);
    models.set(task.key, forecaster);
    const result = forecaster.predict(task.h, { history: task.history, future: task.future });
    const forecasts = servedForecasts(result, task.output, task.seriesIds);
    return { id: task.id, text: ndjsonLines(forecasts), firsts: firstPeriods(forecasts) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return {
      id: task.id,
      error: {
        message: error.message,
        code: error instanceof SalescastError ? error.code : undefined,
        location: error instanceof SalescastError ? error.location : undefined,
      },
    };
  }
}
