-- Notifications, and the digests that emailed them, are deleted once they
-- are older than the notification policy's retention_days (default 90).
-- Before, both tables only grew: every ended job writes a notification for
-- its submitter, so a team running 5,000 jobs a day added 5,000 rows a day
-- that no page ever showed again (the bell lists the latest 20).
-- Run by the fleet's digest task (worker/notification-digest.ts) on every
-- pass, a bounded number of rows at a time, safe in every worker at once.
-- Protects: what a person can still be emailed. A notification in a digest
-- that is claimed but not yet sent or given up stays, so a digest taken
-- again after a crash keeps its contents (20261209820200). Only the
-- service role runs it.
-- Tested by tests/db/notifications.test.ts and
-- tests/worker/notification-digest.test.ts.

alter table private.notification_policy
  add column retention_days integer not null default 90 check (retention_days between 1 and 3650);

create index notifications_created_idx on public.notifications (created_at);
create index notification_digests_created_idx on private.notification_digests (created_at);

create function worker.prune_notifications(max_rows integer default 1000)
returns table (notifications integer, digests integer)
language plpgsql security definer set search_path = ''
as $$
declare
  cutoff timestamptz;
begin
  select now() - make_interval(days => p.retention_days) into cutoff from private.notification_policy p;
  with removed as (
    delete from public.notifications n
    where n.id in (
      select x.id from public.notifications x
      where x.created_at < cutoff
        and not exists (select from private.notification_digests d
                        where d.id = x.digest_id and d.sent_at is null and d.abandoned_at is null)
      order by x.created_at
      limit prune_notifications.max_rows
      for update skip locked)
    returning 1
  )
  select count(*)::integer into notifications from removed;
  with removed as (
    delete from private.notification_digests d
    where d.id in (
      select x.id from private.notification_digests x
      where x.created_at < cutoff and (x.sent_at is not null or x.abandoned_at is not null)
      order by x.created_at
      limit prune_notifications.max_rows
      for update skip locked)
    returning 1
  )
  select count(*)::integer into digests from removed;
  return next;
end;
$$;

revoke all on function worker.prune_notifications(integer) from public, anon, authenticated;
grant execute on function worker.prune_notifications(integer) to service_role;
