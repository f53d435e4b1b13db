/** Every command of the CLI, in one list. */
import type { CommandRegistrar } from '../program.js';
import { registerAudit } from './audit.js';
import { registerBacktest } from './backtest.js';
import { registerDemoData } from './demo-data.js';
import { registerExplain } from './explain.js';
import { registerForecast } from './forecast.js';
import { registerIngest } from './ingest.js';
import { registerJobs } from './jobs.js';
import { registerLearn } from './learn.js';
import { registerModels } from './models.js';
import { registerMonitor } from './monitor.js';
import { registerRecommend } from './recommend.js';
import { registerReport } from './report.js';
import { registerRetrain } from './retrain.js';
import { registerRuns } from './runs.js';
import { registerSchedules } from './schedules.js';
import { registerServe } from './serve.js';
import { registerStreamSim } from './stream-sim.js';
import { registerTenant } from './tenant.js';
import { registerTrain } from './train.js';
import { registerUser } from './user.js';
import { registerWhatIf } from './whatif.js';

export const COMMANDS: readonly CommandRegistrar[] = [
  registerDemoData,
  registerIngest,
  registerForecast,
  registerBacktest,
  registerTrain,
  registerLearn,
  registerServe,
  registerStreamSim,
  registerTenant,
  registerUser,
  registerAudit,
  registerRuns,
  registerModels,
  registerRetrain,
  registerJobs,
  registerSchedules,
  registerMonitor,
  registerExplain,
  registerWhatIf,
  registerReport,
  registerRecommend,
];
