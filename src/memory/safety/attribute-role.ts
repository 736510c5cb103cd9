/** Words of three letters or more, lower-cased (any script). */
function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
}

/**
 * Whose turn a fact was drawn from: the one role of the turns when they all share it; otherwise
 * the non-user role only when the fact's words appear in those turns and in none of the user's
 * (an assistant's suggestion the model wrote down), else `user`. Deterministic and lexical: a
 * fact paraphrased beyond its words counts as the user's.
 */
export function attributeRole(fact: string, turns: { role: string; content: string }[]): string {
  const roles = new Set(turns.map((t) => t.role));
  if (roles.size === 1) return [...roles][0]!;
  if (!roles.has('user')) return turns.at(-1)?.role ?? 'user';
  const factWords = words(fact);
  const user = words(
    turns
      .filter((t) => t.role === 'user')
      .map((t) => t.content)
      .join(' '),
  );
  const others = turns.filter((t) => t.role !== 'user');
  const other = words(others.map((t) => t.content).join(' '));
  let fromUser = 0;
  let fromOther = 0;
  for (const w of factWords) {
    if (user.has(w)) fromUser++;
    if (other.has(w)) fromOther++;
  }
  return fromOther > 0 && fromUser === 0 ? (others.at(-1)?.role ?? 'assistant') : 'user';
}
