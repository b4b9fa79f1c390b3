// The per-request Supabase client for server code (load functions, actions,
// endpoints), reading and writing the session cookies through SvelteKit.
//
// Supabase Auth rate-limits sign-ins, sign-ups and code checks per client
// address. The login and sign-up form actions call Auth from this server, so
// without help every visitor would share the server's one address: a single
// attacker would lock everyone out of signing in. Supabase's way out is IP
// address forwarding: a request made with a secret key (sb_secret_...) may
// name the visitor in `Sb-Forwarded-For`, and Auth then counts it against the
// visitor. X-Forwarded-For is no use here: Supabase's edge overwrites it with
// the address it sees (ours), or any client could pick its own bucket. So,
// when SUPABASE_SECRET_KEY is set, this client's calls to those Auth
// endpoints carry the secret key and the visitor's address; everything else
// (REST, Realtime, Functions, admin) keeps the public key. Hosted projects
// must also turn on Authentication > Rate Limits > IP address forwarding.
import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RequestEvent } from '@sveltejs/kit';
import { SUPABASE_SECRET_KEY } from '$app/env/private';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';
import type { Database } from './database.types.ts';

/** Auth endpoints that GoTrue limits per address and that a visitor reaches through this server. */
const FORWARDED_AUTH_PATHS = new Set(['/signup', '/token', '/verify', '/otp', '/magiclink', '/recover', '/resend', '/user']);

export interface ForwardingOptions {
	supabaseUrl: string;
	/** The project's secret key; without it nothing is forwarded. */
	secretKey: string | undefined;
	/** The visitor's address (SvelteKit's event.getClientAddress()). */
	clientAddress: () => string;
	fetch?: typeof fetch;
}

/** A fetch that names the visitor to Auth's rate limits (Sb-Forwarded-For with the secret key). */
export function forwardingFetch({ supabaseUrl, secretKey, clientAddress, fetch: base = fetch }: ForwardingOptions): typeof fetch {
	const authBase = `${supabaseUrl.replace(/\/+$/, '')}/auth/v1`;
	return (input, init) => {
		if (!secretKey) return base(input, init);
		const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
		const path = url.startsWith(`${authBase}/`) ? new URL(url).pathname.slice(new URL(authBase).pathname.length) : null;
		if (path === null || !FORWARDED_AUTH_PATHS.has(path)) return base(input, init);
		const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
		headers.set('apikey', secretKey);
		headers.set('sb-forwarded-for', clientAddress());
		return base(input, { ...init, headers });
	};
}

export function createSupabaseServerClient(event: Pick<RequestEvent, 'cookies' | 'getClientAddress'>): SupabaseClient<Database> {
	const { cookies } = event;
	return createServerClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
		global: {
			fetch: forwardingFetch({ supabaseUrl: PUBLIC_SUPABASE_URL, secretKey: SUPABASE_SECRET_KEY, clientAddress: () => event.getClientAddress() })
		},
		cookies: {
			getAll: () => cookies.getAll(),
			setAll: (cookiesToSet) => {
				for (const { name, value, options } of cookiesToSet) cookies.set(name, value, { ...options, path: '/' });
			}
		}
	});
}
