-- The statement triggers on jobs write nothing when a statement records no
-- event: an UPDATE that changes no job's status (progress, heartbeats, the
-- dispatcher's "waiting for ..." messages, which usually match no row at
-- all) ran an INSERT of no rows into job_events and into notifications,
-- and those INSERTs fired their own statement triggers in turn (the
-- messages of the events, of the notifications, and their recipients):
-- 0.1-0.7 ms per such statement, and the dispatcher runs two of them on
-- every call (bench:worker, auto_explain of worker_dispatch under load).
-- A cheap look first: one scan of the new rows for an ended job, one join
-- (stopped at the first row) for a changed status.
-- Protects: the same events, NOTIFYs and notifications as 20261210000200
-- and 20261210000300 (tests/db/job-broadcasts, notifications).

create or replace function private.record_job_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  message text := nullif(current_setting('foldwork.status_message', true), '');
begin
  if tg_op = 'INSERT' then
    insert into public.job_events (job_id, from_status, to_status, message)
    select n.id, null, n.status, coalesce(message, 'Submitted') from inserted_jobs n;
    perform pg_notify('foldwork_job_pending', n.id::text) from inserted_jobs n;
    return null;
  end if;
  if not exists (select from updated_jobs n join previous_jobs o on o.id = n.id where o.status is distinct from n.status) then
    return null;
  end if;
  insert into public.job_events (job_id, from_status, to_status, message)
  select n.id, o.status, n.status, coalesce(message,
           case when n.status in ('failed', 'timeout') then n.error_message else n.progress_message end)
    from updated_jobs n join previous_jobs o on o.id = n.id
   where o.status is distinct from n.status;
  perform pg_notify('foldwork_job_cancel', n.id::text)
     from updated_jobs n join previous_jobs o on o.id = n.id
    where n.status = 'cancelled' and o.status is distinct from 'cancelled';
  return null;
end;
$$;

create or replace function private.notify_job_ended() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select from updated_jobs n where n.status in ('completed', 'failed', 'timeout')) then
    return null;
  end if;
  insert into public.notifications (user_id, kind, title, body, link, team_id)
  select e.submitted_by, e.kind, format('Job "%s" %s', left(e.name, 200), e.what),
         case when e.status = 'failed' then left(e.error_message, 1000) end,
         format('/app/tools/%s?jobId=%s', e.tool_id, e.id), e.team_id
    from (select n.id, n.name, n.status, n.error_message, n.tool_id, n.team_id, n.submitted_by,
                 case n.status when 'completed' then 'job_completed' when 'failed' then 'job_failed' else 'job_timeout' end as kind,
                 case n.status when 'completed' then 'completed' when 'failed' then 'failed' else 'timed out' end as what
            from updated_jobs n join previous_jobs o on o.id = n.id
           where o.status is distinct from n.status and n.status in ('completed', 'failed', 'timeout')
             and n.submitted_by is not null) e
   where private.notification_delivery(e.submitted_by, e.kind) <> 'off';
  return null;
end;
$$;
