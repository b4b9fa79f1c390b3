// Which URLs a visitor without a session may open under /app: job links only.
import { describe, expect, it } from 'vitest';
import { isJobLink, isUuid, jobLink } from '#lib/tools-ui/job-link.ts';
import { pricingLabel } from '#lib/tools-ui/pricing.ts';

const id = '3f1c2b9a-8d7e-4c6b-9a5f-0e1d2c3b4a59';
const at = (path: string) => new URL(path, 'http://localhost');

describe('job links', () => {
	it('accepts a tool page with a job id', () => {
		expect(isJobLink(at(`/app/tools/protein-properties?jobId=${id}`))).toBe(true);
		expect(isJobLink(at(`/app/tools/protein-properties/?jobId=${id.toUpperCase()}`))).toBe(true);
		expect(isJobLink(at(jobLink('pairwise-alignment', id)))).toBe(true);
	});

	it('refuses everything else', () => {
		expect(isJobLink(at('/app/tools/protein-properties'))).toBe(false);
		expect(isJobLink(at('/app/tools/protein-properties?jobId=not-a-uuid'))).toBe(false);
		expect(isJobLink(at(`/app/tools?jobId=${id}`))).toBe(false);
		expect(isJobLink(at(`/app/jobs?jobId=${id}`))).toBe(false);
		expect(isJobLink(at(`/app/tools/protein-properties/edit?jobId=${id}`))).toBe(false);
		expect(isJobLink(at(`/app/tools/../credits?jobId=${id}`))).toBe(false);
		expect(isJobLink(at(`/app/tools/protein-properties?duplicate=${id}`))).toBe(false);
		expect(isUuid(`${id}x`)).toBe(false);
	});
});

describe('pricing labels', () => {
	it('reads each pricing rule', () => {
		expect(pricingLabel({ kind: 'free' })).toBe('Free');
		expect(pricingLabel({ kind: 'flat', credits: 3 })).toBe('3 credits per run');
		expect(pricingLabel({ kind: 'per_input', credits: 1, unit: 'aligned pair' })).toBe('1 credit per aligned pair');
		expect(pricingLabel({ kind: 'per_structure', credits: 2 })).toBe('2 credits per structure');
		expect(pricingLabel({ kind: 'calculator', fn: 'price_x', description: 'by size' })).toBe('by size');
	});
});
