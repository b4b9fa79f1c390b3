-- rename_team: an owner or admin renames their team (the personal one too), with
-- a message a person can act on for a bad name. The same people the policy
-- "Team owners and admins can rename their teams" lets update teams.name.
-- Protects: a member, a viewer or someone outside the team cannot rename it; an
-- outsider learns nothing about whether the team exists (the same "not found" as
-- for a made-up id).

create function public.rename_team(team_id uuid, name text) returns public.teams
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('rename teams for');
  new_name text := nullif(btrim(rename_team.name), '');
  team public.teams;
begin
  perform private.require_team_manager(rename_team.team_id, uid);
  if new_name is null or char_length(new_name) > 120 then
    raise exception 'a team name has 1 to 120 characters' using errcode = '22023';
  end if;
  update public.teams t set name = new_name where t.id = rename_team.team_id returning * into team;
  return team;
end;
$$;

revoke all on function public.rename_team(uuid, text) from public;
grant execute on function public.rename_team(uuid, text) to authenticated, service_role;
