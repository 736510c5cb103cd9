import { execFileSync } from 'node:child_process';

/** Whether `prlimit` (util-linux) is here to lower this process's file size limit. */
export function canFillDisk(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while this test process may not write past the first byte of any file
 * (RLIMIT_FSIZE, lowered for this process only; Node ignores SIGXFSZ, so a write fails with
 * EFBIG). SQLite writes its WAL at commit, so the commit itself fails: a real full disk without
 * mounting anything. Vitest workers report over IPC, not to a file, so the runner is unaffected.
 */
export async function withFullDisk<T>(fn: () => Promise<T>): Promise<T> {
  const pid = String(process.pid);
  const soft = execFileSync('prlimit', ['--pid', pid, '--fsize', '--output=SOFT', '--noheadings', '--raw'], {
    encoding: 'utf8',
  }).trim();
  execFileSync('prlimit', ['--pid', pid, '--fsize=1:']);
  try {
    return await fn();
  } finally {
    execFileSync('prlimit', ['--pid', pid, `--fsize=${soft}:`]);
  }
}

const NOBODY = 65534;

/** True when file permissions bind this process (not root), or when it can drop to `nobody`. */
function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Runs `fn` as a user that file permissions apply to: as root (where chmod stops nothing) with
 * the effective uid and gid of `nobody`, restored afterwards; otherwise as this user.
 */
export async function withoutPrivileges<T>(fn: () => Promise<T>): Promise<T> {
  if (!runsAsRoot() || !process.seteuid || !process.setegid) return fn();
  process.setegid(NOBODY);
  process.seteuid(NOBODY);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
    process.setegid(0);
  }
}

/** The uid and gid `withoutPrivileges` runs as (to hand it a directory it may write). */
export function unprivilegedIds(): { uid: number; gid: number } | null {
  return runsAsRoot() ? { uid: NOBODY, gid: NOBODY } : null;
}
