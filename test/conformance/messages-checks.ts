import { expect, it } from 'vitest';
import { type MakeFixture, T, useStore } from './conformance-kit.js';

/** The raw conversation log: per scope, in order, idempotent on refs. */
export function messageChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('logs messages per scope in order', async () => {
    await store().appendMessages({ tenant: 't1', userId: 'alice' }, [
      { role: 'user', content: 'one', eventTime: T },
      { role: 'assistant', content: 'two', name: 'bot', eventTime: T },
    ]);
    await store().appendMessages({ tenant: 't1', userId: 'bob' }, [
      { role: 'user', content: 'bob', eventTime: T },
    ]);
    await store().appendMessages({ tenant: 't2', userId: 'alice' }, [
      { role: 'user', content: 'x', eventTime: T },
    ]);
    const recent = await store().recentMessages({ tenant: 't1', userId: 'alice' }, 10);
    expect(recent.map((m) => [m.content, m.role, m.name])).toEqual([
      ['one', 'user', null],
      ['two', 'assistant', 'bot'],
    ]);
    expect(
      (await store().recentMessages({ tenant: 't1', userId: 'alice' }, 1)).map((m) => m.content),
    ).toEqual(['two']);
  });

  it('messagesAfter reads the exact scope from a position, in order, with refs', async () => {
    const channel = { tenant: 't1', runId: 'chan' };
    const logged = await store().appendMessages(
      channel,
      ['a', 'b', 'c', 'd'].map((content, i) => ({
        role: 'user',
        name: `u${i}`,
        content,
        eventTime: T,
        ref: `m${i}`,
      })),
    );
    // Same run id with a user: another scope; another tenant: not seen.
    await store().appendMessages({ tenant: 't1', runId: 'chan', userId: 'x' }, [
      { role: 'user', content: 'other scope', eventTime: T },
    ]);
    await store().appendMessages({ tenant: 't2', runId: 'chan' }, [
      { role: 'user', content: 'other', eventTime: T },
    ]);
    const all = await store().messagesAfter(channel, 0, 10);
    expect(all.map((m) => [m.content, m.name, m.ref])).toEqual([
      ['a', 'u0', 'm0'],
      ['b', 'u1', 'm1'],
      ['c', 'u2', 'm2'],
      ['d', 'u3', 'm3'],
    ]);
    const rest = await store().messagesAfter(channel, logged[1]!.id, 1);
    expect(rest.map((m) => m.content)).toEqual(['c']);
    expect(await store().messagesAfter(channel, logged[3]!.id, 10)).toEqual([]);
  });

  it('logs a message with a known ref once per tenant', async () => {
    const scope = { tenant: 't1', userId: 'alice' };
    const first = await store().appendMessages(scope, [
      { role: 'user', content: 'hello', eventTime: T, ref: 'job-1:0' },
      { role: 'user', content: 'again', eventTime: T, ref: 'job-1:1' },
    ]);
    expect(first).toHaveLength(2);
    const replay = await store().appendMessages(scope, [
      { role: 'user', content: 'hello', eventTime: T, ref: 'job-1:0' },
      { role: 'user', content: 'new', eventTime: T, ref: 'job-1:2' },
    ]);
    expect(replay.map((m) => m.content)).toEqual(['new']);
    const otherTenant = await store().appendMessages({ tenant: 't2', userId: 'alice' }, [
      { role: 'user', content: 'hello', eventTime: T, ref: 'job-1:0' },
    ]);
    expect(otherTenant).toHaveLength(1);
    expect((await store().recentMessages(scope, 10)).map((m) => m.content)).toEqual([
      'hello',
      'again',
      'new',
    ]);
  });
}
