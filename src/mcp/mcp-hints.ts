import type { HintWords } from '../memory/access/error-payload.js';

/** Error hints in the MCP tools' terms: their arguments and tool names (see MemoryError.hint). */
export const MCP_HINTS: HintWords = {
  scope: () => 'Pass user_id, agent_id or run_id.',
  list_memories: () => 'List ids with the list_memories tool.',
  memory_versions: () => 'See its versions with the memory_history tool.',
  list_entities: () => 'See the entities in the relations the graph_relations tool returns.',
  admin_key: () => 'Connect with an admin API key.',
  no_infer: () => 'Or pass infer: false to store the messages as they are.',
};
