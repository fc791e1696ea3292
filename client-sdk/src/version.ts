/** Package name sent in every hello as `sdk: name@version`. */
export const SDK_NAME = '@ic-audit/client';

/** Package version; a unit test keeps it equal to package.json's. */
export const SDK_VERSION = '0.1.0';
