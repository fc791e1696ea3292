/**
 * The console token from the page URL (`/?token=`), kept in memory only. The collector also sets an HttpOnly
 * cookie, so this is a fallback for hosts where cookies are off; the token is removed from the address bar so it
 * does not linger in history or screenshots.
 */
let token: string | null = null;

/** Reads the token from the URL once and strips it from the address bar. */
export function captureToken(): void {
  if (typeof location === 'undefined') return;
  const url = new URL(location.href);
  const t = url.searchParams.get('token');
  if (t === null) return;
  token = t;
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

/** Adds the token to a same-origin URL when one was captured. */
export function withToken(url: string): string {
  if (token === null) return url;
  return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}
