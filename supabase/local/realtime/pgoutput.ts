// Decoder for the pgoutput logical replication protocol (version 1): the
// messages a walsender sends inside CopyData while streaming a logical slot.
// Values arrive in text format; nulls and unchanged TOAST values are marked.

export interface RelationColumn {
	name: string;
	typeOid: number;
	typmod: number;
	/** Part of the replica identity (the primary key by default). */
	isKey: boolean;
}

export interface Relation {
	id: number;
	schema: string;
	table: string;
	/** d(efault), n(othing), f(ull), i(ndex) */
	replicaIdentity: string;
	columns: RelationColumn[];
}

/** One column of a tuple: text, null, or an unchanged TOASTed value that was not sent. */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged toast');

export type PgOutputMessage =
	| { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
	| { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
	| { tag: 'relation'; relation: Relation }
	| { tag: 'type'; oid: number; schema: string; name: string }
	| { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
	| { tag: 'update'; relationId: number; oldKind: 'K' | 'O' | null; oldTuple: TupleValue[] | null; newTuple: TupleValue[] }
	| { tag: 'delete'; relationId: number; oldKind: 'K' | 'O'; oldTuple: TupleValue[] }
	| { tag: 'truncate'; relationIds: number[] }
	| { tag: 'other'; code: string };

/** CopyData frames of a replication stream. */
export type ReplicationFrame =
	| { kind: 'xlog'; walStart: bigint; walEnd: bigint; message: PgOutputMessage }
	| { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

class Reader {
	private offset = 0;
	private readonly buf: Buffer;
	constructor(buf: Buffer) {
		this.buf = buf;
	}
	u8(): number {
		return this.buf.readUInt8(this.offset++);
	}
	i16(): number {
		const v = this.buf.readInt16BE(this.offset);
		this.offset += 2;
		return v;
	}
	i32(): number {
		const v = this.buf.readInt32BE(this.offset);
		this.offset += 4;
		return v;
	}
	u32(): number {
		const v = this.buf.readUInt32BE(this.offset);
		this.offset += 4;
		return v;
	}
	u64(): bigint {
		const v = this.buf.readBigUInt64BE(this.offset);
		this.offset += 8;
		return v;
	}
	i64(): bigint {
		const v = this.buf.readBigInt64BE(this.offset);
		this.offset += 8;
		return v;
	}
	cstring(): string {
		const end = this.buf.indexOf(0, this.offset);
		if (end < 0) throw new Error('pgoutput: unterminated string');
		const s = this.buf.toString('utf8', this.offset, end);
		this.offset = end + 1;
		return s;
	}
	bytes(n: number): Buffer {
		const b = this.buf.subarray(this.offset, this.offset + n);
		this.offset += n;
		return b;
	}
	char(): string {
		return String.fromCharCode(this.u8());
	}
	rest(): Buffer {
		return this.buf.subarray(this.offset);
	}
}

function readTuple(r: Reader): TupleValue[] {
	const n = r.i16();
	const values: TupleValue[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const kind = r.char();
		if (kind === 'n') values[i] = null;
		else if (kind === 'u') values[i] = UNCHANGED_TOAST;
		else if (kind === 't' || kind === 'b') values[i] = r.bytes(r.i32()).toString('utf8');
		else throw new Error(`pgoutput: unknown tuple value kind ${kind}`);
	}
	return values;
}

export function decodePgOutput(buf: Buffer): PgOutputMessage {
	const r = new Reader(buf);
	const tag = r.char();
	switch (tag) {
		case 'B':
			return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
		case 'C': {
			r.u8();
			return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.i64() };
		}
		case 'R': {
			const id = r.u32();
			const schema = r.cstring();
			const table = r.cstring();
			const replicaIdentity = r.char();
			const n = r.i16();
			const columns: RelationColumn[] = [];
			for (let i = 0; i < n; i++) {
				const flags = r.u8();
				columns.push({ isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typmod: r.i32() });
			}
			return { tag: 'relation', relation: { id, schema, table, replicaIdentity, columns } };
		}
		case 'Y':
			return { tag: 'type', oid: r.u32(), schema: r.cstring(), name: r.cstring() };
		case 'I': {
			const relationId = r.u32();
			r.char(); // 'N'
			return { tag: 'insert', relationId, newTuple: readTuple(r) };
		}
		case 'U': {
			const relationId = r.u32();
			let kind = r.char();
			let oldKind: 'K' | 'O' | null = null;
			let oldTuple: TupleValue[] | null = null;
			if (kind === 'K' || kind === 'O') {
				oldKind = kind;
				oldTuple = readTuple(r);
				kind = r.char();
			}
			if (kind !== 'N') throw new Error(`pgoutput: unexpected update tuple kind ${kind}`);
			return { tag: 'update', relationId, oldKind, oldTuple, newTuple: readTuple(r) };
		}
		case 'D': {
			const relationId = r.u32();
			const kind = r.char();
			if (kind !== 'K' && kind !== 'O') throw new Error(`pgoutput: unexpected delete tuple kind ${kind}`);
			return { tag: 'delete', relationId, oldKind: kind, oldTuple: readTuple(r) };
		}
		case 'T': {
			const n = r.i32();
			r.u8();
			const relationIds: number[] = [];
			for (let i = 0; i < n; i++) relationIds.push(r.u32());
			return { tag: 'truncate', relationIds };
		}
		default:
			return { tag: 'other', code: tag };
	}
}

export function decodeReplicationFrame(buf: Buffer): ReplicationFrame | null {
	const r = new Reader(buf);
	const kind = r.char();
	if (kind === 'w') {
		const walStart = r.u64();
		const walEnd = r.u64();
		r.i64(); // server send time
		return { kind: 'xlog', walStart, walEnd, message: decodePgOutput(r.rest()) };
	}
	if (kind === 'k') {
		const walEnd = r.u64();
		r.i64();
		return { kind: 'keepalive', walEnd, replyRequested: r.u8() === 1 };
	}
	return null;
}

/** Microseconds since 2000-01-01 (Postgres epoch) from a JS time in ms. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

export function postgresTimeToDate(micros: bigint): Date {
	return new Date(POSTGRES_EPOCH_MS + Number(micros / 1000n));
}

/** A standby status update: tells the server what has been processed, so the slot can advance. */
export function encodeStandbyStatus(lsn: bigint, replyRequested = false): Buffer {
	const buf = Buffer.alloc(34);
	buf.write('r', 0);
	buf.writeBigUInt64BE(lsn, 1);
	buf.writeBigUInt64BE(lsn, 9);
	buf.writeBigUInt64BE(lsn, 17);
	buf.writeBigInt64BE(BigInt(Date.now() - POSTGRES_EPOCH_MS) * 1000n, 25);
	buf.writeUInt8(replyRequested ? 1 : 0, 33);
	return buf;
}
