-- Team invites, the rest of their life: invite several addresses at once,
-- send an invite again (a fresh 7 days), decline, and read one for the
-- invite page. Accept and revoke are
-- in 20261128000800_team_rpcs.sql.
-- Protects: only team owners and admins invite and re-send; only the
-- confirmed owner of the invited address declines; a batch of invites is
-- all or nothing (a bad address or a full team leaves no invite behind).
-- The invite-member edge function calls these as the caller and emails the
-- invitees; the JSON they return is what it needs for that.

-- What the invite-member function needs to email one invite. `has_account`:
-- the address belongs to a confirmed account (it gets a link to accept or
-- decline; otherwise a sign-up invitation).
create function private.team_invite_json(invite public.team_invites) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return jsonb_build_object(
    'id', invite.id,
    'team_id', invite.team_id,
    'email', invite.email,
    'role', invite.role,
    'status', invite.status,
    'expires_at', invite.expires_at,
    'has_account', exists (select from public.profiles p join auth.users u on u.id = p.id
                           where p.email = invite.email and u.email_confirmed_at is not null));
end;
$$;

create function private.team_invites_answer(p_team_id uuid, p_uid uuid, p_invites jsonb) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return jsonb_build_object(
    'team', (select jsonb_build_object('id', t.id, 'name', t.name, 'seat_limit', t.seat_limit) from public.teams t where t.id = p_team_id),
    'inviter', (select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'email', p.email) from public.profiles p where p.id = p_uid),
    'invites', p_invites);
end;
$$;

-- Invites each address (public.invite_team_member: validation, "already a
-- member", one pending invite per address, renewed when invited again).
create function public.invite_team_members(team_id uuid, emails text[], role text default 'member') returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('invite people for');
  address text;
  invites jsonb := '[]';
begin
  perform private.require_team_manager(invite_team_members.team_id, uid);
  if emails is null or cardinality(emails) = 0 then
    raise exception 'give at least one email address to invite' using errcode = '22023';
  end if;
  if cardinality(emails) > 50 then
    raise exception 'at most 50 addresses per invitation, not %: send the rest in another batch', cardinality(emails) using errcode = '22023';
  end if;
  foreach address in array emails loop
    invites := invites || jsonb_build_array(private.team_invite_json(
      public.invite_team_member(invite_team_members.team_id, address, invite_team_members.role)));
  end loop;
  return private.team_invites_answer(invite_team_members.team_id, uid, invites);
end;
$$;

create function public.resend_team_invite(invite_id uuid) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('re-send invites for');
  invite public.team_invites;
begin
  select * into invite from public.team_invites i where i.id = resend_team_invite.invite_id for update;
  if not found then
    raise exception 'invite % not found', resend_team_invite.invite_id using errcode = '42704';
  end if;
  perform private.require_team_manager(invite.team_id, uid);
  if invite.status <> 'pending' then
    raise exception 'this invite was already %: invite % again instead', invite.status, invite.email using errcode = 'P0001';
  end if;
  update public.team_invites i set expires_at = now() + interval '7 days', invited_by = uid
  where i.id = invite.id returning * into invite;
  return private.team_invites_answer(invite.team_id, uid, jsonb_build_array(private.team_invite_json(invite)));
end;
$$;

create function public.decline_team_invite(invite_id uuid) returns public.team_invites
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('decline invites for');
  invite public.team_invites;
begin
  select * into invite from public.team_invites i
  where i.id = decline_team_invite.invite_id and i.email = private.confirmed_email()
  for update;
  if not found then
    raise exception 'invite % not found (it must be for your confirmed email address)', decline_team_invite.invite_id using errcode = '42704';
  end if;
  if invite.status <> 'pending' then
    raise exception 'this invite was already %', invite.status using errcode = 'P0001';
  end if;
  update public.team_invites i set status = 'declined' where i.id = invite.id returning * into invite;
  return invite;
end;
$$;

-- What the invite page shows: the team's name and who invited, which the
-- invitee cannot read otherwise (teams are visible to members only). For the
-- invitee (confirmed address) and the team's owners and admins.
create function public.get_team_invite(invite_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('see invites for');
  invite public.team_invites;
begin
  select * into invite from public.team_invites i
  where i.id = get_team_invite.invite_id
    and (i.email = private.confirmed_email()
         or exists (select from public.team_members m where m.team_id = i.team_id and m.user_id = uid and m.role in ('owner', 'admin')));
  if not found then
    raise exception 'invite % not found (it must be for your confirmed email address)', get_team_invite.invite_id using errcode = '42704';
  end if;
  return jsonb_build_object(
    'id', invite.id,
    'email', invite.email,
    'role', invite.role,
    'status', invite.status,
    'expired', invite.status = 'pending' and invite.expires_at <= now(),
    'expires_at', invite.expires_at,
    'created_at', invite.created_at,
    'team', (select jsonb_build_object('id', t.id, 'name', t.name) from public.teams t where t.id = invite.team_id),
    'invited_by', (select jsonb_build_object('display_name', p.display_name, 'email', p.email) from public.profiles p where p.id = invite.invited_by));
end;
$$;

revoke all on function public.invite_team_members(uuid, text[], text), public.resend_team_invite(uuid), public.decline_team_invite(uuid),
  public.get_team_invite(uuid) from public, anon;
grant execute on function public.invite_team_members(uuid, text[], text), public.resend_team_invite(uuid), public.decline_team_invite(uuid),
  public.get_team_invite(uuid) to authenticated, service_role;
