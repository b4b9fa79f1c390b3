-- What the worker fleet does to jobs, as service-role RPCs: dispatch pending
-- jobs, claim, report progress, write output files, finish, hand back, and
-- reap jobs whose worker died.
-- Protects: a job runs under at most one worker attempt at a time (every
-- write names the worker and the attempt, and is ignored once the job moved
-- on: cancelled, deleted, reaped); dispatch only fills free slots of live
-- workers; a job whose worker died is retried up to the fleet policy's
-- max_attempts and then failed (and refunded by the credits trigger).

-- Dispatch -------------------------------------------------------------------------
-- Moves the oldest pending jobs of each compute class into `queued`, as many
-- as that class has free slots (live workers' concurrency minus the jobs
-- already queued, running or waiting to retry). Pending jobs of a class with
-- no live worker say so in their progress message. Dispatchers take turns
-- (a transaction-level lock), so slots are never counted twice. The caller
-- enqueues the returned jobs in the same transaction.
create function public.worker_dispatch(max_jobs integer default 1000)
returns table (job_id uuid, compute_class public.compute_class, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  cls public.compute_class;
  capacity integer;
  in_flight integer;
  free integer;
  waiting_message text;
begin
  perform pg_advisory_xact_lock(hashtext('foldwork.worker_dispatch'));
  for cls in select unnest(enum_range(null::public.compute_class)) loop
    select coalesce(sum(w.concurrency), 0) into capacity from private.live_workers() w where w.compute_class = cls;
    if capacity = 0 then
      waiting_message := case cls when 'gpu' then 'Waiting for GPU resources' else 'Waiting for a CPU worker' end;
      update public.jobs j set progress_message = waiting_message
      from public.tools t
      where t.id = j.tool_id and t.compute_class = cls and j.status = 'pending'
        and j.progress_message is distinct from waiting_message;
      continue;
    end if;
    select count(*) into in_flight
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('queued', 'processing', 'retry') and t.compute_class = cls;
    free := least(capacity - in_flight, max_jobs);
    continue when free <= 0;
    perform set_config('foldwork.status_message', format('Queued for a %s worker', cls), true);
    return query
      with picked as (
        select j.id from public.jobs j join public.tools t on t.id = j.tool_id
        where j.status = 'pending' and t.compute_class = cls
        order by j.created_at, j.id
        limit free
        for update of j skip locked
      )
      update public.jobs j set status = 'queued', progress_message = null
      from picked, public.tools t
      where j.id = picked.id and t.id = j.tool_id
      returning j.id, t.compute_class, t.time_limit_seconds;
    perform set_config('foldwork.status_message', '', true);
  end loop;
end;
$$;

-- Claim ------------------------------------------------------------------------------
-- The caller fetched these jobs from its class's queue (in the same
-- transaction). Each queued or retrying one becomes `processing` under this
-- worker (`run`, with what the tool needs); any other is `drop`: cancelled,
-- finished or deleted meanwhile, so its queue entry is settled and it never
-- starts.
create function public.worker_claim_jobs(worker_id uuid, job_ids uuid[])
returns table (job_id uuid, outcome text, tool_id text, input jsonb, settings jsonb, attempt integer,
  time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  worker_host text;
begin
  select w.host into worker_host from public.workers w where w.id = worker_claim_jobs.worker_id;
  if not found then
    raise exception 'worker % is not registered', worker_claim_jobs.worker_id using errcode = '42704';
  end if;
  perform set_config('foldwork.status_message', format('Started on %s', worker_host), true);
  return query
    with claimed as (
      update public.jobs j
      set status = 'processing', worker_id = worker_claim_jobs.worker_id, heartbeat_at = now(),
          progress = 0, progress_message = null, result = null, error_message = null, error_code = null
      from (select x.id from public.jobs x where x.id = any (worker_claim_jobs.job_ids)
            and x.status in ('queued', 'retry') order by x.id for update) c
      where j.id = c.id
      returning j.id, j.tool_id, j.input, j.settings, j.attempt
    )
    select c.id, 'run'::text, c.tool_id, c.input, c.settings, c.attempt, t.time_limit_seconds
    from claimed c join public.tools t on t.id = c.tool_id
    union all
    select x, 'drop'::text, null, null, null, null, null
    from unnest(worker_claim_jobs.job_ids) x
    where x not in (select c.id from claimed c);
  perform set_config('foldwork.status_message', '', true);
end;
$$;

-- Progress -----------------------------------------------------------------------------
-- A batch of [{ job_id, attempt, progress, message }]; rows for jobs no
-- longer running under this worker attempt are ignored.
create function public.worker_report_progress(worker_id uuid, updates jsonb) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  changed integer;
begin
  update public.jobs j
  set progress = greatest(0, least(100, round(u.progress)))::smallint,
      progress_message = left(u.message, 500),
      heartbeat_at = now()
  from jsonb_to_recordset(worker_report_progress.updates) as u(job_id uuid, attempt integer, progress numeric, message text)
  where j.id = u.job_id and j.attempt = u.attempt and j.status = 'processing'
    and j.worker_id = worker_report_progress.worker_id;
  get diagnostics changed = row_count;
  return changed;
end;
$$;

-- Output files ---------------------------------------------------------------------------
-- Writes (or, from an earlier attempt, replaces) one output file. False when
-- the job is no longer running under this worker attempt.
create function public.worker_write_job_file(worker_id uuid, job_id uuid, attempt integer, name text,
  media_type text, content bytea)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  perform from public.jobs j
  where j.id = worker_write_job_file.job_id and j.attempt = worker_write_job_file.attempt
    and j.status = 'processing' and j.worker_id = worker_write_job_file.worker_id
  for share;
  if not found then
    return false;
  end if;
  insert into public.job_files as f (job_id, kind, name, media_type, content)
  values (worker_write_job_file.job_id, 'output', worker_write_job_file.name, worker_write_job_file.media_type,
    worker_write_job_file.content)
  on conflict on constraint job_files_job_id_name_key do update
    set media_type = excluded.media_type, content = excluded.content, created_at = now()
    where f.kind = 'output';
  if not found then
    raise exception 'the job already has an input file named "%"; output files need other names', worker_write_job_file.name
      using errcode = '23505';
  end if;
  return true;
end;
$$;

-- Finish -----------------------------------------------------------------------------------
-- A batch of [{ job_id, attempt, status, result, error_message, error_code }]
-- with status completed, failed or timeout, or null when the worker only
-- stopped (cancelled, lost) and asks what became of the job. Per job:
-- `applied`; `gone` (the job is finished, cancelled or deleted: settle its
-- queue entry); or `elsewhere` (another attempt owns it, or it still waits
-- for the reaper: leave its queue entry alone).
create function public.worker_finish_jobs(worker_id uuid, outcomes jsonb)
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
        as o(job_id uuid, attempt integer, status public.job_status, result jsonb, error_message text, error_code text)
    ), finished as (
      update public.jobs j
      set status = o.status,
          result = o.result,
          error_message = left(o.error_message, 4000),
          error_code = left(o.error_code, 100),
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

-- Hand back ------------------------------------------------------------------------------------
-- A stopping worker returns the jobs it could not finish: they go to
-- `retry` (and the caller re-enqueues them in the same transaction).
create function public.worker_hand_back(worker_id uuid, job_ids uuid[], message text default null)
returns table (job_id uuid, compute_class public.compute_class, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('foldwork.status_message',
    coalesce(worker_hand_back.message, 'Its worker stopped; the job will run again on another worker'), true);
  return query
    update public.jobs j set status = 'retry', heartbeat_at = null, progress_message = 'Waiting to run again'
    from public.tools t
    where t.id = j.tool_id and j.id = any (worker_hand_back.job_ids) and j.status = 'processing'
      and j.worker_id = worker_hand_back.worker_id
    returning j.id, t.compute_class, t.time_limit_seconds;
  perform set_config('foldwork.status_message', '', true);
end;
$$;

-- Reap ------------------------------------------------------------------------------------------
-- Jobs whose worker stopped heartbeating (it was killed, or lost the
-- database): `retry` while attempts remain (`requeue`: the caller
-- re-enqueues them in the same transaction), else `failed` saying so. Jobs
-- far past their time limit (a hung worker) end `timeout`. Safe to run from
-- every worker at once.
create function public.worker_reap(max_jobs integer default 500)
returns table (job_id uuid, outcome text, compute_class public.compute_class, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  fleet private.fleet_policy;
  job record;
begin
  select * into fleet from private.fleet_policy;
  for job in
    select j.id, j.attempt, j.started_at, j.heartbeat_at, t.compute_class, t.time_limit_seconds
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status = 'processing'
      and (j.heartbeat_at is null or j.heartbeat_at < now() - make_interval(secs => fleet.stale_after_seconds)
           or j.started_at < now() - make_interval(secs => t.time_limit_seconds + fleet.timeout_grace_seconds))
    order by j.started_at
    limit max_jobs
    for update of j skip locked
  loop
    if job.started_at < now() - make_interval(secs => job.time_limit_seconds + fleet.timeout_grace_seconds) then
      perform private.set_job_status(job.id, 'timeout', format(
        'The run took longer than the tool''s time limit of %s seconds and its worker did not stop it', job.time_limit_seconds));
      job_id := job.id; outcome := 'timeout';
    elsif job.attempt >= fleet.max_attempts then
      update public.jobs j
      set error_code = 'worker_lost', heartbeat_at = null,
          error_message = format('The worker running this job stopped responding, %s times in a row, so it was not '
            'started again. Credits were refunded; retry the job, and contact support if it happens again.', job.attempt)
      where j.id = job.id;
      perform private.set_job_status(job.id, 'failed', null);
      job_id := job.id; outcome := 'failed';
    else
      update public.jobs j set heartbeat_at = null, progress_message = 'Waiting to run again' where j.id = job.id;
      perform private.set_job_status(job.id, 'retry', format(
        'Its worker stopped responding; the job will run again (attempt %s of %s)', job.attempt + 1, fleet.max_attempts));
      job_id := job.id; outcome := 'requeue';
    end if;
    compute_class := job.compute_class;
    time_limit_seconds := job.time_limit_seconds;
    return next;
  end loop;
end;
$$;

revoke all on function public.worker_dispatch(integer), public.worker_claim_jobs(uuid, uuid[]),
  public.worker_report_progress(uuid, jsonb), public.worker_write_job_file(uuid, uuid, integer, text, text, bytea),
  public.worker_finish_jobs(uuid, jsonb), public.worker_hand_back(uuid, uuid[], text), public.worker_reap(integer)
  from public, anon, authenticated;
grant execute on function public.worker_dispatch(integer), public.worker_claim_jobs(uuid, uuid[]),
  public.worker_report_progress(uuid, jsonb), public.worker_write_job_file(uuid, uuid, integer, text, text, bytea),
  public.worker_finish_jobs(uuid, jsonb), public.worker_hand_back(uuid, uuid[], text), public.worker_reap(integer)
  to service_role;
