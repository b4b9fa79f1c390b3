-- Invited access goes only to accounts with proven credentials
-- (20261207100000_account_credentials.sql): accepting a team invite and
-- attaching the job shares waiting for an address both require them, so an
-- account someone registered with another person's address (and whose
-- password still works) never receives what was sent to that address.
-- public.account_access tells the web app which step comes next;
-- public.claim_pending_access attaches the pending shares (team invites keep
-- their explicit accept step); public.accept_team_invite is replaced (first
-- defined in 20261128000800_team_rpcs.sql) to require proven credentials.

-- Where the caller's account stands and what waits for its address:
-- {state, credentials_proven, pending_shares, pending_invites}; `state` is
-- private.credential_state's ('proven', 'provable', 'choose_password',
-- 'email_link', 'unconfirmed').
create function public.account_access() returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  address text := private.confirmed_email();
  state text;
begin
  if uid is null then
    raise exception 'sign in first: your access depends on your account' using errcode = '42501';
  end if;
  state := private.credential_state(uid, private.caller_session_id());
  return jsonb_build_object(
    'state', state,
    'credentials_proven', state in ('proven', 'provable'),
    'pending_shares', (select count(*) from public.job_shares s where s.email = address and s.user_id is null),
    'pending_invites', (select count(*) from public.team_invites i
                        where i.email = address and i.status = 'pending' and i.expires_at > now()));
end;
$$;

-- Attaches every job share waiting for the caller's confirmed address.
-- Returns {attached: [{job_id, tool_id, name}] (those the caller can open
-- now), pending_invites: [{id, role}]} (team invites still to accept).
create function public.claim_pending_access() returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  address text := private.confirmed_email();
  attached jsonb;
begin
  perform private.require_proven_credentials('open what was shared with you');
  with claimed as (
    update public.job_shares s set user_id = uid, accepted_at = now()
    where s.email = address and s.user_id is null
    returning s.job_id)
  select coalesce(jsonb_agg(jsonb_build_object('job_id', j.id, 'tool_id', j.tool_id, 'name', j.name) order by j.created_at, j.id), '[]')
  into attached
  from claimed c join public.jobs j on j.id = c.job_id
  where j.visibility <> 'private';
  return jsonb_build_object(
    'attached', attached,
    'pending_invites', (select coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'role', i.role) order by i.created_at, i.id), '[]')
                        from public.team_invites i
                        where i.email = address and i.status = 'pending' and i.expires_at > now()));
end;
$$;

create or replace function public.accept_team_invite(invite_id uuid) returns public.team_members
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('accept invites for');
  invite public.team_invites;
  membership public.team_members;
begin
  select * into invite from public.team_invites i
  where i.id = accept_team_invite.invite_id and i.email = private.confirmed_email()
  for update;
  if not found then
    raise exception 'invite % not found (it must be for your confirmed email address)', accept_team_invite.invite_id using errcode = '42704';
  end if;
  if invite.status <> 'pending' then
    raise exception 'this invite was already %', invite.status using errcode = 'P0001';
  end if;
  if invite.expires_at < now() then
    raise exception 'this invite expired on %; ask for a new one', to_char(invite.expires_at, 'YYYY-MM-DD') using errcode = 'P0001';
  end if;
  perform private.require_proven_credentials('join a team');
  update public.team_invites i set status = 'accepted', accepted_at = now(), accepted_by = uid where i.id = invite.id;
  insert into public.team_members (team_id, user_id, role) values (invite.team_id, uid, invite.role)
  on conflict (team_id, user_id) do nothing;
  select * into membership from public.team_members m where m.team_id = invite.team_id and m.user_id = uid;
  return membership;
end;
$$;

revoke all on function public.account_access(), public.claim_pending_access() from public, anon;
grant execute on function public.account_access(), public.claim_pending_access() to authenticated, service_role;
