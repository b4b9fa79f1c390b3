// GoTrue endpoints for features this stack has off or does not run (SAML
// SSO, passkeys, the OAuth 2.1 server, custom OAuth providers, SCIM, Web3
// and ID-token sign-ins, manual identity linking), answering exactly as
// GoTrue does with those features disabled: its status, error code and
// message, after the same authentication checks, so a client sees what it
// would see against a hosted project with them off.
import { z } from 'zod';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { AuthError, badRequest, notFound, OAuthError, unprocessable } from '../errors.ts';
import { requireAdmin, requireUser } from '../guard.ts';
import { optionalString, readParams } from '../params.ts';
import { reply, type AuthRequest } from '../request.ts';
import { identitiesOf, refreshProviders } from '../users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const samlDisabled = () => notFound('saml_provider_disabled', 'SAML 2.0 is disabled');
export const passkeysDisabled = () => notFound('passkey_disabled', 'Passkeys are disabled');
export const oauthServerDisabled = () => notFound('feature_disabled', 'OAuth server is disabled');
export const customProvidersDisabled = () => notFound('feature_disabled', 'Custom OAuth providers are disabled');
export const scimDisabled = () => notFound('feature_disabled', 'SCIM server is disabled');

/** /sso, /sso/saml/metadata, /sso/saml/acs (GoTrue's requireSAMLEnabled comes first). */
export async function sso(): Promise<void> {
	throw samlDisabled();
}

/** GET /admin/sso/providers: GoTrue lists the (here: no) SAML providers even with SAML off. */
export async function adminSsoProviders(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireAdmin(ctx, request.token);
	reply(request, 200, { items: [] });
}

/** GET /user/identities/authorize and DELETE /user/identities/{id}: a signed-in user, then the manual-linking switch. */
export async function linkIdentity(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireUser(ctx, request.token);
	if (!ctx.config.auth.manualLinking) throw notFound('manual_linking_disabled', 'Manual linking is disabled');
	// No external provider is configured here: GoTrue's answer for one it does not know.
	const provider = request.url.searchParams.get('provider') ?? '';
	throw badRequest('validation_failed', `Unsupported provider: Provider ${provider} could not be found`);
}

export async function unlinkIdentity(ctx: AuthContext, request: AuthRequest, identityId: string): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	if (!ctx.config.auth.manualLinking) throw notFound('manual_linking_disabled', 'Manual linking is disabled');
	if (!UUID.test(identityId)) throw notFound('validation_failed', 'identity_id must be an UUID');
	await inTransaction(ctx.pool, async (db) => {
		const identities = await identitiesOf(db, caller.user.id);
		if (identities.length <= 1) throw unprocessable('single_identity_not_deletable', 'User must have at least 1 identity after unlinking');
		const identity = identities.find((i) => i.id === identityId);
		if (!identity) throw unprocessable('identity_not_found', "Identity doesn't exist");
		await db.query('delete from auth.identities where id = $1', [identity.id]);
		await refreshProviders(db, caller.user);
	});
	reply(request, 200, {});
}

const PROVIDER_ISSUERS: Record<string, string> = {
	google: 'https://accounts.google.com',
	facebook: 'https://www.facebook.com',
	kakao: 'https://kauth.kakao.com',
	linkedin_oidc: 'https://www.linkedin.com/oauth',
	snapchat: 'https://accounts.snapchat.com',
	keycloak: ''
};

const idTokenBody = z.looseObject({
	id_token: optionalString,
	provider: optionalString,
	client_id: optionalString,
	issuer: optionalString,
	link_identity: z.boolean().nullish()
});

/** The issuer an ID token names, or null when it is not a readable JWT. */
function issuerOfToken(token: string): string | null {
	try {
		const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
		return typeof claims.iss === 'string' ? claims.iss : null;
	} catch {
		return null;
	}
}

/** POST /token?grant_type=id_token with every OIDC provider off (GoTrue's IdTokenGrant up to its provider check). */
export async function idTokenGrant(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const params = await readParams(request.req, idTokenBody);
	if (params.id_token === '') throw new OAuthError('invalid request', 'id_token required');
	if (params.provider === '' && (params.client_id === '' || params.issuer === '')) throw new OAuthError('invalid request', 'provider or client_id and issuer required');
	if (params.link_identity) {
		if (!request.token) throw new OAuthError('invalid request', 'Linking requires a valid user access token in Authorization');
		await requireUser(ctx, request.token);
	}
	const { provider, issuer } = params;
	const appleIssuers = ['https://appleid.apple.com', 'https://account.apple.com'];
	let named: string;
	if (provider === 'apple' || appleIssuers.includes(issuer)) {
		const detected = issuerOfToken(params.id_token);
		if (detected === null) throw badRequest('validation_failed', 'Unable to detect issuer in ID token for Apple provider');
		if (!appleIssuers.includes(detected)) throw badRequest('validation_failed', 'Detected ID token issuer is not an Apple ID token issuer');
		if (issuer !== '' && issuer !== detected) throw badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		named = detected;
	} else if (provider === 'azure' || issuer.startsWith('https://login.microsoftonline.com/')) {
		const detected = issuerOfToken(params.id_token);
		if (detected === null) throw badRequest('validation_failed', 'Unable to detect issuer in ID token for Azure provider');
		if (!detected.startsWith('https://login.microsoftonline.com/')) throw badRequest('validation_failed', 'Detected ID token issuer is not an Azure ID token issuer');
		if (issuer !== '' && issuer !== detected) throw badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		named = detected;
	} else {
		const known = Object.entries(PROVIDER_ISSUERS).find(([name, iss]) => provider === name || (iss !== '' && issuer === iss));
		if (!known) {
			if (provider.startsWith('custom:')) throw badRequest('validation_failed', 'Custom OAuth providers are disabled');
			throw badRequest('validation_failed', `Custom OIDC provider ${JSON.stringify(provider)} not allowed`);
		}
		named = known[1];
	}
	throw new AuthError(400, 'provider_disabled', `Provider (issuer ${JSON.stringify(named)}) is not enabled`);
}

/** POST /token?grant_type=web3 with neither chain enabled. */
export async function web3Grant(): Promise<void> {
	throw unprocessable('web3_provider_disabled', 'Web3 provider is disabled');
}
