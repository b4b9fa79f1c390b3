-- Sharing a job with people by email (visibility `invited`).
-- Protects: an invite to an email without a confirmed account stays pending
-- (user_id null) and attaches to the account by itself once that email is
-- confirmed; only invited users with an attached share see `invited` jobs.
-- Invitees see the job, its files and events, and nothing else.

create table public.job_shares (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.jobs (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email ~ '^[^@\s]+@[^@\s]+$' and char_length(email) <= 255),
  -- Null until the invitee has a confirmed account with this email.
  user_id uuid references public.profiles (id) on delete set null,
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  accepted_at timestamptz,
  unique (job_id, email),
  check ((user_id is null) or (accepted_at is not null))
);
create index job_shares_user_id_idx on public.job_shares (user_id) where user_id is not null;
create index job_shares_pending_email_idx on public.job_shares (email) where user_id is null;
create index job_shares_invited_by_idx on public.job_shares (invited_by) where invited_by is not null;

create function private.shared_job_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select s.job_id from public.job_shares s where s.user_id = auth.uid();
end;
$$;

grant execute on function private.shared_job_ids() to authenticated, service_role;

-- Attach pending shares when an email is confirmed (sign-up with a confirmed
-- email, a later confirmation, or a confirmed email change). The trigger
-- names sort after on_auth_user_created, which makes the profile first.
create function private.attach_pending_shares() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.job_shares
  set user_id = new.id, accepted_at = now()
  where email = lower(new.email) and user_id is null;
  return null;
end;
$$;

create trigger share_attach_on_signup
  after insert on auth.users
  for each row when (new.email_confirmed_at is not null and new.email is not null)
  execute function private.attach_pending_shares();

create trigger share_attach_on_confirm
  after update of email, email_confirmed_at on auth.users
  for each row when (new.email_confirmed_at is not null and new.email is not null
    and (old.email_confirmed_at is null or old.email is distinct from new.email))
  execute function private.attach_pending_shares();

alter table public.job_shares enable row level security;

create policy "Invited users can view jobs shared with them" on public.jobs
  for select to authenticated using (visibility = 'invited' and id in (select private.shared_job_ids()));

create policy "Team members can view who their team's jobs are shared with" on public.job_shares
  for select to authenticated using (exists (
    select from public.jobs j where j.id = job_shares.job_id and j.team_id in (select private.user_team_ids())));

revoke all on public.job_shares from anon, authenticated;
grant select on public.job_shares to authenticated;
grant all on public.job_shares to service_role;
