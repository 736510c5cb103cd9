/**
 * Cheap screening before the LLM: messages that cannot carry a durable fact are not sent to
 * extraction (they stay in the channel's log). Each rule has a name, reported with the count of
 * messages it skipped. The user adds patterns (`observe.skipPatterns`) and speakers
 * (`observe.excludeSpeakers`); bots and system messages are excluded unless allowed.
 */
export interface ScreenRules {
  includeBots: boolean;
  excludeSpeakers: readonly string[];
  /** Regular expressions (source text, matched case-insensitively) that skip a whole message. */
  skipPatterns: readonly string[];
}

export type SkipReason =
  | 'bot'
  | 'system'
  | 'excluded_speaker'
  | 'command'
  | 'link_only'
  | 'no_words'
  | 'chatter'
  | 'pattern';

export interface ScreenedMessage {
  speakerId: string;
  content: string;
  bot?: boolean | undefined;
  system?: boolean | undefined;
}

/** Short replies that never state a fact ("lol", "ok", "+1", "thanks"). */
const CHATTER =
  /^(?:lol+|lmao+|rofl|haha+|hehe+|xd+|ok(?:ay)?|k+|kk|yes|yeah|yep|no|nope|nah|sure|thanks?|thx|ty|np|gg|wow|nice|cool|same|true|\+1|-1|brb|afk|gn|gm|hi|hey|hello|bye)[.!?]*$/i;
const COMMAND = /^[!/.$][a-z][\w-]*(?:\s|$)/i;
const LINK_ONLY = /^(?:<?https?:\/\/\S+>?\s*)+$/i;
const HAS_WORD = /\p{L}{2,}/u;

export function compileRules(rules: ScreenRules): (message: ScreenedMessage) => SkipReason | null {
  const patterns = rules.skipPatterns.map((p) => new RegExp(p, 'iu'));
  const excluded = new Set(rules.excludeSpeakers);
  return (message) => {
    const text = message.content.trim();
    if (message.system) return 'system';
    if (message.bot && !rules.includeBots) return 'bot';
    if (excluded.has(message.speakerId)) return 'excluded_speaker';
    if (COMMAND.test(text)) return 'command';
    if (LINK_ONLY.test(text)) return 'link_only';
    if (!HAS_WORD.test(text)) return 'no_words';
    if (CHATTER.test(text)) return 'chatter';
    if (patterns.some((p) => p.test(text))) return 'pattern';
    return null;
  };
}
