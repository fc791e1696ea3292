import { useStore } from '../store/store.js';
import { ConnectionBanner } from './connection-banner.js';
import { DumpToast } from './dump-toast.js';
import { Header } from './header.js';
import { useKeyboard } from './keyboard.js';
import { Overview } from './overview.js';
import { ProjectsSidebar } from './projects-sidebar.js';
import { ShortcutHelp } from './shortcut-help.js';
import { StreamView } from './stream-view.js';

/** The console: header, projects sidebar, and the overview or stream. */
export function App() {
  const tab = useStore((s) => s.tab);
  useKeyboard();
  return (
    <div className="app">
      <Header />
      <ConnectionBanner />
      <div className="main">
        <ProjectsSidebar />
        <main className="content">{tab === 'overview' ? <Overview /> : <StreamView />}</main>
      </div>
      <DumpToast />
      <ShortcutHelp />
    </div>
  );
}
