-- GPU placement, the claim's check: worker.worker_claim_jobs
-- (20261128100500_worker_tools.sql, otherwise unchanged) leaves a queued or
-- retrying job whose GPU memory need (public.jobs.gpu_memory_mib) is larger
-- than the claiming worker's largest registered GPU as it is, with the
-- outcome `misfit` (no attempt spent), for the caller to put back in the
-- queue for a worker it fits. Unlike `skip`, it says nothing about the tool:
-- the worker keeps taking that tool's other jobs.
-- A worker that registered no GPU (nvidia-smi absent) cannot say what fits
-- and claims as before.
-- Protects: a job never runs on a GPU too small for it, even when its queue
-- entry reaches the wrong worker (an entry queued before placement existed).
create or replace function worker.worker_claim_jobs(worker_id uuid, job_ids uuid[])
returns table (job_id uuid, outcome text, tool_id text, input jsonb, settings jsonb, attempt integer,
  time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  worker_host text;
  worker_tools text[];
  worker_gpu integer;
begin
  select w.host, w.tools, private.worker_gpu_memory_mib(w.gpu_devices) into worker_host, worker_tools, worker_gpu
  from public.workers w where w.id = worker_claim_jobs.worker_id;
  if not found then
    raise exception 'worker % is not registered', worker_claim_jobs.worker_id using errcode = '42704';
  end if;
  perform set_config('foldwork.status_message', format('Started on %s', worker_host), true);
  return query
    with skipped as (
      select x.id, x.tool_id from public.jobs x
      where x.id = any (worker_claim_jobs.job_ids) and x.status in ('queued', 'retry')
        and worker_tools is not null and x.tool_id <> all (worker_tools)
    ), misfits as (
      select x.id, x.tool_id from public.jobs x
      where x.id = any (worker_claim_jobs.job_ids) and x.status in ('queued', 'retry')
        and x.id not in (select s.id from skipped s) and x.gpu_memory_mib > worker_gpu
    ), claimed as (
      update public.jobs j
      set status = 'processing', worker_id = worker_claim_jobs.worker_id, heartbeat_at = now(),
          progress = 0, progress_message = null, result = null, error_message = null, error_code = null
      from (select x.id from public.jobs x where x.id = any (worker_claim_jobs.job_ids)
            and x.status in ('queued', 'retry') and (worker_tools is null or x.tool_id = any (worker_tools))
            and (worker_gpu is null or x.gpu_memory_mib is null or x.gpu_memory_mib <= worker_gpu)
            order by x.id for update) c
      where j.id = c.id
      returning j.id, j.tool_id, j.input, j.settings, j.attempt
    )
    select c.id, 'run'::text, c.tool_id, c.input, c.settings, c.attempt, t.time_limit_seconds
    from claimed c join public.tools t on t.id = c.tool_id
    union all
    select s.id, 'skip'::text, s.tool_id, null, null, null, t.time_limit_seconds
    from skipped s join public.tools t on t.id = s.tool_id
    union all
    select m.id, 'misfit'::text, m.tool_id, null, null, null, t.time_limit_seconds
    from misfits m join public.tools t on t.id = m.tool_id
    union all
    select x, 'drop'::text, null, null, null, null, null
    from unnest(worker_claim_jobs.job_ids) x
    where x not in (select c.id from claimed c) and x not in (select s.id from skipped s)
      and x not in (select m.id from misfits m);
  perform set_config('foldwork.status_message', '', true);
end;
$$;
