/** Character codes of JSON's structural characters, for the scanners that read JSON text without parsing it. */
export const QUOTE = 34;
/** `\` */
export const BACKSLASH = 92;
/** `{` */
export const OPEN_OBJ = 123;
/** `}` */
export const CLOSE_OBJ = 125;
/** `[` */
export const OPEN_ARR = 91;
/** `]` */
export const CLOSE_ARR = 93;
/** `,` */
export const COMMA = 44;
/** `:` */
export const COLON = 58;
