import type { HintWords } from '../memory/access/error-payload.js';

/** Error hints in the CLI's terms: its flags and commands (see MemoryError.hint). */
export const CLI_HINTS: HintWords = {
  scope: () => 'Pass --user, --agent or --run.',
  list_memories: () => 'List ids with `engram list --user <id>`.',
  memory_versions: (error) =>
    `List its versions with \`engram history ${String(error.details?.id ?? '<id>')}\`.`,
  list_jobs: () => 'List jobs with `engram jobs`.',
  list_entities: () => 'List them with `engram graph --user <id> --json`.',
  list_keys: () => 'List keys with `engram keys list`.',
  admin_key: () => 'Create one with `engram keys create --tenant <name> --admin`.',
  no_infer: () => 'Or pass --no-infer to store the text as it is.',
};
