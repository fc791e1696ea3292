/**
 * A streaming tokenizer for the Python tool's dump (`{"<project>": [entry, ...], ...}`): fed text in chunks of any
 * size, it yields each top-level member and the exact text of each entry of a member's list, holding only the entry
 * being read. It tracks nesting and strings, not JSON grammar: each entry's text is parsed (and refused or kept) by
 * its caller, so Python's bare NaN / Infinity pass through and one bad entry costs only itself.
 */

/** What the tokenizer found, in file order. */
export type SeedToken =
  /** A top-level member starts; `list` says whether its value is an array (its entries follow). */
  | { kind: 'member'; key: string; list: boolean }
  /** One entry of the current member's list: its exact text, or null when it is longer than the limit. */
  | { kind: 'entry'; index: number; text: string | null; chars: number }
  /** The current member's value ended. */
  | { kind: 'member-end' };

/** Thrown when the file's outer structure is not a dump (or it is cut short); `code` is stable. */
export class SeedFormatError extends Error {
  /** Stable code: E_NOT_A_DUMP. */
  readonly code = 'E_NOT_A_DUMP';
}

type Mode =
  | 'start'
  | 'first-key'
  | 'next-key'
  | 'key'
  | 'colon'
  | 'member-value'
  | 'first-entry'
  | 'next-entry'
  | 'after-entry'
  | 'after-member'
  | 'value'
  | 'done';

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
const QUOTE = 34;
const BACKSLASH = 92;

/** Tokenizes a dump fed with {@link push}; call {@link end} after the last chunk. */
export class SeedTokenizer {
  private mode: Mode = 'start';
  /** Where a value scan returns to when the value ends. */
  private after: Mode = 'after-member';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private bare = false;
  /** Capture of the value being read (an entry's text, or a key). */
  private capturing = false;
  /** Where the capture starts in the chunk being read (-1: nothing captured in it). */
  private capStart = -1;
  private parts: string[] = [];
  private chars = 0;
  private oversized = false;
  private key = '';
  private index = 0;
  /** Characters read so far, for error positions. */
  private offset = 0;

  /** @param maxEntryChars entries longer than this are reported with `text: null` instead of being held. */
  constructor(private readonly maxEntryChars: number) {}

  /** Feeds the next chunk; returns the tokens it completed. */
  push(chunk: string): SeedToken[] {
    const out: SeedToken[] = [];
    this.capStart = this.capturing ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.mode) {
        case 'value': {
          // Inside an entry (or a skipped member value): find where it ends.
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === BACKSLASH) this.escaped = true;
            else if (c === QUOTE) {
              this.inString = false;
              if (this.depth === 0) this.finishValue(chunk, i + 1, out);
            }
          } else if (this.bare) {
            if (isWs(c) || c === 44 || c === 93 || c === 125) {
              this.finishValue(chunk, i, out);
              i--; // the delimiter belongs to what follows
            }
          } else if (c === QUOTE) this.inString = true;
          else if (c === 123 || c === 91) this.depth++;
          else if (c === 125 || c === 93) {
            if (--this.depth === 0) this.finishValue(chunk, i + 1, out);
          }
          break;
        }
        case 'start':
          if (isWs(c)) break;
          if (c !== 123) throw this.error(i, 'expected {"<project>": [events...]}');
          this.mode = 'first-key';
          break;
        case 'first-key':
        case 'next-key':
          if (isWs(c)) break;
          if (c === 125 && this.mode === 'first-key') this.mode = 'done';
          else if (c === QUOTE) {
            this.mode = 'key';
            this.parts = [];
            this.capturing = true;
            this.capStart = i;
            this.escaped = false;
          } else throw this.error(i, 'expected a project name');
          break;
        case 'key':
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.parts.push(chunk.slice(this.capStart, i + 1));
            this.capturing = false;
            this.capStart = -1;
            try {
              this.key = JSON.parse(this.parts.join('')) as string;
            } catch {
              throw this.error(i, 'a project name is not a valid JSON string');
            }
            this.parts = [];
            this.mode = 'colon';
          }
          break;
        case 'colon':
          if (isWs(c)) break;
          if (c !== 58) throw this.error(i, `expected ":" after "${this.key}"`);
          this.mode = 'member-value';
          break;
        case 'member-value':
          if (isWs(c)) break;
          if (c === 91) {
            out.push({ kind: 'member', key: this.key, list: true });
            this.index = 0;
            this.mode = 'first-entry';
          } else {
            out.push({ kind: 'member', key: this.key, list: false });
            this.beginValue(c, false, 'after-member', i);
          }
          break;
        case 'first-entry':
        case 'next-entry':
          if (isWs(c)) break;
          if (c === 93 && this.mode === 'first-entry') {
            out.push({ kind: 'member-end' });
            this.mode = 'after-member';
          } else if (c === 44 || c === 93 || c === 125 || c === 58) {
            throw this.error(i, `expected an entry in "${this.key}"`);
          } else this.beginValue(c, true, 'after-entry', i);
          break;
        case 'after-entry':
          if (isWs(c)) break;
          if (c === 44) this.mode = 'next-entry';
          else if (c === 93) {
            out.push({ kind: 'member-end' });
            this.mode = 'after-member';
          } else throw this.error(i, `expected "," or "]" in "${this.key}"`);
          break;
        case 'after-member':
          if (isWs(c)) break;
          if (c === 44) this.mode = 'next-key';
          else if (c === 125) this.mode = 'done';
          else throw this.error(i, 'expected "," or "}" between projects');
          break;
        case 'done':
          if (!isWs(c)) throw this.error(i, 'data after the end of the dump');
          break;
      }
    }
    if (this.capturing && this.capStart >= 0) {
      const piece = chunk.slice(this.capStart);
      if (this.mode === 'key') this.parts.push(piece);
      else this.keep(piece);
    }
    this.offset += chunk.length;
    return out;
  }

  /** Checks, after the last chunk, that the dump ended. */
  end(): void {
    if (this.mode !== 'done') throw this.error(0, 'the file ends before the dump does (cut short?)');
  }

  /** Starts reading a value at character `c` (index `i` of the chunk); entries are captured, other values skipped. */
  private beginValue(c: number, capture: boolean, after: Mode, i: number): void {
    this.mode = 'value';
    this.after = after;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.bare = false;
    this.capturing = capture;
    this.parts = [];
    this.chars = 0;
    this.oversized = false;
    if (c === QUOTE) this.inString = true;
    else if (c === 123 || c === 91) this.depth = 1;
    else this.bare = true;
    this.capStart = capture ? i : -1;
  }

  /** A value ended at `end` (exclusive) in `chunk`: emit it (entries) and return to the mode after it. */
  private finishValue(chunk: string, end: number, out: SeedToken[]): void {
    if (this.capturing) {
      if (this.capStart >= 0) this.keep(chunk.slice(this.capStart, end));
      this.capStart = -1;
      const text = this.oversized ? null : this.parts.join('');
      out.push({ kind: 'entry', index: this.index++, text, chars: this.chars });
      this.parts = [];
      this.capturing = false;
    } else if (this.after === 'after-member') {
      out.push({ kind: 'member-end' });
    }
    this.bare = false;
    this.mode = this.after;
  }

  /** Adds captured text, dropping it once the entry is over the limit (its length is still counted). */
  private keep(piece: string): void {
    this.chars += piece.length;
    if (this.oversized) return;
    if (this.chars > this.maxEntryChars) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private error(i: number, what: string): SeedFormatError {
    return new SeedFormatError(`not a dump at character ${this.offset + i}: ${what}`);
  }
}
