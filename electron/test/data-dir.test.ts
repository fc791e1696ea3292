/** The data dir: whether it holds a journal, creating it, and the console token file kept in it. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  consoleToken,
  DataDirError,
  ensureDataDir,
  hasJournal,
  requireJournal,
  TOKEN_FILE,
} from '../src/settings/data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The DataDirError `run` throws. */
function dataDirError(run: () => unknown): DataDirError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DataDirError);
    return err as DataDirError;
  }
  throw new Error('no error');
}

describe('hasJournal / requireJournal', () => {
  it('true only for a journal folder inside the dir', () => {
    const dir = join(root, 'with-journal');
    mkdirSync(join(dir, 'journal'), { recursive: true });
    expect(hasJournal(dir)).toBe(true);
    expect(() => requireJournal(dir, '/default')).not.toThrow();
    const fileNotFolder = join(root, 'journal-file');
    mkdirSync(fileNotFolder);
    writeFileSync(join(fileNotFolder, 'journal'), '');
    expect(hasJournal(fileNotFolder)).toBe(false);
    expect(hasJournal(join(root, 'missing'))).toBe(false);
  });

  it('requireJournal names the dir and the default', () => {
    const e = dataDirError(() => requireJournal(join(root, 'typo'), '/home/u/.ic-audit'));
    expect(e.code).toBe('E_NO_JOURNAL');
    expect(e.message).toBe(`no journal in ${join(root, 'typo')}; the default is /home/u/.ic-audit`);
  });
});

describe('ensureDataDir', () => {
  it('creates nested folders 0700 and leaves no probe file behind', () => {
    const dir = join(root, 'a', 'b', 'data');
    ensureDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([]);
    ensureDataDir(dir);
  });

  it('a path that cannot be a folder is E_DATA_DIR, naming it', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, '');
    const e = dataDirError(() => ensureDataDir(join(file, 'data')));
    expect(e.code).toBe('E_DATA_DIR');
    expect(e.message).toMatch(new RegExp(`^data dir ${join(file, 'data')} is not writable: .*ENOTDIR`));
  });
});

describe('consoleToken', () => {
  it('creates a random 48-hex token in a 0600 file on first use, then reads the same one back', () => {
    const dir = join(root, 'token');
    mkdirSync(dir);
    const t = consoleToken(dir);
    expect(t).toMatch(/^[0-9a-f]{48}$/);
    expect(readFileSync(join(dir, TOKEN_FILE), 'utf8')).toBe(t + '\n');
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(consoleToken(dir)).toBe(t);
    const other = join(root, 'token-other');
    mkdirSync(other);
    expect(consoleToken(other)).not.toBe(t);
  });

  it('keeps a hand-written token of 32+ hex digits (tightening its mode), replaces anything else', () => {
    const dir = join(root, 'token-kept');
    mkdirSync(dir);
    const file = join(dir, TOKEN_FILE);
    writeFileSync(file, ` ${'a'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(consoleToken(dir)).toBe('a'.repeat(32));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const bad of ['a'.repeat(31), 'A'.repeat(40), 'not a token', '']) {
      writeFileSync(file, bad);
      const t = consoleToken(dir);
      expect(t, JSON.stringify(bad)).toMatch(/^[0-9a-f]{48}$/);
      expect(readFileSync(file, 'utf8')).toBe(t + '\n');
    }
  });
});
