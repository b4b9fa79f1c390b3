// The signed-in person as the server knows them on each request: read from
// the session's access token after supabase-js getClaims() has verified it
// (signature against the project's published keys, and expiry), without a
// round trip to Auth. Whether the session still exists is the database's
// question: a token of an ended session gets nothing from it
// (private.caller_session_is_live), and /app's layout signs such a session
// out (src/routes/app/+layout.server.ts).
import type { JwtPayload } from '@supabase/supabase-js';

export interface SessionUser {
	id: string;
	email: string;
	/** Signed in with signInAnonymously() and no email linked yet. */
	isAnonymous: boolean;
	/** aal1, or aal2 after a second factor was verified in this session. */
	aal: 'aal1' | 'aal2';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user a verified token names, or null when it names none (the anon key, a service token). */
export function sessionUserFromClaims(claims: JwtPayload | null | undefined): SessionUser | null {
	if (!claims || claims.role !== 'authenticated' || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return null;
	return {
		id: claims.sub,
		email: typeof claims.email === 'string' ? claims.email : '',
		isAnonymous: claims.is_anonymous === true,
		aal: claims.aal === 'aal2' ? 'aal2' : 'aal1'
	};
}
