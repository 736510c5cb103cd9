/**
 * Every environment variable engram reads. Deployment files may set only these (checked in
 * test/deploy/), and a test keeps this list equal to the names the source reads.
 */
export const RESERVED_ENVIRONMENT = [
  'ENGRAM_CONFIG',
  'ENGRAM_DB',
  'ENGRAM_STORE',
  'ENGRAM_PG_URL',
  'ENGRAM_PG_SCHEMA',
  'DATABASE_URL',
  'ENGRAM_INDEX',
  'ENGRAM_INDEX_URL',
  'ENGRAM_INDEX_API_KEY',
  'ENGRAM_INDEX_COLLECTION',
  'ENGRAM_TENANT',
  'ENGRAM_LLM',
  'ENGRAM_LLM_BASE_URL',
  'ENGRAM_EMBEDDER',
  'ENGRAM_EMBEDDER_BASE_URL',
  'ENGRAM_EMBEDDER_DIMENSIONS',
  'ENGRAM_MAX_TEXT_CHARS',
  'ENGRAM_HALF_LIFE_DAYS',
  'MEM0_LLM_PROVIDER',
  'MEM0_EMBEDDER_PROVIDER',
  'OLLAMA_BASE_URL',
  'OLLAMA_HOST',
  'OLLAMA_MODEL',
  'OLLAMA_EMBED_MODEL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
] as const;
