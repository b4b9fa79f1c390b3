-- A run that hit a transient fault outside the job's input (the tool's model
-- server answered 5xx, timed out or was unreachable) runs again while
-- attempts remain, else ends `failed` saying why: the same bookkeeping as the
-- reaper, so a job is never retried forever and is charged once. Only the
-- worker that holds the job may do this.
create function public.worker_retry_later(holder uuid, job uuid, reason text)
returns table (job_id uuid, outcome text, compute_class public.compute_class, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  fleet private.fleet_policy;
  found_job record;
begin
  select * into fleet from private.fleet_policy;
  select j.id, j.attempt, t.compute_class, t.time_limit_seconds into found_job
  from public.jobs j join public.tools t on t.id = j.tool_id
  where j.id = worker_retry_later.job and j.status = 'processing' and j.worker_id = worker_retry_later.holder
  for update of j;
  if not found then
    return;
  end if;
  if found_job.attempt >= fleet.max_attempts then
    update public.jobs j
    set error_code = 'service_unavailable', heartbeat_at = null,
        error_message = format('The tool''s service failed %s times in a row (last: %s). Credits were refunded; retry the job later.',
          found_job.attempt, left(worker_retry_later.reason, 500))
    where j.id = found_job.id;
    perform private.set_job_status(found_job.id, 'failed', null);
    job_id := found_job.id; outcome := 'failed';
  else
    update public.jobs j set heartbeat_at = null, progress_message = 'Waiting to run again' where j.id = found_job.id;
    perform private.set_job_status(found_job.id, 'retry', format(
      'A transient fault (%s); the job will run again (attempt %s of %s)',
      left(worker_retry_later.reason, 300), found_job.attempt + 1, fleet.max_attempts));
    job_id := found_job.id; outcome := 'requeue';
  end if;
  compute_class := found_job.compute_class;
  time_limit_seconds := found_job.time_limit_seconds;
  return next;
end;
$$;

revoke all on function public.worker_retry_later(uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.worker_retry_later(uuid, uuid, text) to service_role;
