/** How browser tests launch Debian's Chromium (headless, no sandbox in containers, no background traffic). */
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Where screenshots go: docs/ when refreshing them (IC_AUDIT_SCREENSHOTS=1), else a temp dir (tree stays clean). */
export const SCREENSHOT_DIR =
  process.env['IC_AUDIT_SCREENSHOTS'] === '1'
    ? resolve(import.meta.dirname, '../../docs')
    : join(tmpdir(), 'ic-audit-screens');
