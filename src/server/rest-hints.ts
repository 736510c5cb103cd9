import type { HintWords } from '../memory/access/error-payload.js';

/** Error hints in the REST API's terms: its fields and routes (see MemoryError.hint). */
export const REST_HINTS: HintWords = {
  scope: () => 'Send user_id, agent_id or run_id.',
  list_memories: () => 'List ids with GET /memories?user_id=<id>.',
  memory_versions: (error) =>
    `List its versions with GET /memories/${String(error.details?.id ?? '{id}')}/versions.`,
  list_jobs: () => 'A job id is the job_id a queued add (async: true) answered with.',
  list_keys: () => 'List keys with GET /keys.',
  list_entities: () => 'List them with GET /graph/entities?user_id=<id>.',
  admin_key: () => 'Call it with an admin API key.',
  no_infer: () => 'Or send "infer": false to store the messages as they are.',
};
