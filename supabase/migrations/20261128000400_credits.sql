-- Credits: one account per team and an append-only ledger.
-- Protects: the balance is always the sum of the ledger and never negative;
-- a job is charged once (when it is created, in the same transaction) and
-- refunded at most once, and only when it ends `failed` or `timeout`.
-- New personal teams start with a grant of 100 credits.

create type public.credit_reason as enum ('grant', 'charge', 'refund', 'adjustment');

create table public.credit_accounts (
  team_id uuid primary key references public.teams (id) on delete cascade,
  balance integer not null default 0 constraint credit_balance_not_negative check (balance >= 0),
  updated_at timestamptz not null default now()
);

create table public.credit_ledger (
  id bigint generated always as identity primary key,
  team_id uuid not null references public.credit_accounts (team_id) on delete cascade,
  -- Cleared when the job is deleted; the row stays.
  job_id uuid references public.jobs (id) on delete set null,
  delta integer not null check (delta <> 0),
  reason public.credit_reason not null,
  memo text check (char_length(memo) <= 500),
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint credit_ledger_sign_matches_reason check (case reason
    when 'charge' then delta < 0
    when 'refund' then delta > 0
    when 'grant' then delta > 0
    else true end)
);
create index credit_ledger_team_created_idx on public.credit_ledger (team_id, created_at desc, id desc);
create index credit_ledger_job_id_idx on public.credit_ledger (job_id) where job_id is not null;
create index credit_ledger_created_by_idx on public.credit_ledger (created_by) where created_by is not null;
-- No double charge, no double refund.
create unique index credit_ledger_once_per_job_idx on public.credit_ledger (job_id, reason)
  where reason in ('charge', 'refund');

-- The ledger drives the balance -------------------------------------------------
create function private.before_credit_ledger_insert() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.reason in ('charge', 'refund') and new.job_id is null then
    raise exception 'a % names the job it is for', new.reason using errcode = '23514';
  end if;
  new.created_at := now();
  return new;
end;
$$;

create trigger before_credit_ledger_insert
  before insert on public.credit_ledger
  for each row execute function private.before_credit_ledger_insert();

create function private.apply_credit_ledger_row() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  available integer;
begin
  perform set_config('foldwork.applying_ledger', 'on', true);
  update public.credit_accounts
  set balance = balance + new.delta, updated_at = now()
  where team_id = new.team_id and balance + new.delta >= 0;
  if not found then
    select a.balance into available from public.credit_accounts a where a.team_id = new.team_id;
    raise exception 'not enough credits: this needs % and the team has %', -new.delta, available
      using errcode = 'P0001', hint = 'Ask a team owner to add credits, or make the job smaller.';
  end if;
  perform set_config('foldwork.applying_ledger', '', true);
  return null;
end;
$$;

create trigger apply_credit_ledger_row
  after insert on public.credit_ledger
  for each row execute function private.apply_credit_ledger_row();

create function private.guard_credit_balance() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.team_id <> old.team_id then
    raise exception 'a credit account belongs to its team for good' using errcode = '23514';
  end if;
  if new.balance <> old.balance and current_setting('foldwork.applying_ledger', true) is distinct from 'on' then
    raise exception 'a credit balance changes only by adding a credit_ledger row' using errcode = '23514';
  end if;
  return new;
end;
$$;

create trigger guard_credit_balance
  before update on public.credit_accounts
  for each row execute function private.guard_credit_balance();

-- Append-only: rows stay as written. Clearing job_id (its job was deleted) is
-- the one change; rows go only with their team.
create function private.guard_credit_ledger() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if exists (select from public.teams t where t.id = old.team_id) then
      raise exception 'the credit ledger is append-only: add an adjustment instead of deleting' using errcode = '23514';
    end if;
    return old;
  end if;
  if new.job_id is null and old.job_id is not null
     and (new.id, new.team_id, new.delta, new.reason, new.memo, new.created_by, new.created_at)
         is not distinct from (old.id, old.team_id, old.delta, old.reason, old.memo, old.created_by, old.created_at) then
    return new;
  end if;
  if new.created_by is null and old.created_by is not null
     and (new.id, new.team_id, new.job_id, new.delta, new.reason, new.memo, new.created_at)
         is not distinct from (old.id, old.team_id, old.job_id, old.delta, old.reason, old.memo, old.created_at) then
    return new;
  end if;
  raise exception 'the credit ledger is append-only: add an adjustment instead of editing' using errcode = '23514';
end;
$$;

create trigger guard_credit_ledger
  before update or delete on public.credit_ledger
  for each row execute function private.guard_credit_ledger();

-- Every team has an account; a personal team starts with 100 credits --------------
create function private.open_credit_account() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.credit_accounts (team_id) values (new.id);
  if new.personal then
    insert into public.credit_ledger (team_id, delta, reason, memo)
    values (new.id, 100, 'grant', 'Starting credits');
  end if;
  return null;
end;
$$;

create trigger open_credit_account
  after insert on public.teams
  for each row execute function private.open_credit_account();

-- Charge on creation, refund on failed/timeout ----------------------------------------
create function private.charge_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.credits_charged > 0 then
    insert into public.credit_ledger (team_id, job_id, delta, reason, memo, created_by)
    select new.team_id, new.id, -new.credits_charged, 'charge', left(t.name || ': ' || new.name, 500), new.submitted_by
    from public.tools t where t.id = new.tool_id;
  end if;
  return null;
end;
$$;

create trigger charge_job
  after insert on public.jobs
  for each row execute function private.charge_job();

create function private.refund_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.credit_ledger (team_id, job_id, delta, reason, memo)
  select new.team_id, new.id, new.credits_charged, 'refund',
    left(format('Refund (%s): %s: %s', new.status, t.name, new.name), 500)
  from public.tools t where t.id = new.tool_id
  on conflict (job_id, reason) where reason in ('charge', 'refund') do nothing;
  return null;
end;
$$;

create trigger refund_job
  after update of status on public.jobs
  for each row
  when (new.status in ('failed', 'timeout') and old.status is distinct from new.status and new.credits_charged > 0)
  execute function private.refund_job();

-- Row level security -------------------------------------------------------------------
alter table public.credit_accounts enable row level security;
alter table public.credit_ledger enable row level security;

create policy "Team members can view their team's credit balance" on public.credit_accounts
  for select to authenticated using (team_id in (select private.user_team_ids()));
create policy "Team members can view their team's credit history" on public.credit_ledger
  for select to authenticated using (team_id in (select private.user_team_ids()));

revoke all on public.credit_accounts, public.credit_ledger from anon, authenticated, service_role;
grant select on public.credit_accounts, public.credit_ledger to authenticated;
-- Operators grant and adjust credits by adding ledger rows.
grant select on public.credit_accounts to service_role;
grant select, insert on public.credit_ledger to service_role;
