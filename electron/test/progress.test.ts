/** The CLI progress line: when it is silent, what it draws (counts, bar, rate, ETA), throttling and clearing. */
import { describe, expect, it } from 'vitest';
import { startProgress, type ProgressOptions, type ProgressUnit } from '../src/app/cli/progress.js';

/** A terminal stand-in that records what is written, and a clock the test moves. */
function terminal(
  columns = 200,
  env: Record<string, string> = { NO_COLOR: '1' },
): {
  writes: string[];
  clock: { t: number };
  opts: ProgressOptions;
} {
  const writes: string[] = [];
  const clock = { t: 1_000_000 };
  const stream = {
    isTTY: true,
    columns,
    write: (s: string): boolean => (writes.push(s), true),
  } as unknown as NodeJS.WriteStream;
  return { writes, clock, opts: { stream, env, now: () => clock.t } };
}

/** The visible text of a drawn line (the carriage return and the erase-to-end cut off). */
const text = (w: string): string => w.replace(/^\r/, '').replace(/\x1b\[K$/, '');

/** The line drawn for `done` of `total` after `seconds`, in a fresh progress. */
function lineAfter(unit: ProgressUnit, total: number | null, done: number, seconds: number, note?: string): string {
  const { writes, clock, opts } = terminal();
  const p = startProgress('Job', total, unit, opts);
  clock.t += seconds * 1000;
  p.update(done, note);
  expect(writes).toHaveLength(1);
  return text(writes[0]!);
}

describe('startProgress', () => {
  it('draws nothing when quiet, when stderr is not a terminal, or on a dumb terminal', () => {
    for (const make of [
      (t: ReturnType<typeof terminal>) => startProgress('x', 10, 'events', { ...t.opts, quiet: true }),
      (t: ReturnType<typeof terminal>) =>
        startProgress('x', 10, 'events', { ...t.opts, stream: { write: t.opts.stream!.write } as NodeJS.WriteStream }),
      (t: ReturnType<typeof terminal>) => startProgress('x', 10, 'events', { ...t.opts, env: { TERM: 'dumb' } }),
    ]) {
      const t = terminal();
      const p = make(t);
      p.update(5);
      p.clear();
      p.end();
      expect(t.writes).toEqual([]);
    }
  });

  it('with a total: counts, percent, a bar, the rate and the time left', () => {
    expect(lineAfter('events', 1000, 500, 10)).toBe(
      'Job  500 events / 1,000 events   50%  [##########----------]  50 events/s  ETA 10s',
    );
    expect(lineAfter('records', 4, 4, 1, 'done')).toBe(
      'Job  4 records / 4 records  100%  [####################]  4 records/s  ETA 0s  done',
    );
    // More than the total (a file that grew) stays at a full bar.
    expect(lineAfter('events', 10, 15, 1)).toMatch(/ 100% {2}\[#{20}\]/);
  });

  it('no rate in the first 0.2 s; without a total, the count and rate only; the note last', () => {
    expect(lineAfter('events', 1000, 10, 0.1)).toBe(`Job  10 events / 1,000 events    1%  [${'-'.repeat(20)}]`);
    expect(lineAfter('events', null, 12_345, 5, 'file 2 of 3')).toBe('Job  12,345 events  2,469 events/s  file 2 of 3');
    expect(lineAfter('events', 0, 7, 0)).toBe('Job  7 events');
  });

  it('bytes in decimal units, three significant figures', () => {
    expect(lineAfter('bytes', null, 999, 0)).toBe('Job  999 B');
    expect(lineAfter('bytes', null, 1_000, 0)).toBe('Job  1.0 kB');
    expect(lineAfter('bytes', null, 1_234_567, 0)).toBe('Job  1.2 MB');
    expect(lineAfter('bytes', null, 123_456_789, 0)).toBe('Job  123 MB');
    expect(lineAfter('bytes', null, 5e15, 0)).toBe('Job  5000 TB');
  });

  it('the time left in seconds, minutes or hours', () => {
    expect(lineAfter('events', 10_000, 100, 1)).toMatch(/ETA 1m39s$/);
    expect(lineAfter('events', 1_000_000, 100, 1)).toMatch(/ETA 2h46m$/);
    expect(lineAfter('events', 100, 1, 1)).toMatch(/ETA 1m39s$/);
    expect(lineAfter('events', 1000, 941, 1)).toMatch(/ETA 0s$/);
  });

  it('redraws at most every 100 ms of its clock', () => {
    const { writes, clock, opts } = terminal();
    const p = startProgress('Job', null, 'events', opts);
    p.update(1);
    clock.t += 99;
    p.update(2);
    expect(writes).toHaveLength(1);
    clock.t += 1;
    p.update(3);
    expect(writes.map(text)).toEqual(['Job  1 events', 'Job  3 events']);
  });

  it('clear erases a drawn line and lets the next update draw at once; end erases it for good', () => {
    const { writes, clock, opts } = terminal();
    const p = startProgress('Job', null, 'events', opts);
    p.clear();
    expect(writes).toEqual([]);
    p.update(1);
    p.clear();
    p.update(2);
    expect(writes).toEqual(['\rJob  1 events\x1b[K', '\r\x1b[K', '\rJob  2 events\x1b[K']);
    p.end();
    p.end();
    clock.t += 10_000;
    p.update(3);
    expect(writes.slice(3)).toEqual(['\r\x1b[K']);
  });

  it('a new phase changes the label and total and restarts the rate', () => {
    const { writes, clock, opts } = terminal();
    const p = startProgress('Reading', null, 'records', opts);
    clock.t += 10_000;
    p.update(100);
    p.phase('Checking', 50);
    p.update(0);
    expect(writes.map(text)).toEqual([
      'Reading  100 records  10 records/s',
      'Checking  0 records / 50 records    0%  [--------------------]',
    ]);
  });

  it('cuts the line to the terminal width (80 when it reports none), keeping colour escapes whole', () => {
    const narrow = terminal(20, {});
    startProgress('Job', 10, 'events', narrow.opts).update(5);
    const drawn = text(narrow.writes[0]!);
    expect(drawn.replace(/\x1b\[[0-9;]*m/g, '')).toBe('Job  5 events / 10 ');
    expect(drawn).toContain('\x1b[32m');
    expect(drawn).toContain('\x1b[0m');
    const unsized = terminal(0);
    startProgress('J'.repeat(200), null, 'events', unsized.opts).update(1);
    expect(text(unsized.writes[0]!)).toBe('J'.repeat(79));
  });

  it('colours the bar unless NO_COLOR is set to something', () => {
    const colour = terminal(200, { NO_COLOR: '' });
    startProgress('Job', 2, 'events', colour.opts).update(1);
    expect(colour.writes[0]).toContain(`[\x1b[32m${'#'.repeat(10)}${'-'.repeat(10)}\x1b[0m]`);
  });
});
