// A streaming reader of multipart/form-data upload bodies, as storage-js
// sends a Blob or File: text fields first (cacheControl, metadata,
// contentType...), then the file part. The fields are collected (each at
// most 1 MiB); the first file part is handed over as a stream fed from the
// request with backpressure, so the file is never held in memory. Parts
// after the file are read and dropped.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { errors } from './errors.ts';

const MAX_FIELD_BYTES = 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELDS = 100;

export interface MultipartFile {
	fields: Map<string, string>;
	/** The file part's own Content-Type (application/octet-stream when it has none). */
	contentType: string;
	body: Readable;
}

export function multipartBoundary(contentType: string | undefined): string | null {
	if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
	const match = /;\s*boundary=(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : null;
}

interface PartHeaders {
	name: string | null;
	filename: string | null;
	contentType: string | null;
}

function parsePartHeaders(text: string): PartHeaders {
	const out: PartHeaders = { name: null, filename: null, contentType: null };
	for (const line of text.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const key = line.slice(0, colon).trim().toLowerCase();
		const value = line.slice(colon + 1).trim();
		if (key === 'content-type') out.contentType = value;
		if (key === 'content-disposition') {
			const name = /;\s*name="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /;\s*name=([^;\s]*)/i.exec(value);
			const filename = /;\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /;\s*filename=([^;\s]*)/i.exec(value);
			out.name = name ? name[1] : null;
			out.filename = filename ? filename[1] : null;
		}
	}
	return out;
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'field' | 'file' | 'skip' | 'done';

/**
 * Reads fields up to the first file part and resolves with them and the
 * file's stream. Rejects (400) on a malformed body or one without a file.
 */
export function readMultipartFile(req: IncomingMessage, boundary: string): Promise<MultipartFile> {
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	const keep = delimiter.length + 1;
	const fields = new Map<string, string>();
	let pending: Buffer = Buffer.from('\r\n'); // the first delimiter has no CRLF before it
	let state: State = 'preamble';
	let field: { name: string; chunks: Buffer[]; size: number } | null = null;
	let file: Readable | null = null;
	let settled = false;

	return new Promise<MultipartFile>((resolve, reject) => {
		const fail = (error: Error) => {
			if (!settled) {
				settled = true;
				reject(error);
			} else if (file && !file.readableEnded) file.destroy(error);
			req.off('data', onData);
			req.resume();
		};

		const emit = (data: Buffer) => {
			if (data.length === 0) return;
			if (state === 'field' && field) {
				field.size += data.length;
				if (field.size > MAX_FIELD_BYTES) throw errors.invalidRequest(`The form field ${field.name} is too large`);
				field.chunks.push(data);
			} else if (state === 'file' && file && !file.destroyed) {
				if (!file.push(data)) req.pause();
			}
		};

		const endPart = () => {
			if (state === 'field' && field) {
				if (fields.size >= MAX_FIELDS) throw errors.invalidRequest('Too many form fields');
				fields.set(field.name, Buffer.concat(field.chunks).toString('utf8'));
				field = null;
			} else if (state === 'file' && file) {
				file.push(null);
				req.resume(); // read (and drop) whatever follows the file
			}
		};

		const process = () => {
			for (;;) {
				if (state === 'done') {
					pending = Buffer.alloc(0);
					return;
				}
				if (state === 'after-delimiter') {
					if (pending.length < 2) return;
					const next = pending.subarray(0, 2).toString('latin1');
					if (next === '--') {
						state = 'done';
						continue;
					}
					if (next !== '\r\n') throw errors.invalidRequest('Malformed multipart body');
					pending = pending.subarray(2);
					state = 'headers';
					continue;
				}
				if (state === 'headers') {
					const end = pending.indexOf('\r\n\r\n');
					if (end < 0) {
						if (pending.length > MAX_HEADER_BYTES) throw errors.invalidRequest('Malformed multipart body');
						return;
					}
					const headers = parsePartHeaders(pending.subarray(0, end).toString('utf8'));
					pending = pending.subarray(end + 4);
					if (headers.filename !== null && file === null) {
						state = 'file';
						// Destroyed by a refused upload: the rest of the request is read on (see upload.ts).
						file = new Readable({ highWaterMark: 256 * 1024, read: () => req.resume(), destroy: (error, callback) => { req.resume(); callback(error); } });
						// Its error reaches whoever reads it; until someone does, it must not be an uncaught 'error' event.
						file.on('error', () => {});
						settled = true;
						resolve({ fields, contentType: headers.contentType ?? 'application/octet-stream', body: file });
					} else if (headers.filename === null && file === null && headers.name !== null) {
						state = 'field';
						field = { name: headers.name, chunks: [], size: 0 };
					} else {
						state = 'skip';
					}
					continue;
				}
				// preamble, field, file or skip: look for the next delimiter.
				const at = pending.indexOf(delimiter);
				if (at < 0) {
					const safe = pending.length - keep;
					if (safe > 0) {
						if (state !== 'preamble') emit(pending.subarray(0, safe));
						pending = pending.subarray(safe);
					}
					return;
				}
				if (state !== 'preamble') {
					emit(pending.subarray(0, at));
					endPart();
				}
				pending = pending.subarray(at + delimiter.length);
				state = 'after-delimiter';
			}
		};

		const onData = (chunk: Buffer) => {
			pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
			try {
				process();
			} catch (error) {
				fail(error as Error);
			}
		};

		req.on('data', onData);
		req.once('end', () => {
			if (state !== 'done') fail(errors.invalidRequest(file ? 'The upload ended before the file did' : 'Malformed multipart body'));
			else if (!settled) fail(errors.invalidRequest('No file was sent in the form'));
		});
		req.once('error', (error) => fail(error));
		req.once('aborted', () => fail(new Error('The client aborted the upload')));
	});
}
