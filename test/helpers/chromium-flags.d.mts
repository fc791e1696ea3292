/** `chromium.launch(CHROMIUM)`; add flags with `[...CHROMIUM.args, ...]`. */
export const CHROMIUM: { executablePath: string; args: string[] };
