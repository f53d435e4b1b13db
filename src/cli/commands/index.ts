/** Every command of the CLI, in one list. */
import type { CommandRegistrar } from '../program.js';
import { registerAudit } from './audit.js';
import { registerDemoData } from './demo-data.js';
import { registerIngest } from './ingest.js';
import { registerServe } from './serve.js';
import { registerTenant } from './tenant.js';
import { registerUser } from './user.js';

export const COMMANDS: readonly CommandRegistrar[] = [
  registerDemoData,
  registerIngest,
  registerServe,
  registerTenant,
  registerUser,
  registerAudit,
];
