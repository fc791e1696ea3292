/** Desktop error notifications: at most one per interval, the rest summed into the next, texts cut to size. */
import { describe, expect, it } from 'vitest';
import { NotifyThrottle } from '../src/lib/notify-throttle.js';

const err = (project: string, desc = 'boom'): { project: string; desc: string } => ({ project, desc });

describe('NotifyThrottle', () => {
  it('nothing to say is null, even when the interval has passed', () => {
    const t = new NotifyThrottle(1000);
    expect(t.offer([], 0)).toBeNull();
    expect(t.poll(1e9)).toBeNull();
  });

  it('the first error shows at once, its description cut to 200 characters', () => {
    expect(new NotifyThrottle(1000).offer([err('p', 'd'.repeat(300))], 5)).toEqual({
      title: 'ic-audit: error in p',
      body: 'd'.repeat(200),
    });
  });

  it('the next shows exactly one interval after the last, not a millisecond before', () => {
    const t = new NotifyThrottle(1000);
    t.offer([err('p')], 0);
    expect(t.offer([err('p')], 999)).toBeNull();
    expect(t.poll(1000)).toEqual({ title: 'ic-audit: error in p', body: 'boom' });
    expect(t.offer([err('p')], 1500)).toBeNull();
    expect(t.poll(2000)).not.toBeNull();
  });

  it('several errors of one project name it; of several projects, count them; the body is the first error', () => {
    const one = new NotifyThrottle(0);
    expect(one.offer([err('p', 'first'), err('p', 'second')], 0)).toEqual({
      title: 'ic-audit: 2 errors in p',
      body: 'p: first',
    });
    const many = new NotifyThrottle(0);
    expect(many.offer([err('p', 'x'.repeat(300)), err('q'), err('r'), err('q')], 0)).toEqual({
      title: 'ic-audit: 4 errors in 3 projects',
      body: `p: ${'x'.repeat(160)}`,
    });
  });

  it('holds at most 1000 errors between notifications', () => {
    const t = new NotifyThrottle(1000);
    t.offer([err('p')], 0);
    t.offer(
      Array.from({ length: 999 }, () => err('p')),
      1,
    );
    expect(t.poll(1000)!.title).toBe('ic-audit: 999 errors in p');
  });

  it('counts every error held back, beyond the 1000 it keeps', () => {
    const t = new NotifyThrottle(1000);
    t.offer([err('p')], 0);
    t.offer(
      Array.from({ length: 1500 }, () => err('p')),
      1,
    );
    expect(t.poll(1000)!.title).toBe('ic-audit: 1500 errors in p');
  });
});
