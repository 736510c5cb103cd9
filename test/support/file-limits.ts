import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { getLoadablePath } from 'sqlite-vec';

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
  // Every store loads sqlite-vec's shared library: `nobody` must reach it even when the checkout
  // lies in a private directory (a CI clone in `mktemp -d` is 0700).
  const restore = openPathToOthers(getLoadablePath());
  process.setegid(NOBODY);
  process.seteuid(NOBODY);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
    process.setegid(0);
    restore();
  }
}

/** Adds o+x to each directory above `file` (and o+r to the file) that lacks it; returns the undo. */
function openPathToOthers(file: string): () => void {
  const changed: { path: string; mode: number }[] = [];
  const open = (path: string, bits: number) => {
    const mode = statSync(path).mode & 0o7777;
    if ((mode & bits) === bits) return;
    changed.push({ path, mode });
    chmodSync(path, mode | bits);
  };
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    open(dir, 0o001);
    if (dirname(dir) === dir) break;
  }
  open(file, 0o004);
  return () => {
    for (const { path, mode } of changed.reverse()) chmodSync(path, mode);
  };
}

/** The uid and gid `withoutPrivileges` runs as (to hand it a directory it may write). */
export function unprivilegedIds(): { uid: number; gid: number } | null {
  return runsAsRoot() ? { uid: NOBODY, gid: NOBODY } : null;
}
