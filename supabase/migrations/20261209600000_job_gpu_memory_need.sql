-- Each job records the GPU memory it needs (public.jobs.gpu_memory_mib, MiB;
-- null for CPU tools), computed by the database from the job's tool and
-- input whenever a job is inserted or its input, tool or need is written.
-- The one home of the rule is private.job_gpu_memory_mib below;
-- src/lib/tools/gpu-memory.ts mirrors it for the app and
-- tests/db/gpu-memory-need.test.ts checks that both agree on a table of
-- lengths.
--
-- structure-prediction (ESMFold-like: ESM-2 3B language model + folding
-- trunk), per job the need of its longest sequence, since the worker folds
-- one sequence at a time:
--   6,144 MiB  the model's weights in half precision (ESM-2 3B + trunk,
--              about 5.6 GB) and the CUDA context
-- + 12 KiB per residue pair (L²): the trunk's pair representation has 128
--              channels of 4 bytes (512 B per pair), and the triangular
--              updates keep about 24 such tensors alive at once
--   = about 7.4 GB at 300 residues, 17.4 GB at 1,000 (ESMFold's authors fold
--   1,000 residues on 24-40 GB cards without chunking; the rule errs high).
-- A length the rule cannot read (a sequence that is not a string, an input
-- of another shape) counts as the longest accepted, 1,000 residues
-- (MAX_PREDICTION_LENGTH), and longer sequences count as 1,000 too (the
-- tool refuses them with its own message once a worker takes the job).
-- gpu-selftest: one self-attention layer over short proteins: 512 MiB.
-- Protects: the placement of GPU jobs (20261209600100) reads this need; no
-- user sets it (jobs are written only through security-definer RPCs, and this
-- trigger overwrites any value they pass), and an input shaped to hide its
-- length is counted at the maximum.
alter table public.jobs add column gpu_memory_mib integer
  constraint jobs_gpu_memory_mib_positive check (gpu_memory_mib is null or gpu_memory_mib > 0);

create function private.structure_prediction_gpu_memory_mib(residues integer) returns integer
language sql immutable set search_path = ''
as $$
  select 6144 + ceil(power(least(greatest(coalesce(residues, 1000), 0), 1000)::numeric, 2) * 12 / 1024)::integer
$$;

create function private.job_gpu_memory_mib(tool_id text, input jsonb) returns integer
language sql immutable set search_path = ''
as $$
  select case job_gpu_memory_mib.tool_id
    when 'gpu-selftest' then 512
    when 'structure-prediction' then private.structure_prediction_gpu_memory_mib(
      case
        when jsonb_typeof(job_gpu_memory_mib.input -> 'sequences') is distinct from 'array'
          or jsonb_array_length(job_gpu_memory_mib.input -> 'sequences') = 0
          or exists (select from jsonb_array_elements(job_gpu_memory_mib.input -> 'sequences') s
                     where jsonb_typeof(s -> 'sequence') is distinct from 'string') then null
        else (select max(length(s ->> 'sequence')) from jsonb_array_elements(job_gpu_memory_mib.input -> 'sequences') s)
      end)
  end
$$;

create function private.set_job_gpu_memory_mib() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.gpu_memory_mib := private.job_gpu_memory_mib(new.tool_id, new.input);
  return new;
end;
$$;

create trigger jobs_gpu_memory_mib before insert or update of tool_id, input, gpu_memory_mib on public.jobs
  for each row execute function private.set_job_gpu_memory_mib();

-- Jobs already there (only the GPU tools get a need).
update public.jobs j set gpu_memory_mib = private.job_gpu_memory_mib(j.tool_id, j.input)
where j.tool_id in ('gpu-selftest', 'structure-prediction');

revoke all on function private.structure_prediction_gpu_memory_mib(integer), private.job_gpu_memory_mib(text, jsonb),
  private.set_job_gpu_memory_mib() from public, anon, authenticated;
grant execute on function private.structure_prediction_gpu_memory_mib(integer), private.job_gpu_memory_mib(text, jsonb)
  to service_role;
