import { useEffect, useState } from 'react';
import { useStore } from '../store/store.js';

/** Collector clock (epoch seconds), refreshed every `intervalMs`, for ages and silent status. */
export function useCollectorNow(intervalMs = 1000): number {
  const skew = useStore((s) => s.clockSkew);
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() / 1000), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now + skew;
}
