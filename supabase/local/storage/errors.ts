// Storage's errors as Supabase Storage answers them: a body of
// { statusCode, code, error, message } where statusCode is the logical
// status as a string, sent with HTTP 400 for every logical 4xx and 500 for
// 5xx. Only a few answers carry their real status (403 for a role the route
// refuses, 416 for a bad Range). storage-js reads statusCode and code.
import pg from 'pg';
import { HttpError } from '../http.ts';

export interface StorageErrorBody {
	statusCode: string;
	code: string;
	error: string;
	message: string;
}

export class StorageError extends HttpError {
	readonly logical: number;
	constructor(logical: number, code: string, error: string, message: string, httpStatus?: number) {
		const body: StorageErrorBody = { statusCode: String(logical), code, error, message };
		super(httpStatus ?? (logical >= 500 ? 500 : 400), body);
		this.logical = logical;
	}
}

export const errors = {
	noSuchKey: () => new StorageError(404, 'NoSuchKey', 'not_found', 'Object not found'),
	noSuchBucket: () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
	keyExists: () => new StorageError(409, 'KeyAlreadyExists', 'Duplicate', 'The resource already exists'),
	bucketExists: () => new StorageError(409, 'BucketAlreadyExists', 'Duplicate', 'The resource already exists'),
	bucketNotEmpty: () => new StorageError(409, 'ResourceNotEmpty', 'ResourceNotEmpty', 'The bucket you tried to delete is not empty'),
	accessDenied: (message = 'Access denied') => new StorageError(403, 'AccessDenied', 'Unauthorized', message),
	/** A route that needs a role the JWT lacks: the only 403 sent as a real 403. */
	roleDenied: (message: string) => new StorageError(403, 'AccessDenied', 'Unauthorized', message, 403),
	invalidKey: (key: string) => new StorageError(400, 'InvalidKey', 'InvalidKey', `Invalid key: ${key}`),
	invalidBucketName: (name: string) => new StorageError(400, 'InvalidBucketName', 'Invalid Input', `Bucket name invalid: ${name}`),
	invalidRequest: (message: string) => new StorageError(400, 'InvalidRequest', 'Invalid Input', message),
	missingParameter: (name: string) => new StorageError(400, 'MissingParameter', 'Invalid Input', `Missing Required Parameter ${name}`),
	entityTooLarge: () => new StorageError(413, 'EntityTooLarge', 'Payload too large', 'The object exceeded the maximum allowed size'),
	invalidMimeType: (type: string) => new StorageError(415, 'InvalidMimeType', 'invalid_mime_type', `mime type ${type} is not supported`),
	invalidJwt: (message: string) => new StorageError(403, 'InvalidJWT', 'Unauthorized', message),
	invalidSignature: (message = 'Invalid signature') => new StorageError(400, 'InvalidSignature', 'InvalidSignature', message),
	expiredToken: () => new StorageError(400, 'ExpiredToken', 'ExpiredToken', 'The provided token has expired.'),
	invalidRange: () => new StorageError(416, 'InvalidRange', 'invalid_range', 'invalid range provided', 416),
	timeout: () => new StorageError(544, 'DatabaseTimeout', 'DatabaseTimeout', 'The connection to the database timed out', 544),
	internal: (message = 'Internal server error') => new StorageError(500, 'InternalError', 'InternalError', message)
};

/** Postgres errors as Storage maps them: RLS refusals, duplicates, timeouts. */
export function fromDatabaseError(error: unknown): unknown {
	if (!(error instanceof pg.DatabaseError)) return error;
	switch (error.code) {
		case '42501':
			return errors.accessDenied(error.message.includes('row-level security') ? 'new row violates row-level security policy' : error.message);
		case '23505':
			return errors.keyExists();
		case '57014':
			return errors.timeout();
		case '23503':
			return new StorageError(404, 'RelatedResourceNotFound', 'RelatedResourceNotFound', 'The related resource does not exist');
		default:
			return error;
	}
}
