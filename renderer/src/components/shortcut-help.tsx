import { SHORTCUTS } from '../lib/shortcuts.js';
import { useStore } from '../store/store.js';

/** The `?` overlay: every shortcut of the table the key handler uses. Esc, `?` or a click outside close it. */
export function ShortcutHelp() {
  const open = useStore((s) => s.helpOpen);
  if (!open) return null;
  const close = (): void => useStore.getState().setHelpOpen(false);
  return (
    <div className="overlay" onClick={close}>
      <div
        className="shortcut-help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <header className="detail-head">
          <span>Keyboard shortcuts</span>
          <span className="grow" />
          <button type="button" onClick={close} aria-label="Close shortcuts">
            ✕
          </button>
        </header>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action} data-action={s.action}>
                <td>
                  {s.label.split(/\s+/).map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
                <td>{s.help}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
