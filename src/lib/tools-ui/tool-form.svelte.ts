// The state of a tool's form and what it does; ToolForm.svelte renders it.
// Input boxes and uploads come from the tool's form spec, settings from its
// zod schema; problems from its parseInput are kept per box as the person
// types; the exact cost comes from the estimate RPC; submission goes
// through submit_job (or duplicate_job when a duplicated job's input is
// unchanged), in src/lib/jobs/actions.ts. Large texts (a structure file, a
// long sequence) are uploaded to Storage first and sent as file references
// (src/lib/files/input-refs.ts). A job that did not complete can be edited
// and run again: its input is checked like typed input, so what failed shows
// at once. Nothing typed is lost when the database refuses: its message is
// kept and the form stays.
//
// Construct it while a component initialises: its $effects (checking the
// input, estimating, applying a duplicate) live as long as that component.
import type { SupabaseClient } from '@supabase/supabase-js';
import { untrack } from 'svelte';
import { z } from 'zod';
import { externalizeLargeTexts } from '#lib/files/input-refs.ts';
import { discardUploads, inputWithFileTexts, uploadInputTexts, type SubmittedFile } from '#lib/files/input-uploads.ts';
import { duplicateJob, submitJob } from '#lib/jobs/actions.ts';
import { JOB_NAME_MAX } from '#lib/jobs/job-name.ts';
import type { TeamRole } from '#lib/teams/current-team.ts';
import { canRun as roleCanRun } from '#lib/teams/current-team.ts';
import type { ToolCatalogEntry } from '#lib/tools/catalog.ts';
import type { ParseOutcome, ToolExample, ToolSpec } from '#lib/tools/types.ts';
import { errorMessage, reportError } from '#lib/ui/toasts.svelte.ts';
import { formSpec, initialValues, type FormValues, type InputFieldSpec } from './form-spec.ts';
import { asRecord } from './input-text.ts';
import { defaultJobName, sameJson, type DuplicateSource } from './job-input.ts';
import { buildRawInput, fileTooLarge, inputTooLarge, isBlank, issuesByField, type FormFile } from './raw-input.ts';
import { checkSettings, defaultSettings, settingsFields, settingsForSchema } from './settings-fields.ts';

const PARSE_DELAY_MS = 250;
const ESTIMATE_DELAY_MS = 300;
const estimateSchema = z.object({ credits: z.number().int() });

/** What the form reads from its page; functions, so a prop that changes is read afresh. */
export interface ToolFormContext {
	entry: ToolCatalogEntry;
	/** The tool's browser part: schemas, parseInput, examples. */
	tool: ToolSpec<any, any>;
	team: () => { id: string; name: string; role: TeamRole };
	/** The signed-in submitter: large inputs go into their own upload folder. */
	userId: () => string;
	balance: () => number;
	/** A job to prefill from (?duplicate=); applied once per job id. */
	duplicate: () => DuplicateSource | null;
	supabase: () => SupabaseClient;
}

export class ToolFormState {
	readonly entry: ToolCatalogEntry;
	readonly tool: ToolSpec<any, any>;
	readonly spec;
	readonly settingFields;
	readonly free: boolean;
	readonly #context: ToolFormContext;

	values = $state<FormValues>({});
	files = $state<FormFile[]>([]);
	settingValues = $state<Record<string, unknown>>({});
	jobName = $state('');
	/** The duplicated (completed) job while its input is untouched: that input is sent as it was stored. */
	duplicateOf = $state<DuplicateSource | null>(null);
	/** A failed, timed-out or cancelled job whose input is being edited to run again. */
	editing = $state<DuplicateSource | null>(null);
	inputEdited = $state(false);

	outcome = $state<ParseOutcome<unknown> | null>(null);
	checking = $state(false);
	fileError = $state<string | null>(null);
	estimate = $state<{ credits: number } | null>(null);
	estimateError = $state<string | null>(null);
	estimating = $state(false);
	submitting = $state(false);
	/** The input file being uploaded before submission, e.g. "1abc.pdb (1 of 2)". */
	uploading = $state<string | null>(null);
	submitError = $state<string | null>(null);

	readonly canRun = $derived.by(() => roleCanRun(this.#context.team().role));
	readonly blank = $derived.by(() => isBlank(this.spec, this.values, this.files) && !(this.duplicateOf && !this.inputEdited));
	readonly settingsCheck = $derived.by(() => checkSettings(this.tool.settingsSchema, this.settingValues));
	readonly fieldIssues = $derived.by(() => (this.outcome && !this.outcome.ok && !this.blank ? issuesByField(this.spec, this.outcome.errors) : {}));
	readonly notices = $derived.by(() => (this.outcome?.ok ? this.outcome.notices : []));
	readonly suggestedName = $derived.by(() => (this.outcome?.ok ? defaultJobName(this.entry, this.outcome.input) : this.entry.name));

	/** Why Run is disabled now, or null when it is not. */
	readonly blocker = $derived.by((): string | null => {
		const balance = this.#context.balance();
		if (this.blank) return 'Add input first: paste it, upload a file or load an example.';
		if (this.checking || !this.outcome) return 'Checking the input…';
		if (!this.outcome.ok) return 'Fix the input problems shown above.';
		if (!this.settingsCheck.ok) return 'Fix the settings shown above.';
		if (this.estimateError) return 'The cost could not be worked out (see above).';
		if (!this.free && (this.estimating || !this.estimate)) return 'Working out the cost…';
		if (this.estimate && this.estimate.credits > balance) return `Not enough credits: this run costs ${this.estimate.credits}, your team has ${balance}.`;
		if (this.uploading) return `Uploading ${this.uploading}…`;
		if (this.submitting) return 'Submitting…';
		return null;
	});

	#checkSeq = 0;
	#estimateSeq = 0;
	#appliedDuplicate: string | null = null;

	constructor(context: ToolFormContext) {
		this.#context = context;
		this.entry = context.entry;
		this.tool = context.tool;
		this.spec = formSpec(this.entry.id);
		this.settingFields = settingsFields(this.tool.settingsSchema, this.spec.settings);
		this.free = this.entry.pricing.kind === 'free';
		this.values = initialValues(this.spec);
		this.settingValues = defaultSettings(this.settingFields);

		// Check the input a moment after the last keystroke; a newer check wins over an older one.
		$effect(() => {
			const raw = buildRawInput(this.spec, { ...this.values }, this.files.map((f) => ({ ...f })));
			const settings = settingsForSchema({ ...this.settingValues });
			const isBlankNow = this.blank;
			const seq = ++this.#checkSeq;
			if (isBlankNow) {
				untrack(() => {
					this.outcome = null;
					this.checking = false;
				});
				return;
			}
			untrack(() => (this.checking = true));
			const timer = setTimeout(async () => {
				try {
					const result = await this.checkInput(raw, settings);
					if (seq === this.#checkSeq) this.outcome = result;
				} catch (e) {
					if (seq === this.#checkSeq) reportError(e, 'Could not check the input');
				} finally {
					if (seq === this.#checkSeq) this.checking = false;
				}
			}, PARSE_DELAY_MS);
			return () => clearTimeout(timer);
		});

		// The exact cost, from the database, whenever the checked input or the settings change.
		$effect(() => {
			const current = this.outcome;
			const settings = this.settingsCheck;
			const canRun = this.canRun;
			const seq = ++this.#estimateSeq;
			if (!canRun || !current?.ok || !settings.ok) {
				untrack(() => {
					this.estimate = null;
					this.estimateError = null;
					this.estimating = false;
				});
				return;
			}
			untrack(() => (this.estimating = true));
			const timer = setTimeout(async () => {
				try {
					const { data, error } = await this.#context.supabase().rpc('estimate_job_cost', {
						tool_id: this.entry.id,
						// Large texts travel as files: the estimate gets the input as it will be submitted.
						input: externalizeLargeTexts(current.input).input,
						settings: settings.settings,
						team_id: this.#context.team().id
					});
					if (seq !== this.#estimateSeq) return;
					if (error) {
						this.estimate = null;
						this.estimateError = errorMessage(error);
					} else {
						this.estimate = { credits: estimateSchema.parse(data).credits };
						this.estimateError = null;
					}
				} catch (e) {
					if (seq === this.#estimateSeq) reportError(e, 'Could not work out the cost');
				} finally {
					if (seq === this.#estimateSeq) this.estimating = false;
				}
			}, ESTIMATE_DELAY_MS);
			return () => clearTimeout(timer);
		});

		// Duplicate: fill the form from the job once, when its id arrives (its input files read back first).
		$effect(() => {
			const given = this.#context.duplicate();
			if (!given || given.id === this.#appliedDuplicate) return;
			this.#appliedDuplicate = given.id;
			void inputWithFileTexts(this.#context.supabase(), given.id, given.input).then(
				(input) => this.applyDuplicate({ ...given, input }),
				(e) => reportError(e, 'Could not load the input of the job to run again')
			);
		});
	}

	edited(): void {
		this.inputEdited = true;
		this.submitError = null;
	}

	/** The input as it stands now: parsed by the tool, or the duplicated job's own while untouched. */
	async checkInput(raw = buildRawInput(this.spec, this.values, this.files), settings = settingsForSchema(this.settingValues)): Promise<ParseOutcome<unknown>> {
		if (this.duplicateOf && !this.inputEdited) return { ok: true, input: this.duplicateOf.input, notices: [] };
		const tooLarge = inputTooLarge(this.values, this.files, this.entry.maxInputBytes, this.entry.name);
		if (tooLarge) return { ok: false, errors: [{ message: tooLarge }] };
		return await this.tool.parseInput(raw, settings);
	}

	applyDuplicate(source: DuplicateSource): void {
		const restored = this.spec.fromInput(source.input);
		this.values = { ...initialValues(this.spec), ...restored.values };
		this.files = restored.files;
		this.settingValues = { ...defaultSettings(this.settingFields), ...asRecord(source.settings) };
		const completed = source.status === 'completed';
		const copyName = `${source.name} ${completed ? '(copy)' : '(edited)'}`;
		this.jobName = copyName.length > JOB_NAME_MAX ? source.name.slice(0, JOB_NAME_MAX) : copyName;
		this.duplicateOf = completed ? source : null;
		this.editing = completed ? null : source;
		this.inputEdited = false;
		this.submitError = null;
	}

	loadExample(example: ToolExample): void {
		this.values = { ...this.values, ...this.spec.exampleValues(example.text), ...example.fields };
		this.files = [];
		this.fileError = null;
		this.edited();
	}

	/** Reads chosen files into the file list (each within the tool's size limit). */
	async addFiles(chosen: readonly File[]): Promise<void> {
		this.fileError = null;
		const added: FormFile[] = [];
		for (const file of chosen) {
			const tooLarge = fileTooLarge(file, this.entry.maxInputBytes, this.entry.name);
			if (tooLarge) {
				this.fileError = tooLarge;
				continue;
			}
			try {
				added.push({ name: file.name, text: await file.text() });
			} catch (e) {
				this.fileError = `Could not read ${file.name}: ${errorMessage(e)}`;
			}
		}
		if (added.length) {
			this.files = [...this.files, ...added];
			this.edited();
		}
	}

	removeFile(index: number): void {
		this.files = this.files.filter((_, i) => i !== index);
		this.edited();
	}

	/** Reads a file into one input box (and names the input after it when the box for a name is empty). */
	async uploadInto(field: InputFieldSpec, file: File | undefined): Promise<void> {
		this.fileError = null;
		if (!file) return;
		const tooLarge = fileTooLarge(file, this.entry.maxInputBytes, this.entry.name);
		if (tooLarge) {
			this.fileError = tooLarge;
			return;
		}
		try {
			const text = await file.text();
			const next = { ...this.values, [field.key]: text };
			const nameField = field.upload?.nameField;
			if (nameField && !next[nameField]?.trim()) next[nameField] = file.name.replace(/\.[^.]*$/, '');
			this.values = next;
			this.edited();
		} catch (e) {
			this.fileError = `Could not read ${file.name}: ${errorMessage(e)}`;
		}
	}

	/**
	 * Submits what is in the form now (checked again, not what the last
	 * debounced check saw), then awaits `opened` with the new job's id while
	 * the form still says it is submitting. When nothing was submitted, a
	 * problem is shown in the form instead.
	 */
	async submit(opened: (jobId: string) => Promise<void>): Promise<void> {
		if (!this.canRun || this.submitting) return;
		this.submitError = null;
		this.submitting = true;
		try {
			const current = await this.checkInput();
			this.outcome = current;
			const settings = this.settingsCheck;
			if (!current.ok || !settings.ok) return;
			if (this.estimate && this.estimate.credits > this.#context.balance()) return;
			const team = this.#context.team();
			const name = this.jobName.trim() || defaultJobName(this.entry, current.input);
			const source = this.duplicateOf;
			const asDuplicate = source !== null && source.status === 'completed' && source.team_id === team.id && sameJson(current.input, source.input);
			const supabase = this.#context.supabase();
			let uploaded: SubmittedFile[] = [];
			let result;
			if (asDuplicate) {
				result = await duplicateJob(supabase, { jobId: source.id, name, settings: settings.settings });
			} else {
				const external = externalizeLargeTexts(current.input);
				if (external.files.length) {
					uploaded = await uploadInputTexts(supabase, { teamId: team.id, userId: this.#context.userId() }, external.files, (file, i) => {
						this.uploading = external.files.length > 1 ? `${file} (${i + 1} of ${external.files.length})` : file;
					}).finally(() => (this.uploading = null));
				}
				result = await submitJob(supabase, { toolId: this.entry.id, name, input: external.input, settings: settings.settings, teamId: team.id, files: uploaded });
			}
			if (!result.ok) {
				await discardUploads(supabase, uploaded);
				this.submitError = errorMessage(result.error);
				return;
			}
			this.duplicateOf = null;
			this.editing = null;
			this.inputEdited = true;
			await opened(result.jobId);
		} catch (e) {
			reportError(e, 'Could not submit the job');
		} finally {
			this.submitting = false;
		}
	}
}
