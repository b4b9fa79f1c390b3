-- Cancelling a job that never started refunds it: DESIGN.md's credits rule
-- ("failed and timeout refund automatically, and so does cancelling a job
-- before it started: pending, queued, or waiting in retry; cancelling a
-- running job and completed do not. Each job is refunded at most once").
-- Until now only failed and timeout refunded.
-- Protects: a job's credits come back exactly once, and only when the rule
-- says so. The job row records what it got back (credits_refunded, set by
-- the database in the same update that changes its status, never by a
-- client, a worker or an operator's UPDATE), and the ledger's refund is
-- written from that, in the same transaction; the unique (job_id, reason)
-- index of 20261128000400_credits.sql still refuses a second refund row.
-- Pages read credits_refunded to say "2 → refunded" without asking the
-- ledger, and the jobs row's live changes carry it.

alter table public.jobs add column credits_refunded integer not null default 0;

-- Jobs refunded before this migration (failed, timeout) say so.
update public.jobs j set credits_refunded = l.delta
from public.credit_ledger l
where l.job_id = j.id and l.reason = 'refund' and l.delta = j.credits_charged;

alter table public.jobs add constraint jobs_refund_is_all_or_nothing
  check (credits_refunded = 0 or credits_refunded = credits_charged);

-- Whether a status change gives the job's credits back: it ends failed or
-- timeout, or it is cancelled before it started (pending, queued) or while
-- it waits in retry for another attempt (the last attempt's compute was lost
-- to a fault, not delivered).
create function private.job_change_refunds(from_status public.job_status, to_status public.job_status) returns boolean
language plpgsql immutable set search_path = ''
as $$
begin
  return from_status is distinct from to_status
    and (to_status in ('failed', 'timeout')
         or (to_status = 'cancelled' and from_status in ('pending', 'queued', 'retry')));
end;
$$;

-- Keeps credits_refunded the database's: 0 for a new job; on a status change
-- that refunds, all of credits_charged (once: a refunded job never changes
-- status again, terminal states being final); otherwise unchanged. Named to
-- run after before_job_update (triggers fire in name order), so it sees the
-- status that update settled on.
create function private.settle_job_refund() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.credits_refunded := 0;
  elsif old.credits_refunded = 0 and new.credits_charged > 0
        and private.job_change_refunds(old.status, new.status) then
    new.credits_refunded := new.credits_charged;
  else
    new.credits_refunded := old.credits_refunded;
  end if;
  return new;
end;
$$;

create trigger settle_job_refund
  before insert or update of status, credits_refunded on public.jobs
  for each row execute function private.settle_job_refund();

-- The ledger's refund, for what the row says it got back.
create or replace function private.refund_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.credit_ledger (team_id, job_id, delta, reason, memo)
  select new.team_id, new.id, new.credits_refunded, 'refund',
    left(format('Refund (%s%s): %s: %s', new.status,
      case when new.status = 'cancelled' then ' before it started' else '' end, t.name, new.name), 500)
  from public.tools t where t.id = new.tool_id
  on conflict (job_id, reason) where reason in ('charge', 'refund') do nothing;
  return null;
end;
$$;

drop trigger refund_job on public.jobs;
create trigger refund_job
  after update of status on public.jobs
  for each row
  when (new.credits_refunded > 0 and old.credits_refunded = 0)
  execute function private.refund_job();

revoke all on function private.job_change_refunds(public.job_status, public.job_status), private.settle_job_refund()
  from public, anon, authenticated;
-- The trigger runs as whoever updates the job: workers use the service role.
grant execute on function private.job_change_refunds(public.job_status, public.job_status) to service_role;
