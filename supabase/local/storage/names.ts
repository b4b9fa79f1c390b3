// What a bucket id and an object key may be, and where an object's bytes
// live on disk. Keys are checked here, before anything touches the database
// or the file system: Storage's character set (which leaves out `\`, `%`,
// NUL, control and non-ASCII characters), no empty, `.` or `..` segment, no
// leading `/`. On disk a key is never used as a path: bytes are stored under
// the bucket's id and a random version id (see disk.ts), so no key can name
// a file outside the storage folder even if this check were wrong.
import { errors } from './errors.ts';

const KEY_CHARACTERS = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]+$/;
const BUCKET_CHARACTERS = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]+$/;
/** Postgres btree entries and file names have limits; Storage allows 1024 bytes. */
const MAX_KEY_LENGTH = 1024;

/** An object key as the URL path carries it (already percent-decoded once by the router), or 400 InvalidKey. */
export function checkKey(key: string): string {
	if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_CHARACTERS.test(key)) throw errors.invalidKey(key);
	const segments = key.split('/');
	if (segments[0] === '' || segments.some((s) => s === '.' || s === '..')) throw errors.invalidKey(key);
	// A trailing slash or "a//b" would name a folder, not a file.
	if (segments.some((s) => s === '')) throw errors.invalidKey(key);
	return key;
}

/** A bucket id or name: 1-100 characters of Storage's set, no leading or trailing space. */
export function isValidBucketName(name: unknown): name is string {
	return typeof name === 'string' && name.length > 0 && name.length <= 100 && BUCKET_CHARACTERS.test(name) && name.trim() === name && name !== '.' && name !== '..';
}

export function checkBucketName(name: unknown): string {
	if (!isValidBucketName(name)) throw errors.invalidBucketName(String(name));
	return name;
}
