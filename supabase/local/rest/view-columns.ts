// Which base-table column each output column of a view comes from, read
// from the view's stored query tree (pg_rewrite.ev_action) the way PostgREST
// does: the top-level target list's `resorigtbl`/`resorigcol` fields. This
// lets foreign keys between base tables act as relationships between views.

export interface ColumnOrigin {
	/** Output column name of the view. */
	name: string;
	/** OID of the relation the column comes from (0 when it is computed). */
	table: number;
	/** Attribute number in that relation. */
	column: number;
}

/** Reads the origins of the top-level target list of a `pg_node_tree` text. */
export function viewColumnOrigins(nodeTree: string): ColumnOrigin[] {
	const origins: ColumnOrigin[] = [];
	let depth = 0;
	let i = 0;
	const n = nodeTree.length;
	// State while inside the top-level target list.
	let inTargetList = false;
	let targetListDepth = -1;
	let expectTargetList = false;
	let current: { name: string; table: number; column: number } | null = null;
	let pendingKey: string | null = null;

	const readToken = (): string => {
		let token = '';
		while (i < n) {
			const c = nodeTree[i];
			if (c === '\\' && i + 1 < n) {
				token += nodeTree[i + 1];
				i += 2;
				continue;
			}
			if (c === ' ' || c === '\n' || c === '\t' || c === '{' || c === '}' || c === '(' || c === ')') break;
			token += c;
			i++;
		}
		return token;
	};

	while (i < n) {
		const c = nodeTree[i];
		if (c === '{' || c === '(') {
			depth++;
			i++;
			if (expectTargetList && c === '(') {
				inTargetList = true;
				targetListDepth = depth;
				expectTargetList = false;
			} else if (inTargetList && c === '{' && depth === targetListDepth + 1) {
				const word = readToken();
				current = word === 'TARGETENTRY' ? { name: '', table: 0, column: 0 } : null;
			}
			continue;
		}
		if (c === '}' || c === ')') {
			if (inTargetList && c === '}' && depth === targetListDepth + 1 && current) {
				origins.push(current);
				current = null;
			}
			if (inTargetList && c === ')' && depth === targetListDepth) {
				return origins;
			}
			depth--;
			i++;
			continue;
		}
		if (c === ' ' || c === '\n' || c === '\t') {
			i++;
			continue;
		}
		const token = readToken();
		if (token === '') {
			i++;
			continue;
		}
		if (pendingKey !== null) {
			if (current && depth === targetListDepth + 1) {
				if (pendingKey === ':resname') current.name = token === '<>' ? '' : token;
				else if (pendingKey === ':resorigtbl') current.table = Number(token);
				else if (pendingKey === ':resorigcol') current.column = Number(token);
			}
			pendingKey = null;
		}
		if (token.startsWith(':')) {
			// Fields of the outermost QUERY node sit at depth 2: "({QUERY :targetList (...) ...})".
			if (token === ':targetList' && depth === 2 && !inTargetList) expectTargetList = true;
			else if (expectTargetList && token !== ':targetList') expectTargetList = false;
			if (token === ':resname' || token === ':resorigtbl' || token === ':resorigcol') pendingKey = token;
		} else if (expectTargetList && token === '<>') {
			// An empty target list.
			return origins;
		}
	}
	return origins;
}
