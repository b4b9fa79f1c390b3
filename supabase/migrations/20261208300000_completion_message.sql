-- A completed job's timeline entry says what finished.
--
-- Progress reaches the database throttled, so the last message saved while
-- a job ran is often stale ("docking 98%"), and the status-change trigger
-- copied it into the completed event. Each outcome may now carry `message`:
-- the worker's account of what finished (the tool's own last message, e.g.
-- "Finished: 2 of 2 ligands docked"); a completed job gets it, or plain
-- "Finished", as its progress message and so as its timeline entry.
-- Protects: the timeline's record of how a run ended. Everything else is as
-- in 20261128100100_worker_job_rpcs.sql (same signature, so the grants stay).
create or replace function public.worker_finish_jobs(worker_id uuid, outcomes jsonb)
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
             message text)
    ), finished as (
      update public.jobs j
      set status = o.status,
          result = o.result,
          error_message = left(o.error_message, 4000),
          error_code = left(o.error_code, 100),
          progress_message = case when o.status = 'completed'
            then coalesce(left(nullif(btrim(o.message), ''), 500), 'Finished')
            else j.progress_message end,
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
