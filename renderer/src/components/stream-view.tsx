import { useStore } from '../store/store.js';
import { StreamEmpty } from './empty-states.js';
import { EventDetail } from './event-detail.js';
import { EventTable } from './event-table.js';
import { FilterBar } from './filter-bar.js';
import { Histogram } from './histogram.js';

/** Filters, the live table and (when a row is selected) its detail. */
export function StreamView() {
  const selected = useStore((s) => s.selectedId);
  return (
    <div className="stream">
      <FilterBar />
      <Histogram />
      <div className={`stream-body ${selected !== null ? 'with-detail' : ''}`}>
        <EventTable />
        <StreamEmpty />
        <EventDetail />
      </div>
    </div>
  );
}
