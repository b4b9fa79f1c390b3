// What the sign-in page may say about how the visitor got there. The URL
// carries only a code (`/login?notice=signed-out`); the words are ours. Free
// text from the URL would let anyone send a link to our sign-in page saying
// whatever they like ("Your account is locked: call …"), so a code not listed
// here shows nothing.

export const LOGIN_NOTICES = {
	'signed-out': 'You are signed out.',
	'email-confirmed': 'Your email is confirmed — sign in to continue.'
} as const;

export type LoginNotice = keyof typeof LOGIN_NOTICES;

/** Our sentence for a notice code from the URL, or null for a missing or made-up one. */
export function loginNotice(code: string | null): string | null {
	if (code === null || !Object.hasOwn(LOGIN_NOTICES, code)) return null;
	return LOGIN_NOTICES[code as LoginNotice];
}
