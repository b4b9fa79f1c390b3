// Signed URLs, as Supabase Storage makes them: an HS256 JWT signed with the
// project's JWT secret naming the object ("<bucket>/<key>") and what it
// allows (scope "download" or "upload"), with iat and exp. A download token
// is only issued to a caller who may read the object; an upload token only
// to one who may write it (the same probe as an upload), and it carries the
// issuer as owner and whether it may overwrite.
import { signJwt, verifyJwt } from '../jwt.ts';
import { errors } from './errors.ts';

export interface DownloadGrant {
	url: string;
}

export interface UploadGrant {
	url: string;
	owner: string | null;
	upsert: boolean;
}

/** Upload URLs live 2 hours, as on hosted Supabase. */
export const UPLOAD_URL_SECONDS = 2 * 60 * 60;

export function signDownload(secret: string, url: string, expiresIn: number, now = Math.floor(Date.now() / 1000)): string {
	return signJwt({ url, scope: 'download', iat: now, exp: now + expiresIn }, secret);
}

export function signUpload(secret: string, url: string, owner: string | null, upsert: boolean, now = Math.floor(Date.now() / 1000)): string {
	return signJwt({ owner: owner ?? undefined, url, upsert, scope: 'upload', iat: now, exp: now + UPLOAD_URL_SECONDS }, secret);
}

function verify(secret: string, token: string | null, url: string): Record<string, unknown> {
	if (!token) throw errors.invalidSignature('Missing token');
	const result = verifyJwt(token, secret);
	if (!result.ok) throw result.reason === 'expired' ? errors.expiredToken() : errors.invalidSignature(`Invalid token: ${result.reason}`);
	if (result.claims.url !== url) throw errors.invalidSignature('Invalid signature: the token is for another object');
	return result.claims;
}

export function verifyDownload(secret: string, token: string | null, url: string): DownloadGrant {
	const claims = verify(secret, token, url);
	if (claims.scope !== 'download') throw errors.invalidSignature('Invalid signature: not a download token');
	return { url };
}

export function verifyUpload(secret: string, token: string | null, url: string): UploadGrant {
	const claims = verify(secret, token, url);
	if (claims.scope !== 'upload') throw errors.invalidSignature('Invalid signature: not an upload token');
	return { url, owner: typeof claims.owner === 'string' ? claims.owner : null, upsert: claims.upsert === true };
}
