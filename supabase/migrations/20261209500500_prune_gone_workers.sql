-- Dead workers are marked gone and pruned. A worker not heard from for the
-- fleet policy's stale_after (killed, its machine lost) gets gone_at; one
-- heard from again (a network blip) is not gone any more. A worker that
-- signed off or is gone is deleted once gone_retention_seconds (default 7
-- days) have passed; its finished jobs keep their history, their worker_id
-- becomes null (the foreign key's on delete set null). Run by every
-- worker's reaper, a bounded number of rows at a time.
-- Protects: the registry (and /status) lists the fleet as it is, and does
-- not grow for ever with every worker process that ever ran.
alter table private.fleet_policy
  add column gone_retention_seconds integer not null default 604800 check (gone_retention_seconds between 60 and 31536000);

alter table public.workers add column gone_at timestamptz;
create index workers_retired_idx on public.workers (coalesce(stopped_at, gone_at)) where stopped_at is not null or gone_at is not null;

-- A heartbeat or a new registration (last_seen_at moves on) means it is back.
create function private.worker_seen_again() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.last_seen_at > old.last_seen_at then
    new.gone_at := null;
  end if;
  return new;
end;
$$;
create trigger worker_seen_again
  before update of last_seen_at on public.workers
  for each row execute function private.worker_seen_again();
revoke all on function private.worker_seen_again() from public, anon, authenticated;

create function worker.worker_prune(max_rows integer default 100)
returns table (marked_gone integer, pruned integer)
language plpgsql security definer set search_path = ''
as $$
declare
  fleet private.fleet_policy;
begin
  select * into fleet from private.fleet_policy;
  with gone as (
    update public.workers w set gone_at = w.last_seen_at + make_interval(secs => fleet.stale_after_seconds)
    where w.id in (
      select x.id from public.workers x
      where x.stopped_at is null and x.gone_at is null
        and x.last_seen_at < now() - make_interval(secs => fleet.stale_after_seconds)
      limit worker_prune.max_rows
      for update skip locked)
    returning 1
  )
  select count(*)::integer into marked_gone from gone;
  with removed as (
    delete from public.workers w
    where w.id in (
      select x.id from public.workers x
      where (x.stopped_at is not null or x.gone_at is not null)
        and coalesce(x.stopped_at, x.gone_at) < now() - make_interval(secs => fleet.gone_retention_seconds)
      limit worker_prune.max_rows
      for update skip locked)
    returning 1
  )
  select count(*)::integer into pruned from removed;
  return next;
end;
$$;

revoke all on function worker.worker_prune(integer) from public, anon, authenticated;
grant execute on function worker.worker_prune(integer) to service_role;
