import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

/** GET /export and POST /import: the `engram export` file over REST, with the key's rules. */
describe('GET /export and POST /import', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
    for (const [user, text] of [
      ['alice', 'Alice likes tea'],
      ['alice', 'Alice has a dog'],
      ['bob', 'Bob likes coffee'],
    ] as const) {
      const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
        messages: [{ role: 'user', content: text }],
        user_id: user,
        infer: false,
      });
      expect(res.status).toBe(200);
    }
  });
  afterEach(() => f.cleanup());

  const lines = (text: unknown) => String(text).trimEnd().split('\n');
  const texts = async (user: string) =>
    (
      (await call(f.app, 'GET', `/memories?user_id=${user}`, f.keys.adminA)).json as {
        results: { memory: string }[];
      }
    ).results
      .map((r) => r.memory)
      .sort();
  const importFile = (key: string, body: string) =>
    f.app.request('/import', { method: 'POST', headers: { Authorization: `Token ${key}` }, body });

  it('round-trips a scope: export, erase, import restores it; a second import writes nothing', async () => {
    const res = await f.app.request('/export?user_id=alice', {
      headers: { Authorization: `Token ${f.keys.adminA}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const file = await res.text();
    const [header, ...rows] = lines(file);
    expect(JSON.parse(header!)).toMatchObject({
      format: 'engram-export',
      tenant: 'A',
      scope: { userId: 'alice' },
      counts: { memories: 2 },
    });
    expect(rows.filter((r) => r.includes('"kind":"memories"'))).toHaveLength(2);
    expect(file).not.toContain('Bob likes coffee');

    await call(f.app, 'POST', '/erase', f.keys.adminA, { user_id: 'alice', confirm: true });
    expect(await texts('alice')).toEqual([]);
    const first = await importFile(f.keys.adminA, file);
    expect(first.status).toBe(200);
    const report = (await first.json()) as { kinds: { kind: string; written: number }[] };
    expect(report.kinds.find((k) => k.kind === 'memories')?.written).toBe(2);
    expect(await texts('alice')).toEqual(['Alice has a dog', 'Alice likes tea']);
    const again = (await (await importFile(f.keys.adminA, file)).json()) as typeof report;
    expect(again.kinds.every((k) => k.written === 0)).toBe(true);
    expect(await texts('alice')).toHaveLength(2);
  });

  it('limits a pinned key to its user and a tenant-wide export to admins', async () => {
    const pinned = await f.app.request('/export', {
      headers: { Authorization: `Token ${f.keys.pinnedAlice}` },
    });
    expect(pinned.status).toBe(200);
    const file = await pinned.text();
    expect(JSON.parse(lines(file)[0]!)).toMatchObject({
      scope: { userId: 'alice' },
      counts: { memories: 2 },
    });
    expect(file).not.toContain('Bob');
    const other = await call(f.app, 'GET', '/export?user_id=bob', f.keys.pinnedAlice);
    expect(other.status).toBe(403);
    expect(other.json).toMatchObject({ error: { code: 'scope_forbidden' } });
    const wide = await call(f.app, 'GET', '/export', f.keys.userA);
    expect(wide.status).toBe(403);
    expect(wide.json).toMatchObject({ error: { code: 'admin_required' } });
    const admin = await call(f.app, 'GET', '/export', f.keys.adminA);
    expect(admin.status).toBe(200);
    expect(JSON.parse(lines(admin.json)[0]!)).toMatchObject({ scope: null, counts: { memories: 3 } });
    // Tenant B's admin sees nothing of tenant A.
    const b = await call(f.app, 'GET', '/export', f.keys.adminB);
    expect(JSON.parse(lines(b.json)[0]!)).toMatchObject({ tenant: 'B', counts: { memories: 0 } });
    const bad = await call(f.app, 'GET', '/export?user_id=alice&with_vectors=yes', f.keys.adminA);
    expect(bad.status).toBe(400);
  });

  it('refuses a malformed, truncated or foreign file with its line and writes nothing', async () => {
    const file = await (
      await f.app.request('/export?user_id=alice', { headers: { Authorization: `Token ${f.keys.adminA}` } })
    ).text();
    await call(f.app, 'POST', '/erase', f.keys.adminA, { user_id: 'alice', confirm: true });

    const truncated = lines(file).slice(0, -1).join('\n');
    const cut = await importFile(f.keys.adminA, truncated);
    expect(cut.status).toBe(400);
    const cutBody = (await cut.json()) as { error: { code: string; message: string } };
    expect(cutBody.error.code).toBe('invalid_input');
    expect(cutBody.error.message).toMatch(/line \d+/);

    const broken = lines(file);
    broken[1] = '{"kind": "memories", "row": ';
    const malformed = await importFile(f.keys.adminA, broken.join('\n'));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain('line 2');

    const notAdmin = await importFile(f.keys.userA, file);
    expect(notAdmin.status).toBe(403);
    // Tenant A's file through tenant B's admin: refused, not written into A or B.
    const foreign = await importFile(f.keys.adminB, file);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'scope_forbidden',
    });
    expect(await texts('alice')).toEqual([]);
    const inB = await call(f.app, 'GET', '/memories?user_id=alice', f.keys.adminB);
    expect(inB.json).toMatchObject({ total: 0 });
  });
});
