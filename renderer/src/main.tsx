import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.js';
import { ClientContext } from './components/client-context.js';
import { ConsoleClient } from './net/console-client.js';
import { startErrorNotifications } from './net/notifications.js';
import { captureToken, withToken } from './net/token.js';
import { startUrlSync } from './net/view-url.js';
import { useStore } from './store/store.js';
import './styles.css';
import './console-states.css';
import './views.css';

captureToken();
startUrlSync(useStore);
const wsUrl = withToken(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/console`);
const client = new ConsoleClient(useStore, wsUrl);
client.onRows = startErrorNotifications(useStore);
client.connect();
// Tests and the bench read the store directly (counts, timings); read-only by convention.
(globalThis as { __icAudit?: unknown }).__icAudit = { store: useStore };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ClientContext.Provider value={client}>
      <App />
    </ClientContext.Provider>
  </StrictMode>,
);
