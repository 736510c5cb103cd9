/** Who is calling: the tenant every call is bound to, and the scope a pinned key is confined to. */
export interface Principal {
  tenant: string;
  /** The API key's id; null when the server runs with --no-auth. */
  keyId: string | null;
  admin: boolean;
  pin: { userId: string | null; agentId: string | null };
}

export function openPrincipal(tenant: string): Principal {
  return { tenant, keyId: null, admin: true, pin: { userId: null, agentId: null } };
}
