// The web app's environment, validated when the app starts (SvelteKit 3).
// `npm start` sets these for the local stack; production sets them to the
// hosted Supabase project's values.
import { defineEnvVars } from '@sveltejs/kit/env';
import { z } from 'zod';

export const variables = defineEnvVars({
	PUBLIC_SUPABASE_URL: {
		public: true,
		schema: z.url({ error: 'PUBLIC_SUPABASE_URL must be the Supabase API URL, e.g. http://127.0.0.1:54321' }),
		description: 'Supabase API URL (the local stack: http://127.0.0.1:54321)'
	},
	PUBLIC_SUPABASE_ANON_KEY: {
		public: true,
		schema: z.string().min(20, { error: 'PUBLIC_SUPABASE_ANON_KEY must be the project anon (or publishable) key' }),
		description: 'Supabase anon or publishable key; safe in the browser (RLS decides access)'
	},
	SUPABASE_SECRET_KEY: {
		schema: z
			.string()
			.startsWith('sb_secret_', { error: 'SUPABASE_SECRET_KEY must be the project secret key (sb_secret_...), or unset' })
			.optional(),
		description:
			"Server-only. Optional: the project's secret key, used only to name the visitor (Sb-Forwarded-For) on the Auth calls the server makes for them, so Auth's rate limits count the visitor, not the web server (src/lib/supabase/server.ts)"
	}
});
