// The GoTrue-compatible Auth service of the local stack (/auth/v1): what
// `@supabase/supabase-js` and `@supabase/ssr` call for email + password,
// magic links, OTPs, PKCE, invites and the admin API. Users, sessions and
// tokens live in the `auth` schema as GoTrue keeps them.
import type { StackContext, StackService } from '../context.ts';
import { HttpError } from '../http.ts';
import type { AuthContext } from './context.ts';
import { AuthError, OAuthError, sendAuthError } from './errors.ts';
import { createMailer } from './mailer.ts';
import { createLimiters } from './rate-limits.ts';
import { isOpenPath, route } from './router.ts';

export function createAuthService(stack: StackContext): StackService {
	const ctx: AuthContext = {
		config: stack.config,
		pool: stack.adminPool,
		mailer: createMailer(stack.config),
		limiters: createLimiters(stack.config.auth.rateLimits),
		log: (message) => stack.log('auth', message)
	};
	return {
		prefix: '/auth/v1',
		isOpen: isOpenPath,
		async handle({ req, res, url, path, token, clientAddress }) {
			try {
				await route(ctx, { req, res, url, token, clientAddress }, req.method ?? 'GET', path);
			} catch (error) {
				if (res.headersSent) throw error;
				if (error instanceof AuthError || error instanceof OAuthError) {
					sendAuthError(req, res, error);
				} else if (error instanceof HttpError) {
					throw error;
				} else {
					ctx.log(`${req.method} ${url.pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
					sendAuthError(req, res, new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'));
				}
			}
		},
		async close() {
			ctx.mailer.close();
		}
	};
}
