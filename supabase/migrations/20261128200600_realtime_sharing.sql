-- Live pending badges: the share dialog and the team page hear when a share
-- attaches to an account or an invite is accepted, declined or revoked, and
-- when a member joins. Realtime checks each change against the subscriber's
-- RLS, so people see only the rows they could select.
alter publication supabase_realtime add table public.job_shares, public.team_invites, public.team_members;
