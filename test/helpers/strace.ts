/**
 * strace as a fault-injection and observation layer around the real collector: it delays or fails chosen syscalls
 * (`-e inject=`) and records every write and sync in the order the kernel saw them, which a kill -9 test cannot
 * (the page cache outlives the process, so a missing fdatasync looks just like a present one).
 */
import { spawnSync } from 'node:child_process';

/** True when strace is installed and may trace children here (ptrace allowed). */
export const straceUsable: boolean = (() => {
  const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  return r.status === 0;
})();

/** A `wrap` for startCollector that runs the collector under strace with `args` (e.g. `-e trace=...`). */
export function straceWrap(output: string, ...args: string[]): string[] {
  return ['strace', '-f', '-qq', '-o', output, ...args];
}
