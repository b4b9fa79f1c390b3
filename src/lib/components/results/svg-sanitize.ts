// RDKit's SVG, rebuilt from an allow-list before it is put into the page:
// only drawing elements and presentation attributes survive (any other
// element is dropped with its content), so nothing in
// a depiction (a molecule name, a legend) can become markup or script.

const ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'title', 'desc']);
const ATTRIBUTES = new Set([
	'viewbox', 'width', 'height', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'd', 'points',
	'class', 'style', 'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-linecap',
	'stroke-linejoin', 'stroke-dasharray', 'opacity', 'transform', 'font-size', 'font-family', 'font-weight',
	'text-anchor', 'dominant-baseline', 'xmlns', 'version', 'preserveaspectratio'
]);
/** CSS that could fetch or run something. */
const UNSAFE_VALUE = /url\s*\(|expression\s*\(|javascript:|@import|behavior\s*:|-moz-binding/i;

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>|<|[^<]+/g;
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

const escapeText = (s: string) => s.replace(/&(?!(?:#\d+|#x[0-9a-f]+|[a-z]+);)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string) => escapeText(s).replace(/"/g, '&quot;');

function cleanAttributes(raw: string, root: boolean): string {
	const kept: string[] = [];
	for (const m of raw.matchAll(ATTRIBUTE)) {
		const name = m[1].toLowerCase();
		const value = m[2] ?? m[3] ?? m[4] ?? '';
		if (!ATTRIBUTES.has(name) || UNSAFE_VALUE.test(value)) continue;
		// The page sizes the drawing; its viewBox keeps the proportions.
		if (root && (name === 'width' || name === 'height')) continue;
		kept.push(`${m[1]}="${escapeAttribute(value)}"`);
	}
	return kept.length ? ' ' + kept.join(' ') : '';
}

/** Safe SVG markup from RDKit's output; '' when there is no svg element in it. */
export function sanitizeSvg(svg: string): string {
	const out: string[] = [];
	const open: string[] = [];
	let dropDepth = 0;
	let seenRoot = false;
	for (const m of svg.matchAll(TOKEN)) {
		const [token, closing, rawName, attrs, selfClosing] = m;
		if (rawName === undefined) {
			// Text, and a stray '<' as text; comments and declarations are dropped.
			if (dropDepth === 0 && open.length && (token === '<' || !token.startsWith('<'))) out.push(escapeText(token));
			continue;
		}
		const name = rawName.toLowerCase();
		if (dropDepth > 0) {
			// Inside a dropped element: follow nesting until it closes.
			if (closing) dropDepth--;
			else if (!selfClosing) dropDepth++;
			continue;
		}
		if (!ELEMENTS.has(name)) {
			if (!closing && !selfClosing) dropDepth = 1;
			continue;
		}
		if (closing) {
			const at = open.lastIndexOf(name);
			if (at === -1) continue;
			while (open.length > at) out.push(`</${open.pop()}>`);
			continue;
		}
		if (!seenRoot && name !== 'svg') continue;
		const root = !seenRoot;
		seenRoot = true;
		out.push(`<${name}${cleanAttributes(attrs ?? '', root)}${selfClosing ? ' />' : '>'}`);
		if (!selfClosing) open.push(name);
	}
	while (open.length) out.push(`</${open.pop()}>`);
	return seenRoot ? out.join('') : '';
}
