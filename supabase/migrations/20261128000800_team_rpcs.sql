-- Team management RPCs: create a team, invite by email, accept or revoke an
-- invite, change a member's role, remove a member or leave.
-- Protects: only owners and admins manage a team; only owners make or
-- unmake owners; an invite is accepted only by the confirmed owner of its
-- email, while pending and unexpired; a team keeps an owner (trigger in
-- 20261128000100_teams.sql).

create function private.require_team_manager(p_team_id uuid, p_uid uuid) returns public.team_role
language plpgsql stable security definer set search_path = ''
as $$
declare
  member_role public.team_role;
begin
  select m.role into member_role from public.team_members m where m.team_id = p_team_id and m.user_id = p_uid;
  if member_role is null then
    raise exception 'team % not found', p_team_id using errcode = '42704';
  end if;
  if member_role not in ('owner', 'admin') then
    raise exception 'only team owners and admins can manage the team' using errcode = '42501';
  end if;
  return member_role;
end;
$$;

create function public.create_team(name text) returns public.teams
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('create teams for');
  team_name text := nullif(btrim(create_team.name), '');
  team public.teams;
begin
  if team_name is null or char_length(team_name) > 120 then
    raise exception 'a team name has 1 to 120 characters' using errcode = '22023';
  end if;
  insert into public.teams (name, created_by) values (team_name, uid) returning * into team;
  insert into public.team_members (team_id, user_id, role) values (team.id, uid, 'owner');
  return team;
end;
$$;

create function public.invite_team_member(team_id uuid, email text, role text default 'member') returns public.team_invites
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
declare
  uid uuid := private.require_caller('invite people for');
  address text := lower(btrim(invite_team_member.email));
  invite public.team_invites;
begin
  perform private.require_team_manager(invite_team_member.team_id, uid);
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(address) > 255 then
    raise exception 'not an email address: %', coalesce('"' || invite_team_member.email || '"', 'nothing') using errcode = '22023';
  end if;
  if invite_team_member.role is null or invite_team_member.role not in ('admin', 'member', 'viewer') then
    raise exception 'an invite is for the role admin, member or viewer, not %', coalesce('"' || invite_team_member.role || '"', 'nothing')
      using errcode = '22023';
  end if;
  if exists (select from public.team_members m join public.profiles p on p.id = m.user_id
             where m.team_id = invite_team_member.team_id and p.email = address) then
    raise exception '% is already a member of this team', address using errcode = 'P0001';
  end if;
  insert into public.team_invites (team_id, email, role, invited_by)
  values (invite_team_member.team_id, address, invite_team_member.role::public.team_role, uid)
  on conflict (team_id, email) where status = 'pending'
  do update set role = excluded.role, invited_by = excluded.invited_by, expires_at = now() + interval '7 days'
  returning * into invite;
  return invite;
end;
$$;

create function public.accept_team_invite(invite_id uuid) returns public.team_members
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
  update public.team_invites i set status = 'accepted', accepted_at = now(), accepted_by = uid where i.id = invite.id;
  insert into public.team_members (team_id, user_id, role) values (invite.team_id, uid, invite.role)
  on conflict (team_id, user_id) do nothing;
  select * into membership from public.team_members m where m.team_id = invite.team_id and m.user_id = uid;
  return membership;
end;
$$;

create function public.revoke_team_invite(invite_id uuid) returns public.team_invites
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('revoke invites for');
  invite public.team_invites;
begin
  select * into invite from public.team_invites i where i.id = revoke_team_invite.invite_id for update;
  if not found then
    raise exception 'invite % not found', revoke_team_invite.invite_id using errcode = '42704';
  end if;
  perform private.require_team_manager(invite.team_id, uid);
  if invite.status <> 'pending' then
    raise exception 'this invite was already %', invite.status using errcode = 'P0001';
  end if;
  update public.team_invites i set status = 'revoked' where i.id = invite.id returning * into invite;
  return invite;
end;
$$;

create function public.set_team_member_role(team_id uuid, user_id uuid, role text) returns public.team_members
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('manage members for');
  my_role public.team_role := private.require_team_manager(set_team_member_role.team_id, uid);
  current_role_of_member public.team_role;
  membership public.team_members;
begin
  if set_team_member_role.role is null or set_team_member_role.role not in ('owner', 'admin', 'member', 'viewer') then
    raise exception 'role must be owner, admin, member or viewer, not %', coalesce('"' || set_team_member_role.role || '"', 'nothing')
      using errcode = '22023';
  end if;
  select m.role into current_role_of_member from public.team_members m
  where m.team_id = set_team_member_role.team_id and m.user_id = set_team_member_role.user_id for update;
  if current_role_of_member is null then
    raise exception 'that user is not a member of this team' using errcode = '42704';
  end if;
  if my_role <> 'owner' and (current_role_of_member = 'owner' or set_team_member_role.role = 'owner') then
    raise exception 'only team owners can make or unmake owners' using errcode = '42501';
  end if;
  update public.team_members m set role = set_team_member_role.role::public.team_role
  where m.team_id = set_team_member_role.team_id and m.user_id = set_team_member_role.user_id
  returning * into membership;
  return membership;
end;
$$;

-- Removes a member; anyone may remove themselves (leave), except a team's last owner.
create function public.remove_team_member(team_id uuid, user_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('manage members for');
  my_role public.team_role;
  their_role public.team_role;
begin
  select m.role into their_role from public.team_members m
  where m.team_id = remove_team_member.team_id and m.user_id = remove_team_member.user_id for update;
  if remove_team_member.user_id is distinct from uid then
    my_role := private.require_team_manager(remove_team_member.team_id, uid);
    if their_role is null then
      raise exception 'that user is not a member of this team' using errcode = '42704';
    end if;
    if my_role <> 'owner' and their_role = 'owner' then
      raise exception 'only team owners can remove an owner' using errcode = '42501';
    end if;
  elsif their_role is null then
    raise exception 'team % not found', remove_team_member.team_id using errcode = '42704';
  end if;
  delete from public.team_members m where m.team_id = remove_team_member.team_id and m.user_id = remove_team_member.user_id;
  return true;
end;
$$;

revoke all on function public.create_team(text), public.invite_team_member(uuid, text, text), public.accept_team_invite(uuid),
  public.revoke_team_invite(uuid), public.set_team_member_role(uuid, uuid, text), public.remove_team_member(uuid, uuid)
  from public, anon;
grant execute on function public.create_team(text), public.invite_team_member(uuid, text, text), public.accept_team_invite(uuid),
  public.revoke_team_invite(uuid), public.set_team_member_role(uuid, uuid, text), public.remove_team_member(uuid, uuid)
  to authenticated, service_role;
