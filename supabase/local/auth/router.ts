// Method + path -> handler, for the paths below /auth/v1.
import type { AuthContext } from './context.ts';
import { notFound } from './errors.ts';
import type { AuthRequest } from './request.ts';
import * as admin from './routes/admin.ts';
import { generateLink } from './routes/generate-link.ts';
import * as mfa from './mfa.ts';
import * as disabled from './routes/disabled.ts';
import * as meta from './routes/meta.ts';
import { magicLinkRoute, otp, recover, resend } from './routes/otp.ts';
import { signup } from './routes/signup.ts';
import { token } from './routes/token.ts';
import { getUser, logoutRoute, reauthenticateRoute, updateUserRoute } from './routes/user.ts';
import { verifyGet, verifyPost } from './routes/verify.ts';

type Route = (ctx: AuthContext, request: AuthRequest, param: string) => Promise<void>;

const ROUTES: Record<string, Route> = {
	'GET /health': meta.health,
	'GET /settings': meta.settings,
	'GET /.well-known/jwks.json': meta.jwks,
	'GET /authorize': meta.authorize,
	'GET /callback': meta.callback,
	'POST /callback': meta.callback,
	'POST /signup': signup,
	'POST /token': token,
	'GET /verify': verifyGet,
	'POST /verify': verifyPost,
	'POST /otp': otp,
	'POST /magiclink': magicLinkRoute,
	'POST /recover': recover,
	'POST /resend': resend,
	'GET /user': getUser,
	'PUT /user': updateUserRoute,
	'GET /reauthenticate': reauthenticateRoute,
	'POST /logout': logoutRoute,
	'POST /factors': mfa.enroll,
	'GET /user/identities/authorize': disabled.linkIdentity,
	'POST /sso': disabled.sso,
	'GET /sso/saml/metadata': disabled.sso,
	'POST /sso/saml/acs': disabled.sso,
	'GET /admin/sso/providers': disabled.adminSsoProviders,
	'POST /invite': admin.inviteRoute,
	'GET /admin/users': admin.listUsersRoute,
	'POST /admin/users': admin.createUserRoute,
	'GET /admin/users/:id': admin.getUserRoute,
	'PUT /admin/users/:id': admin.updateUserRoute,
	'DELETE /admin/users/:id': admin.deleteUserRoute,
	'POST /admin/generate_link': generateLink
};

/** Paths that need no API key (the CLI gateway's open auth routes). */
export function isOpenPath(path: string, method: string): boolean {
	const p = normalise(path);
	return (p === '/verify' && method === 'GET') || p === '/callback' || p === '/authorize' || p === '/.well-known/jwks.json';
}

function normalise(path: string): string {
	return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export async function route(ctx: AuthContext, request: AuthRequest, method: string, path: string): Promise<void> {
	const p = normalise(path);
	const exact = ROUTES[`${method} ${p}`];
	if (exact) return exact(ctx, request, '');
	const factor = /^\/factors\/([^/]+)(\/challenge|\/verify)?$/.exec(p);
	if (factor) {
		const id = decodeURIComponent(factor[1]);
		if (method === 'POST' && factor[2] === '/challenge') return mfa.challenge(ctx, request, id);
		if (method === 'POST' && factor[2] === '/verify') return mfa.verify(ctx, request, id);
		if (method === 'DELETE' && !factor[2]) return mfa.unenroll(ctx, request, id);
	}
	const adminFactor = /^\/admin\/users\/([^/]+)\/factors(?:\/([^/]+))?$/.exec(p);
	if (adminFactor) {
		const userId = decodeURIComponent(adminFactor[1]);
		const factorId = adminFactor[2] === undefined ? null : decodeURIComponent(adminFactor[2]);
		if (method === 'GET' && factorId === null) return mfa.adminListFactors(ctx, request, userId);
		if (method === 'DELETE' && factorId !== null) return mfa.adminDeleteFactor(ctx, request, userId, factorId);
		if (method === 'PUT' && factorId !== null) return mfa.adminUpdateFactor(ctx, request, userId, factorId);
	}
	const user = /^\/admin\/users\/([^/]+)$/.exec(p);
	const byId = user ? ROUTES[`${method} /admin/users/:id`] : undefined;
	if (user && byId) return byId(ctx, request, decodeURIComponent(user[1]));
	const identity = /^\/user\/identities\/([^/]+)$/.exec(p);
	if (identity && method === 'DELETE') return disabled.unlinkIdentity(ctx, request, decodeURIComponent(identity[1]));
	// Features GoTrue has and this stack keeps off: GoTrue's own "disabled" answer, not a bare 404.
	if (p === '/passkeys' || p.startsWith('/passkeys/') || /^\/admin\/users\/[^/]+\/passkeys(\/|$)/.test(p)) throw disabled.passkeysDisabled();
	if (p.startsWith('/oauth/') || p.startsWith('/admin/oauth/') || p === '/user/oauth/grants' || p === '/.well-known/oauth-authorization-server') throw disabled.oauthServerDisabled();
	if (p === '/admin/custom-providers' || p.startsWith('/admin/custom-providers/')) throw disabled.customProvidersDisabled();
	if (p === '/scim/v2' || p.startsWith('/scim/v2/')) throw disabled.scimDisabled();
	if (p.startsWith('/sso/') || p.startsWith('/admin/sso/')) throw disabled.samlDisabled();
	throw notFound('not_found', 'Not Found');
}
