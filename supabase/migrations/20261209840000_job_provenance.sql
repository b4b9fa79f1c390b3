-- Provenance at run time: each job records the versions of what computed it
-- (the tool's version, its back-end programs such as AutoDock Vina, Open
-- Babel, mkdssp, RDKit or the model server, and the worker's own version),
-- in jobs.provenance. The worker writes it with the job's outcome
-- (worker.worker_finish_jobs); get_job shows it beside input, settings and
-- result, to everyone who may open the job (it names programs, never the
-- team's people or the worker's host).
-- Protects: the record of how a result was made. Clients cannot write jobs
-- at all (only select is granted), and a trigger refuses provenance on a new
-- job and any change to it except in the update that ends a running job, so
-- not even a service-role script can rewrite it after the fact.

-- Each tool's version, mirrored from src/lib/tools/catalog.ts like its other
-- fields (tests/db/tools.test.ts): what a job's provenance names.
alter table public.tools add column version text not null default '1.0.0'
  check (version ~ '^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$');
comment on column public.tools.version is 'The tool''s version (semver), as src/lib/tools/catalog.ts gives it';

alter table public.jobs add column provenance jsonb;
alter table public.jobs add constraint jobs_provenance_is_small_object
  check (provenance is null or (jsonb_typeof(provenance) = 'object' and pg_column_size(provenance) <= 16384));
comment on column public.jobs.provenance is
  'Versions of what computed the job (tool, back-end programs, worker), written by the worker as the run ends';

create function private.guard_job_provenance() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.provenance is not null then
      raise exception 'a new job has no provenance yet: the worker that runs it records it' using errcode = '42501';
    end if;
  elsif new.provenance is distinct from old.provenance
    and not (old.status = 'processing' and public.job_status_is_terminal(new.status)) then
    raise exception 'a job''s provenance is written once, by the worker, as its run ends' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_job_provenance() from public;

create trigger guard_job_provenance
  before insert or update of provenance on public.jobs
  for each row execute function private.guard_job_provenance();

-- As in 20261208300000_completion_message.sql, and each outcome may carry
-- `provenance` (an object), stored with the final status.
create or replace function worker.worker_finish_jobs(worker_id uuid, outcomes jsonb)
returns table (job_id uuid, outcome text)
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select from jsonb_to_recordset(worker_finish_jobs.outcomes) as o(status text)
             where o.status not in ('completed', 'failed', 'timeout')) then
    raise exception 'a worker finishes a job as completed, failed or timeout' using errcode = '22023';
  end if;
  return query
    with o as (
      select * from jsonb_to_recordset(worker_finish_jobs.outcomes)
        as o(job_id uuid, attempt integer, status public.job_status, result jsonb, error_message text, error_code text,
             message text, provenance jsonb)
    ), finished as (
      update public.jobs j
      set status = o.status,
          result = o.result,
          error_message = left(o.error_message, 4000),
          error_code = left(o.error_code, 100),
          progress_message = case when o.status = 'completed'
            then coalesce(left(nullif(btrim(o.message), ''), 500), 'Finished')
            else j.progress_message end,
          provenance = case when jsonb_typeof(o.provenance) = 'object' then o.provenance end,
          heartbeat_at = null
      from o
      where o.status is not null and j.id = o.job_id and j.attempt = o.attempt and j.status = 'processing'
        and j.worker_id = worker_finish_jobs.worker_id
      returning j.id
    )
    select o.job_id,
      case
        when o.job_id in (select f.id from finished f) then 'applied'
        when not exists (select from public.jobs j where j.id = o.job_id and not public.job_status_is_terminal(j.status))
          then 'gone'
        else 'elsewhere'
      end
    from o;
end;
$$;

-- As in 20261208350300_reads_show_refunds.sql, with provenance beside input,
-- settings and result (the job's content).
create or replace function private.job_json(p_job_id uuid, for_team boolean, with_content boolean) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  select jsonb_build_object(
      'id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name,
      'status', j.status, 'progress', j.progress, 'progress_message', j.progress_message,
      'error_message', j.error_message, 'error_code', j.error_code, 'credits_charged', j.credits_charged,
      'credits_refunded', j.credits_refunded, 'visibility', j.visibility, 'attempt', j.attempt,
      'submitted_by', case when for_team then j.submitted_by end,
      'retry_of', case when for_team then j.retry_of end,
      'duplicated_from', case when for_team then j.duplicated_from end,
      'created_at', j.created_at, 'queued_at', j.queued_at, 'started_at', j.started_at,
      'finished_at', j.finished_at, 'updated_at', j.updated_at)
    into out
    from public.jobs j where j.id = p_job_id;
  if with_content and out is not null then
    select out || jsonb_build_object('input', j.input, 'settings', j.settings, 'result', j.result, 'provenance', j.provenance)
      into out
      from public.jobs j where j.id = p_job_id;
  end if;
  return out;
end;
$$;
