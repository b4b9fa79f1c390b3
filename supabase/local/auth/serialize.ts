// User, identity and session JSON exactly as GoTrue writes them: fields in
// its struct order, optional timestamps left out when null.
import type { IdentityRecord, Json, UserRecord } from './users.ts';

export function identityJson(identity: IdentityRecord): Json {
	const out: Json = {
		identity_id: identity.id,
		id: identity.provider_id,
		user_id: identity.user_id,
		identity_data: identity.identity_data,
		provider: identity.provider
	};
	if (identity.last_sign_in_at) out.last_sign_in_at = identity.last_sign_in_at;
	out.created_at = identity.created_at;
	out.updated_at = identity.updated_at;
	if (identity.email) out.email = identity.email;
	return out;
}

export function userJson(user: UserRecord, identities: IdentityRecord[], factors: Json[] = []): Json {
	const out: Json = { id: user.id, aud: user.aud ?? '', role: user.role ?? '', email: user.email ?? '' };
	const optional = (key: string, value: string | null) => {
		if (value) out[key] = value;
	};
	optional('email_confirmed_at', user.email_confirmed_at);
	optional('invited_at', user.invited_at);
	out.phone = user.phone ?? '';
	optional('phone_confirmed_at', user.phone_confirmed_at);
	optional('confirmation_sent_at', user.confirmation_sent_at);
	optional('confirmed_at', user.confirmed_at);
	optional('recovery_sent_at', user.recovery_sent_at);
	optional('new_email', user.email_change);
	optional('email_change_sent_at', user.email_change_sent_at);
	optional('new_phone', user.phone_change);
	optional('phone_change_sent_at', user.phone_change_sent_at);
	optional('reauthentication_sent_at', user.reauthentication_sent_at);
	optional('last_sign_in_at', user.last_sign_in_at);
	out.app_metadata = user.raw_app_meta_data ?? {};
	out.user_metadata = user.raw_user_meta_data ?? {};
	out.identities = identities.map(identityJson);
	// GoTrue: `factors,omitempty`.
	if (factors.length) out.factors = factors;
	out.created_at = user.created_at;
	out.updated_at = user.updated_at;
	optional('banned_until', user.banned_until);
	optional('deleted_at', user.deleted_at);
	out.is_anonymous = user.is_anonymous;
	return out;
}

export interface IssuedSession {
	accessToken: string;
	refreshToken: string;
	expiresAt: number;
	user: Json;
}

export function sessionJson(session: IssuedSession): Json {
	return {
		access_token: session.accessToken,
		token_type: 'bearer',
		expires_in: Math.max(0, session.expiresAt - Math.floor(Date.now() / 1000)),
		expires_at: session.expiresAt,
		refresh_token: session.refreshToken,
		user: session.user
	};
}
