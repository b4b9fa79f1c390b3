-- Anonymous users (Auth's signInAnonymously, when a project turns on
-- [auth] enable_anonymous_sign_ins) get no profile and no personal team until
-- they link an email address.
-- Protects: the credits. Every personal team starts with 100 credits
-- (private.open_credit_account), and an anonymous sign-in needs nothing but a
-- request (30 an hour per address by default), so with the sign-up trigger as
-- it was each one would mint a team with 100 free credits of compute. An
-- anonymous user is in no team, so the membership helpers give them no jobs,
-- files, credits or RPCs (tests/security/anonymous-users.test.ts).
-- When the user links an email (PUT /user, then the emailed confirmation),
-- Auth clears auth.users.is_anonymous and the profile and personal team are
-- made then, as at a sign-up.
create or replace function private.on_auth_user_created() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  new_team_id uuid;
  person text;
begin
  if new.is_anonymous then
    return new;
  end if;
  person := private.display_name_of(new.email, new.raw_user_meta_data);
  insert into public.profiles (id, email, display_name)
  values (new.id, lower(new.email), person)
  on conflict (id) do nothing;
  if not found then
    return new; -- already made (a linked user's second pass)
  end if;

  insert into public.teams (name, personal, created_by)
  values (private.personal_team_name(person), true, new.id)
  returning id into new_team_id;

  insert into public.team_members (team_id, user_id, role) values (new_team_id, new.id, 'owner');
  return new;
end;
$$;

-- Linking: the same as a sign-up, once the user stops being anonymous.
create trigger on_auth_user_linked
  after update of is_anonymous on auth.users
  for each row when (old.is_anonymous and not new.is_anonymous)
  execute function private.on_auth_user_created();
