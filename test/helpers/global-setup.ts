/**
 * Gives the whole test run its own config folder (IC_AUDIT_CONFIG_DIR), so every collector and CLI a test starts
 * keeps its signing key (one per data dir, derived from the data dir's path) in a temp folder, never in the real
 * ~/.config. Removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ic-audit-test-config-'));
  process.env['IC_AUDIT_CONFIG_DIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
