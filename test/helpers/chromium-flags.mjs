// Debian's Chromium as every browser test and benchmark launches it (playwright-core, headless, no network side
// traffic). Plain JavaScript so the benchmarks use it without a build; types in chromium-flags.d.mts.

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
