import { userInfo } from 'node:os';

/**
 * The actor of a local call (the CLI, `engram mcp`): `local:<OS user>`. There is no key to name, and
 * whoever can run the CLI can open the database file; the OS account is the best "who" there is.
 */
export function localActor(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return `local:${userInfo().username}`;
  } catch {
    // No passwd entry (some containers): the environment's idea of the user, else unknown.
    return `local:${env.USER ?? env.USERNAME ?? 'unknown'}`;
  }
}
