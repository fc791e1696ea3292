import { NotifyThrottle } from '../lib/notify-throttle.js';
import type { Row } from '../lib/row.js';
import type { AppStore } from '../store/store.js';
import { desktop } from './desktop-bridge.js';

/**
 * Desktop notifications for `error` events: throttled (one per 10 s, later ones summed in), muted from the header.
 * Uses the Electron preload's `notify` when present, else the browser's Notification API.
 */
export function startErrorNotifications(store: AppStore): (rows: readonly Row[]) => void {
  const throttle = new NotifyThrottle();
  const show = (title: string, body: string): void => {
    const bridge = desktop();
    if (bridge?.notify) {
      void bridge.notify(title, body);
      return;
    }
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    // Notification text is plain text by spec; nothing here is parsed as HTML.
    new Notification(title, { body, tag: 'ic-audit-error' });
  };
  setInterval(() => {
    const next = throttle.poll(Date.now());
    if (next !== null && !store.getState().notificationsMuted) show(next.title, next.body);
  }, 2_000);
  return (rows) => {
    if (store.getState().notificationsMuted) return;
    const errors = [];
    for (const r of rows) if (r.type === 'error') errors.push({ project: r.project, desc: r.desc });
    if (errors.length === 0) return;
    const next = throttle.offer(errors, Date.now());
    if (next !== null) show(next.title, next.body);
  };
}
