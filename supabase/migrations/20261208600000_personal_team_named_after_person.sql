-- A personal team is named after its person ("Ada's workspace"), from the name
-- given at sign-up or else the email's local part (private.display_name_of), so
-- someone in several teams can tell theirs from the others ("My Workspace" twice
-- in the switcher after joining a colleague's team was the complaint).
-- Protects: nothing new is granted; the sign-up trigger keeps making exactly one
-- personal team the user owns.

create function private.personal_team_name(display_name text) returns text
language sql immutable set search_path = ''
as $$
  select left(btrim(display_name), 107) || '''s workspace'
$$;

create or replace function private.on_auth_user_created() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  new_team_id uuid;
  person text := private.display_name_of(new.email, new.raw_user_meta_data);
begin
  insert into public.profiles (id, email, display_name)
  values (new.id, lower(new.email), person);

  insert into public.teams (name, personal, created_by)
  values (private.personal_team_name(person), true, new.id)
  returning id into new_team_id;

  insert into public.team_members (team_id, user_id, role) values (new_team_id, new.id, 'owner');
  return new;
end;
$$;

-- Existing personal teams that still carry the old default take their owner's name;
-- one an owner renamed keeps its name. A function, so a test can run it on a team
-- made the old way.
create function private.rename_default_personal_teams() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  renamed integer;
begin
  update public.teams t
  set name = private.personal_team_name(p.display_name)
  from public.profiles p
  where t.personal and t.name = 'My Workspace' and p.id = t.created_by;
  get diagnostics renamed = row_count;
  return renamed;
end;
$$;
revoke all on function private.personal_team_name(text), private.rename_default_personal_teams() from public;

select private.rename_default_personal_teams();
