import { createContext, useContext } from 'react';
import type { ConsoleClient } from '../net/console-client.js';

/** The console channel, provided once at the root. */
export const ClientContext = createContext<ConsoleClient | null>(null);

/** The console channel; throws outside the provider (a wiring bug, not a runtime condition). */
export function useClient(): ConsoleClient {
  const client = useContext(ClientContext);
  if (client === null) throw new Error('ConsoleClient not provided');
  return client;
}
