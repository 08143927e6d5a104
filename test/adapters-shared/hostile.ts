// Text the agent (or a user whose words are echoed) might send to take over a screen or disguise itself,
// shared by the adapters' output-safety tests.

const ESC = '\x1b';

/** Clear screen, retitle, recolour, bell, backspace, NUL, a lone CR, a bidi override, an 8-bit CSI. */
export const HOSTILE =
  `Done${ESC}[2J${ESC}]0;pwned title${'\x07'} bell\x07 back\x08\x08space nul\x00here ` +
  `over\rwrite ${ESC}[31mred${ESC}[0m invoice_\u202efdp.exe \x9b2J end`;

/** What is left of HOSTILE once cleaned. */
export const HOSTILE_CLEAN = 'Done bell backspace nulhere overwrite red invoice_fdp.exe  end';

/** Any byte a terminal or a bidi algorithm would act on (newline and tab excepted). */
export const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
