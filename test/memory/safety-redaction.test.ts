import { afterEach, describe, expect, it } from 'vitest';
import { luhnValid, type RedactionSettings, redactSecrets } from '../../src/memory/safety/redact-secrets.js';
import { delayedEmbedder, type EngineFixture, engineFixture, factPerLineModel } from './engine-fakes.js';

const none: RedactionSettings = { apiKeys: false, tokens: false, cards: false, emails: false, phones: false };
const only = (name: keyof RedactionSettings): RedactionSettings => ({ ...none, [name]: true });

/** Per class: texts whose secret must be replaced, and look-alikes that must stay. */
const CASES: Record<keyof RedactionSettings, { redact: [string, string][]; keep: string[] }> = {
  apiKeys: {
    redact: [
      ['key sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'key [api_key]'],
      ['sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz0123 is mine', '[api_key] is mine'],
      ['aws AKIAIOSFODNN7EXAMPLE', 'aws [api_key]'],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[api_key]'],
      ['AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', '[api_key]'],
      ['xoxb-1234567890-abcdefghij', '[api_key]'],
      ['sk_live_abcdefghijklmnop1234', '[api_key]'],
      ['hf_abcdefghijklmnopqrstuvwxyz012345', '[api_key]'],
    ],
    keep: ['task-list for sk-8', 'the risk-assessment doc', 'AKIA is a word', 'ghp_short', 'my hf_ folder'],
  },
  tokens: {
    redact: [
      ['Authorization: Bearer abcdef0123456789abcdef', 'Authorization: Bearer [token]'],
      [
        'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        'jwt [token]',
      ],
    ],
    keep: ['bearer of bad news', 'Bearer short', 'eyJ alone', 'the bearer bond'],
  },
  cards: {
    redact: [
      ['card 4111 1111 1111 1111 exp 12/29', 'card [card] exp 12/29'],
      ['5500-0000-0000-0004', '[card]'],
      ['amex 378282246310005', 'amex [card]'],
    ],
    keep: ['order 4111 1111 1111 1112', 'isbn 9780306406157', 'phone 1234567890123 is not Luhn', 'v1.2.3.4'],
  },
  emails: {
    redact: [
      ['write to ana.silva+news@example.co.uk', 'write to [email]'],
      ['Bob@Example.com said hi', '[email] said hi'],
    ],
    keep: ['@ana on the forum', 'user@localhost', 'price 5@3 each', 'name@ domain.com'],
  },
  phones: {
    redact: [
      ['call +44 20 7946 0958', 'call [phone]'],
      ['(555) 123-4567', '[phone]'],
      ['555-123-4567 after 6', '[phone] after 6'],
      ['+1-202-555-0143', '[phone]'],
      ['030 12345678', '[phone]'],
      ['+33 6 12 34 56 78', '[phone]'],
    ],
    keep: [
      'born 1990-04-12',
      'version 10.2.3',
      'ip 192.168.0.1',
      'room 101',
      'at 10:30',
      'order 123456789',
      'ratio 3-2',
    ],
  },
};

describe('redaction patterns', () => {
  for (const [name, { redact, keep }] of Object.entries(CASES) as [
    keyof RedactionSettings,
    (typeof CASES)['cards'],
  ][]) {
    it(`${name}: replaces what it should, keeps look-alikes, and only when switched on`, () => {
      for (const [text, expected] of redact) {
        expect(redactSecrets(text, only(name))).toBe(expected);
        expect(redactSecrets(text, none)).toBe(text);
      }
      for (const text of keep) expect(redactSecrets(text, only(name))).toBe(text);
    });
  }

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});

const SECRETS =
  'My key is sk-proj-abcdefghijklmnopqrstuvwxyz012345, mail ana@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958';
const ALL = { apiKeys: true, tokens: true, cards: true, emails: true, phones: true };

let fx: EngineFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('redaction before storage and before any model', () => {
  it('an inferred add: the log, the memory, the LLM prompt and the embedder see placeholders only', async () => {
    const llm = factPerLineModel();
    const embedder = delayedEmbedder();
    fx = engineFixture({ llm: [llm], embedder }, { safety: { redact: ALL } });
    const { memory } = fx;
    const out = await memory.add(SECRETS, { userId: 'u' });
    const expected = 'My key is [api_key], mail [email], card [card], call [phone]';
    expect(out.results[0]!.memory).toBe(`Fact: ${expected}`);
    const store = await memory.store();
    const log = await store.recentMessages({ tenant: 'default', userId: 'u' }, 10);
    expect(log.map((m) => m.content)).toEqual([expected]);
    const seen = [...llm.prompts, ...embedder.calls.flat()].join('\n');
    for (const secret of ['sk-proj-', 'ana@example.com', '4111', '7946']) expect(seen).not.toContain(secret);

    await memory.search('who is ana@example.com', { userId: 'u' });
    expect(embedder.calls.at(-1)).toEqual(['who is [email]']);
  });

  it('raw adds, updates, chat and observed messages are redacted per enabled class only', async () => {
    const llm = factPerLineModel();
    fx = engineFixture({ llm: [llm], embedder: delayedEmbedder() }, { safety: { redact: { emails: true } } });
    const { memory } = fx;
    const raw = await memory.add(SECRETS, { userId: 'u', infer: false });
    const stored = await memory.get(raw.results[0]!.id);
    expect(stored.memory).toContain('[email]');
    expect(stored.memory).toContain('sk-proj-abcdefghijklmnopqrstuvwxyz012345');
    const updated = await memory.update(stored.id, 'Now bob@example.org');
    expect(updated.memory).toBe('Now [email]');

    await memory.chat('Mail me at carol@example.net', { userId: 'u' });
    expect(llm.prompts[0]).toContain('Mail me at [email]');
    expect(llm.prompts.join('\n')).not.toContain('carol@example.net');

    await memory.observe([{ id: 'm1', speakerId: 's', content: 'I am dan@example.com' }], { channelId: 'c' });
    const log = await (await memory.store()).recentMessages({ tenant: 'default', runId: 'c' }, 5);
    expect(log.map((m) => m.content)).toEqual(['I am [email]']);
  });
});
