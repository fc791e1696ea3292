import type { QueryFilter, TimeRange } from '@ic-audit/shared';

/** Where bots send events to the collector serving this page (the console's own host and port). */
export function ingestUrls(loc: { protocol: string; host: string }): { ws: string; http: string } {
  const secure = loc.protocol === 'https:';
  return {
    ws: `${secure ? 'wss' : 'ws'}://${loc.host}/ingest`,
    http: `${secure ? 'https' : 'http'}://${loc.host}/ingest`,
  };
}

/** The SDK lines a developer pastes into a bot to report to this collector. */
export function sdkSnippet(wsUrl: string): string {
  return [
    "import { AuditNotifier, ProjectEvents } from '@ic-audit/client';",
    '',
    'const auditor = new AuditNotifier({',
    "  projectName: 'MyTradingBot',",
    "  projectMarket: 'FOREX',",
    "  projectPrivileges: 'execute_trade',",
    `  url: '${wsUrl}',`,
    '});',
    "auditor.send(ProjectEvents.TRADE_OPENED, 'Opened long EURUSD', { symbol: 'EURUSD', price: 1.085 });",
  ].join('\n');
}

/** A one-line POST for shell and Python bots. */
export function curlSnippet(httpUrl: string): string {
  return (
    `echo '{"project_name":"MyBot","event_type":"boot","event_description":"Project was booted."}' \\\n` +
    `  | curl -s --data-binary @- ${httpUrl}`
  );
}

const RANGE_WORDS: Record<TimeRange, string> = {
  '15m': 'the last 15 min',
  '1h': 'the last 1 h',
  '30h': 'the last 30 h',
  all: 'all the rows loaded',
  custom: 'the chosen range',
};

/** The next wider time range, or null when the range is already everything. */
export function widerRange(range: TimeRange): TimeRange | null {
  switch (range) {
    case '15m':
      return '1h';
    case '1h':
      return '30h';
    case '30h':
    case 'custom':
      return 'all';
    default:
      return null;
  }
}

/** The filter's conditions as the user would type them: `project=A type=error symbol=EURUSD`. */
export function describeFilter(f: QueryFilter): string {
  const parts: string[] = [];
  if (f.project !== '') parts.push(`project=${f.project}`);
  if (f.type !== '') parts.push(`type=${f.type}`);
  if (f.text.trim() !== '') parts.push(f.text.trim());
  return parts.join(' ');
}

/** True when the filter narrows anything (conditions or a time range). */
export function filterActive(f: QueryFilter): boolean {
  return describeFilter(f) !== '' || f.range !== 'all';
}

/** "no event matches `symbol=EURUSD` in the last 30 h", the sentence above the no-match actions. */
export function noMatchMessage(f: QueryFilter): { conditions: string; where: string } {
  const conditions = describeFilter(f);
  return { conditions, where: RANGE_WORDS[f.range] };
}
