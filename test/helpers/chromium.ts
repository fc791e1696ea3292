/** Debian's Chromium as every browser test launches it (playwright-core, headless, no network side traffic). */
import type { Page } from 'playwright-core';

/** `chromium.launch(CHROMIUM)`; add flags with `[...CHROMIUM.args, ...]`. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
};

/** Waits until the console's stream table holds exactly `n` rows (its data attribute). */
export async function waitRows(page: Page, n: number, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    (want) => document.querySelector('.table')?.getAttribute('data-rows') === String(want),
    n,
    { timeout },
  );
}
