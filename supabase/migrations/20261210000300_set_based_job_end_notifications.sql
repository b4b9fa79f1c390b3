-- Notifications of jobs that ended are written once per statement, as the
-- jobs' own messages are since 20261210000200: the worker records up to
-- 200 outcomes in one UPDATE, and each ended job paid a trigger call, an
-- INSERT, a realtime.send subtransaction and a recipient upsert of its own
-- (0.63 of ~4 ms of PostgreSQL time per job while bench:worker drains a
-- backlog; without these notifications at all, PostgreSQL's CPU per job
-- fell by 0.23 ms).
--   jobs updated          job_completed / job_failed / job_timeout to each
--                         ended job's submitter who has not turned it off
--                         (private.notification_delivery), one INSERT
--   notifications added   notification_added on each person's topic, and
--                         their recipient row (unsubscribe token), one
--                         statement each, whichever path wrote them
-- Protects: the same notifications with the same contents and the same
-- messages (20261209820000, 20261209820100, 20261209820200); a person's
-- topic still carries only their own notifications.

create or replace function private.notify_job_ended() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
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

drop trigger notify_job_ended on public.jobs;
create trigger notify_job_ended
  after update on public.jobs
  referencing old table as previous_jobs new table as updated_jobs
  for each statement execute function private.notify_job_ended();

-- Writes one notification when the person wants this event; the triggers
-- below send it and make its recipient row.
create or replace function private.notify_person(user_id uuid, kind text, title text, body text, link text, team_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if user_id is null or private.notification_delivery(user_id, kind) = 'off' then
    return;
  end if;
  insert into public.notifications (user_id, kind, title, body, link, team_id)
  values (notify_person.user_id, notify_person.kind, left(notify_person.title, 300), left(notify_person.body, 1000),
          notify_person.link, notify_person.team_id);
end;
$$;

create function private.broadcast_notifications() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  topics text[];
  events text[];
  payloads jsonb[];
begin
  select array_agg('user:' || n.user_id::text), array_agg('notification_added'::text),
         array_agg(jsonb_build_object('notification', to_jsonb(n::public.notifications)))
    into topics, events, payloads
    from added_notifications n;
  perform private.send_broadcasts(topics, events, payloads);
  return null;
end;
$$;

create trigger broadcast_notifications
  after insert on public.notifications
  referencing new table as added_notifications
  for each statement execute function private.broadcast_notifications();

create or replace function private.add_notification_recipient() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.notification_recipients (user_id)
  select distinct n.user_id from added_notifications n
  on conflict do nothing;
  return null;
end;
$$;

drop trigger add_notification_recipient on public.notifications;
create trigger add_notification_recipient
  after insert on public.notifications
  referencing new table as added_notifications
  for each statement execute function private.add_notification_recipient();

revoke all on function private.broadcast_notifications() from public;
