/** Debian's Chromium as every browser test launches it (playwright-core, headless, no network side traffic). */
import type { Page } from 'playwright-core';

export { CHROMIUM } from './chromium-flags.mjs';

/** Waits until the console's stream table holds exactly `n` rows (its data attribute). */
export async function waitRows(page: Page, n: number, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    (want) => document.querySelector('.table')?.getAttribute('data-rows') === String(want),
    n,
    { timeout },
  );
}
