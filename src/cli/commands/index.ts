/** Every command of the CLI, in one list. */
import type { CommandRegistrar } from '../program.js';
import { registerDemoData } from './demo-data.js';
import { registerIngest } from './ingest.js';
import { registerStart } from './start.js';

export const COMMANDS: readonly CommandRegistrar[] = [registerDemoData, registerIngest, registerStart];
