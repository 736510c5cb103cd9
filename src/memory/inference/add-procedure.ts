import { randomUUID } from 'node:crypto';
import { textHash } from '../../util/text-hash.js';
import type { AddResultItem } from '../api-types.js';
import { summariseProcedurePrompt } from '../prompts/summarise-procedure.js';
import { markFor, withMark } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import type { InferContext, InferRequest } from './infer-types.js';
import { callStructured } from './structured-call.js';
import type { UsageMeter } from './usage-meter.js';

/** A procedural memory: the agent's steps, summarised into one memory. */
export async function addProcedure(
  ctx: InferContext,
  request: InferRequest,
  meter: UsageMeter,
): Promise<AddResultItem[]> {
  const reply = await meter.stage('extract', () =>
    callStructured(
      ctx.chain,
      summariseProcedurePrompt,
      { messages: request.messages.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content })) },
      meter,
    ),
  );
  const screened = screenText(reply.summary.trim(), ctx.safety);
  const text = screened.text.trim();
  const vectors = await meter.stage('embed', () => ctx.gate.embed([text], { meter }));
  const [outcome] = await meter.stage('apply', () =>
    ctx.store.applyChanges(ctx.tenant, [
      {
        kind: 'insert',
        memory: {
          id: randomUUID(),
          ...request.ids,
          actorId: request.actorId ?? null,
          text,
          hash: textHash(text),
          metadata: withMark(request.metadata, markFor(screened.flags, ctx.safety.instructions)),
          ...(request.refs ? { source: request.refs } : {}),
          categories: ['procedure'],
          importance: request.importance ?? 0.8,
          memoryType: 'procedural',
          validFrom: request.eventTime,
          embedding: vectors?.[0] ?? null,
          embeddingModel: ctx.gate.model,
          at: ctx.now(),
          actor: 'llm',
        },
      },
    ]),
  );
  if (vectors) await ctx.gate.recordModel();
  return [{ id: outcome!.record.id, memory: text, event: outcome!.inserted ? 'ADD' : 'NONE' }];
}
