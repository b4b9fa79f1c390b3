import { describe, expect, it } from 'vitest';
import { sanitizeSvg } from '#lib/components/results/svg-sanitize.ts';

const rdkitLike = `<?xml version='1.0' encoding='iso-8859-1'?>
<svg version='1.1' baseProfile='full' xmlns='http://www.w3.org/2000/svg' xmlns:rdkit='http://www.rdkit.org/xml' xml:space='preserve' width='300px' height='240px' viewBox='0 0 300 240'>
<!-- END OF HEADER -->
<rect style='opacity:1.0;fill:#FFFFFF;stroke:none' width='300.0' height='240.0' x='0.0' y='0.0'> </rect>
<path class='bond-0 atom-0 atom-1' d='M 13.6,105.5 L 45.2,87.2' style='fill:none;stroke:#000000;stroke-width:2.0px' />
<path class='atom-2' d='M 50.1,60.0 Q 50.1,57.3 51.5,55.8' fill='#FF0000'/>
</svg>`;

describe('sanitizeSvg', () => {
	it('keeps an RDKit drawing, minus its fixed size and header', () => {
		const out = sanitizeSvg(rdkitLike);
		expect(out.startsWith('<svg version="1.1" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 240">')).toBe(true);
		expect(out).toContain('<path class="bond-0 atom-0 atom-1" d="M 13.6,105.5 L 45.2,87.2" style="fill:none;stroke:#000000;stroke-width:2.0px" />');
		expect(out).toContain('fill="#FF0000"');
		expect(out).not.toMatch(/<\?xml|<!--|width="300px"|xmlns:rdkit/);
		expect(out.endsWith('</svg>')).toBe(true);
	});

	it('drops scripts, foreign content, event handlers and links with everything inside them', () => {
		const hostile = `<svg viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><foreignObject><div><img src="x" onerror="alert(3)"/></div></foreignObject><a href="javascript:alert(4)"><path d="M0,0"/></a><path d="M1,1" onclick="alert(5)" style="fill:url(http://evil/x)"/><text x="1">&lt;b&gt;aspirin</text></svg>`;
		const out = sanitizeSvg(hostile);
		expect(out).toBe('<svg viewBox="0 0 10 10"><path d="M1,1" /><text x="1">&lt;b&gt;aspirin</text></svg>');
	});

	it('escapes text and quotes so nothing becomes markup', () => {
		const out = sanitizeSvg(`<svg><text>a < b & "c"</text><path d='M0,0" onmouseover="x'/></svg>`);
		expect(out).toBe('<svg><text>a &lt; b &amp; "c"</text><path d="M0,0&quot; onmouseover=&quot;x" /></svg>');
	});

	it('returns nothing without an svg element', () => {
		expect(sanitizeSvg('<div>hello</div>')).toBe('');
		expect(sanitizeSvg('')).toBe('');
	});
});
