/** Every command of the CLI, in one list. */
import type { CommandRegistrar } from '../program.js';

export const COMMANDS: readonly CommandRegistrar[] = [];
