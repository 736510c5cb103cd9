import type { RegisterCommand } from '../cli-context.js';
import { addCommand } from './add-command.js';
import { auditCommand } from './audit-command.js';
import { chatCommand } from './chat-command.js';
import { consolidateCommand } from './consolidate-command.js';
import { deleteAllCommand } from './delete-all-command.js';
import { deleteCommand } from './delete-command.js';
import { demoCommand } from './demo-command.js';
import { doctorCommand } from './doctor-command.js';
import { eraseCommand } from './erase-command.js';
import { evalCommand } from './eval-command.js';
import { exportCommand } from './export-command.js';
import { getCommand } from './get-command.js';
import { graphCommand } from './graph-command.js';
import { historyCommand } from './history-command.js';
import { indexCommand } from './index-command.js';
import { ingestCommand } from './ingest-command.js';
import { jobsCommand } from './jobs-command.js';
import { keysCommand } from './keys-command.js';
import { listCommand } from './list-command.js';
import { mcpCommand } from './mcp-command.js';
import { migrateCommand } from './migrate-command.js';
import { observeCommand } from './observe-command.js';
import { purgeCommand } from './purge-command.js';
import { reindexCommand } from './reindex-command.js';
import { rekeyCommand } from './rekey-command.js';
import { searchCommand } from './search-command.js';
import { serveCommand } from './serve-command.js';
import { updateCommand } from './update-command.js';

/**
 * Every command, in the order `engram --help` lists them. A new command (chat, serve, mcp, ...) is
 * one file exporting a RegisterCommand and one entry here.
 */
export const commands: readonly RegisterCommand[] = [
  addCommand,
  searchCommand,
  listCommand,
  getCommand,
  updateCommand,
  deleteCommand,
  deleteAllCommand,
  historyCommand,
  consolidateCommand,
  graphCommand,
  ingestCommand,
  observeCommand,
  reindexCommand,
  indexCommand,
  migrateCommand,
  exportCommand,
  eraseCommand,
  rekeyCommand,
  purgeCommand,
  doctorCommand,
  jobsCommand,
  chatCommand,
  demoCommand,
  serveCommand,
  mcpCommand,
  keysCommand,
  auditCommand,
  evalCommand,
];
