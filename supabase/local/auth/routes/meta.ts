// GET /health, /settings, /.well-known/jwks.json, and the OAuth entry points
// (/authorize, /callback) answering as GoTrue does with no external
// provider configured.
import { publicJwks } from '../../jwt.ts';
import type { AuthContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { reply, type AuthRequest } from '../request.ts';

const PROVIDERS = [
	'anonymous_users', 'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'snapchat', 'figma', 'fly', 'github', 'gitlab', 'google',
	'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch', 'twitter',
	'email', 'phone', 'zoom'
];

export async function health(_ctx: AuthContext, request: AuthRequest): Promise<void> {
	reply(request, 200, { version: 'v2-local', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
}

export async function settings(ctx: AuthContext, request: AuthRequest): Promise<void> {
	reply(request, 200, {
		external: Object.fromEntries(PROVIDERS.map((p) => [p, p === 'email' || (p === 'anonymous_users' && ctx.config.auth.anonymousSignIns)])),
		disable_signup: !ctx.config.auth.enableSignup,
		mailer_autoconfirm: !ctx.config.auth.enableConfirmations,
		phone_autoconfirm: false,
		sms_provider: '',
		saml_enabled: false,
		saml_private_key_next_configured: false,
		passkeys_enabled: false
	});
}

export async function jwks(ctx: AuthContext, request: AuthRequest): Promise<void> {
	// The public halves of the asymmetric signing keys; the HS256 secret is never published (an HS256-only project serves no keys).
	reply(request, 200, publicJwks(ctx.config.jwtKeys), { 'Cache-Control': 'public, max-age=600' });
}

export async function authorize(_ctx: AuthContext, request: AuthRequest): Promise<void> {
	const provider = request.url.searchParams.get('provider') ?? '';
	throw badRequest('validation_failed', `Unsupported provider: Provider ${provider} could not be found`);
}

export async function callback(): Promise<void> {
	throw badRequest('bad_oauth_callback', 'OAuth state parameter missing');
}
