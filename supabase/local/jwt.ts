// JSON Web Tokens as GoTrue issues them and PostgREST, Realtime and the edge
// runtime verify them: HS256 with the project's JWT secret (the legacy keys,
// and tokens anyone holding the secret signs), and RS256/ES256 with the
// asymmetric signing keys of `[auth] signing_keys_path` (a JSON array of
// JWKs, as `supabase gen signing-key` writes it). An asymmetric token names
// its key in the header's `kid`; the public halves are what
// /auth/v1/.well-known/jwks.json publishes.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign as signWith, timingSafeEqual, verify as verifyWith, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

export type AsymmetricAlg = 'RS256' | 'ES256';

/** One asymmetric key: its id, algorithm, the public key, and the private key when this stack may sign with it. */
export interface AsymmetricKey {
	kid: string;
	alg: AsymmetricAlg;
	publicKey: KeyObject;
	privateKey: KeyObject | null;
	/** The public JWK as the JWKS endpoint serves it. */
	publicJwk: Record<string, unknown>;
}

/** Everything a stack signs and verifies with. */
export interface JwtKeys {
	/** The HS256 secret: always accepted, and signs when there is no asymmetric key. */
	secret: string;
	/** The key new user tokens are signed with; null: HS256 with the secret. */
	current: AsymmetricKey | null;
	/** Every asymmetric key accepted, by kid. */
	byKid: Map<string, AsymmetricKey>;
}

const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function hmac(input: string, secret: string): string {
	return createHmac('sha256', secret).update(input).digest('base64url');
}

/** Signs with HS256 and the secret (a string), or with the keys' current asymmetric key (HS256 when they have none). */
export function signJwt(claims: JwtClaims, key: string | JwtKeys): string {
	const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
	const secret = typeof key === 'string' ? key : key.secret;
	const current = typeof key === 'string' ? null : key.current;
	if (!current?.privateKey) {
		const body = `${HS256_HEADER}.${payload}`;
		return `${body}.${hmac(body, secret)}`;
	}
	const header = Buffer.from(JSON.stringify({ alg: current.alg, kid: current.kid, typ: 'JWT' })).toString('base64url');
	const body = `${header}.${payload}`;
	const signature = signWith('sha256', Buffer.from(body), current.alg === 'ES256' ? { key: current.privateKey, dsaEncoding: 'ieee-p1363' } : current.privateKey);
	return `${body}.${signature.toString('base64url')}`;
}

export type JwtResult = { ok: true; claims: JwtClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'algorithm' };

// Services that are handed only the secret (a string) verify asymmetric
// tokens with the keys loadConfig registered for that secret.
const registered = new Map<string, Map<string, AsymmetricKey>>();

/** Makes `verifyJwt(token, keys.secret)` accept the keys' asymmetric keys too (loadConfig calls it). */
export function registerJwtKeys(keys: JwtKeys): void {
	const known = registered.get(keys.secret) ?? new Map<string, AsymmetricKey>();
	for (const [kid, key] of keys.byKid) known.set(kid, key);
	registered.set(keys.secret, known);
}

/**
 * Verifies signature, algorithm and expiry (with `leewaySeconds` of clock
 * skew). HS256 is checked against the secret only (never a public key, so
 * no algorithm confusion); RS256/ES256 need a `kid` naming a known key of
 * that algorithm. `none` and every other algorithm are refused.
 */
export function verifyJwt(token: string, key: string | JwtKeys, nowSeconds = Date.now() / 1000, leewaySeconds = 0): JwtResult {
	const parts = token.split('.');
	if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return { ok: false, reason: 'malformed' };
	let header: unknown;
	let claims: unknown;
	try {
		header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
		claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return { ok: false, reason: 'malformed' };
	}
	if (typeof header !== 'object' || header === null || Array.isArray(header) || typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
		return { ok: false, reason: 'malformed' };
	}
	const { alg, kid } = header as { alg?: unknown; kid?: unknown };
	const secret = typeof key === 'string' ? key : key.secret;
	const signed = `${parts[0]}.${parts[1]}`;
	if (alg === 'HS256') {
		const expected = Buffer.from(hmac(signed, secret));
		const given = Buffer.from(parts[2]);
		if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
	} else if (alg === 'RS256' || alg === 'ES256') {
		const keys = typeof key === 'string' ? registered.get(key) : key.byKid;
		const found = typeof kid === 'string' ? keys?.get(kid) : undefined;
		if (!found) return { ok: false, reason: 'signature' };
		if (found.alg !== alg) return { ok: false, reason: 'algorithm' };
		const signature = Buffer.from(parts[2], 'base64url');
		const good = verifyWith('sha256', Buffer.from(signed), alg === 'ES256' ? { key: found.publicKey, dsaEncoding: 'ieee-p1363' } : found.publicKey, signature);
		if (!good) return { ok: false, reason: 'signature' };
	} else {
		return { ok: false, reason: 'algorithm' };
	}
	const exp = (claims as JwtClaims).exp;
	if (exp !== undefined && (typeof exp !== 'number' || exp + leewaySeconds <= nowSeconds)) return { ok: false, reason: 'expired' };
	return { ok: true, claims: claims as JwtClaims };
}

// ---------------------------------------------------------------------------
// Signing keys files

const PUBLIC_FIELDS: Record<string, string[]> = { RSA: ['kty', 'n', 'e'], EC: ['kty', 'crv', 'x', 'y'] };

/**
 * Reads `supabase gen signing-key`'s format: a JSON array of private JWKs
 * (RS256 or ES256). The first key that may sign (`key_ops` absent or
 * holding "sign") signs new tokens; every key verifies.
 */
export function parseSigningKeys(text: string, secret: string, where = 'signing keys'): JwtKeys {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new Error(`${where}: not JSON (${(error as Error).message})`);
	}
	if (!Array.isArray(parsed)) throw new Error(`${where}: expected a JSON array of JWKs`);
	const byKid = new Map<string, AsymmetricKey>();
	let current: AsymmetricKey | null = null;
	parsed.forEach((entry, index) => {
		if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: key ${index} is not an object`);
		const jwk = entry as Record<string, unknown>;
		const alg = jwk.alg;
		if (alg !== 'RS256' && alg !== 'ES256') throw new Error(`${where}: key ${index} has alg ${String(alg)}; only RS256 and ES256 are supported`);
		if ((alg === 'RS256' && jwk.kty !== 'RSA') || (alg === 'ES256' && (jwk.kty !== 'EC' || jwk.crv !== 'P-256'))) {
			throw new Error(`${where}: key ${index} (${alg}) has kty ${String(jwk.kty)}${jwk.crv ? ` crv ${String(jwk.crv)}` : ''}`);
		}
		if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new Error(`${where}: key ${index} has no kid`);
		if (byKid.has(jwk.kid)) throw new Error(`${where}: two keys have kid ${jwk.kid}`);
		const publicOnly = Object.fromEntries(PUBLIC_FIELDS[jwk.kty as string].map((f) => [f, jwk[f]]));
		let publicKey: KeyObject;
		let privateKey: KeyObject | null = null;
		try {
			publicKey = createPublicKey({ key: publicOnly, format: 'jwk' });
			if (typeof jwk.d === 'string') privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
		} catch (error) {
			throw new Error(`${where}: key ${jwk.kid} is not a valid ${alg} JWK (${(error as Error).message})`);
		}
		const key: AsymmetricKey = {
			kid: jwk.kid,
			alg,
			publicKey,
			privateKey,
			publicJwk: { ...publicOnly, kid: jwk.kid, alg, use: 'sig', key_ops: ['verify'], ext: true }
		};
		byKid.set(key.kid, key);
		const ops = jwk.key_ops;
		if (!current && privateKey && (ops === undefined || (Array.isArray(ops) && ops.includes('sign')))) current = key;
	});
	return { secret, current, byKid };
}

/** A new private JWK, as `supabase gen signing-key --algorithm <alg>` prints it. */
export function generateSigningJwk(alg: AsymmetricAlg = 'ES256'): Record<string, unknown> {
	const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
	return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', key_ops: ['sign', 'verify'], alg, ext: true };
}

/** The JWKS document: the public halves of the asymmetric keys (none for an HS256-only project, as GoTrue serves it). */
export function publicJwks(keys: JwtKeys): { keys: Record<string, unknown>[] } {
	return { keys: [...keys.byKid.values()].map((k) => k.publicJwk) };
}
