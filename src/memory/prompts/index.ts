export { ANSWER_WITH_MEMORIES } from './answer-with-memories.js';
export { type ExtractInput, extractFactsPrompt, FACT_CATEGORIES } from './extract-facts.js';
export { type JudgeDuplicatesInput, judgeDuplicatesPrompt } from './judge-duplicates.js';
export { jsonSchemaOf, type PromptDefinition } from './prompt-definition.js';
export { type ReconcileInput, reconcileMemoriesPrompt } from './reconcile-memories.js';
export { singlePassPrompt } from './single-pass.js';
export { summariseProcedurePrompt } from './summarise-procedure.js';
