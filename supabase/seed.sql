-- Demo data for local runs (fresh databases only): a confirmed login
-- demo@foldwork.dev / foldwork-demo, its personal team with credits, and a
-- few jobs in different states. Jobs are submitted through submit_job as the
-- demo user, so they are priced and charged like real ones; a worker's part
-- (status changes, results) is then played by the superuser.

-- The demo login, as GoTrue stores an email sign-up.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current,
  email_change_confirm_status, phone_change, phone_change_token, reauthentication_token,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at, is_sso_user, is_anonymous)
values (
  '00000000-0000-0000-0000-000000000000', 'c0ffee00-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
  'demo@foldwork.dev', extensions.crypt('foldwork-demo', extensions.gen_salt('bf', 10)), now() - interval '30 days',
  '', '', '', '', '', 0, '', '', '',
  '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Scientist", "email_verified": true}',
  now() - interval '30 days', now() - interval '30 days', now() - interval '1 day', false, false);

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'c0ffee00-0000-4000-8000-000000000002', 'c0ffee00-0000-4000-8000-000000000001', 'c0ffee00-0000-4000-8000-000000000001',
  '{"sub": "c0ffee00-0000-4000-8000-000000000001", "email": "demo@foldwork.dev", "email_verified": true, "phone_verified": false}',
  'email', now() - interval '1 day', now() - interval '30 days', now() - interval '30 days');

-- The sign-up trigger made the personal team ("<name>'s workspace") with 100 credits; top it up.
insert into public.credit_ledger (team_id, delta, reason, memo)
select t.id, 900, 'adjustment', 'Demo credits'
from public.teams t where t.personal and t.created_by = 'c0ffee00-0000-4000-8000-000000000001';

-- Submit as the demo user.
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', '{"sub": "c0ffee00-0000-4000-8000-000000000001", "role": "authenticated", "email": "demo@foldwork.dev"}', true);

create temporary table demo_jobs (label text primary key, id uuid not null) on commit drop;
grant all on demo_jobs to authenticated;

insert into demo_jobs (label, id)
select 'properties', j.id from public.submit_job('protein-properties', 'Lysozyme and ubiquitin',
  '{"sequences": [
     {"id": "LYSC_HUMAN", "sequence": "KVFERCELARTLKRLGMDGYRGISLANWMCLAKWESGYNTRATNYNAGDRSTDYGIFQINSRYWCNDGKTPGAVNACHLSCSALLQDNIADAVACAKRVVRDPQGIRAWVAWRNRCQNRDVRQYVQGCGV"},
     {"id": "UBIQ_HUMAN", "sequence": "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'alignment', j.id from public.submit_job('pairwise-alignment', 'Globin family against HBA',
  '{"query": {"id": "HBA_HUMAN", "sequence": "MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR"},
    "targets": [
     {"id": "HBB_HUMAN", "sequence": "MVHLTPEEKSAVTALWGKVNVDEVGGEALGRLLVVYPWTQRFFESFGDLSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLHVDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH"},
     {"id": "MYG_HUMAN", "sequence": "MGLSDGEWQLVLNVWGKVEADIPGHGQEVLIRLFKGHPETLEKFDKFKHLKSEDEMKASEDLKKHGATVLTALGGILKKKGHHEAEIKPLAQSHATKHKIPVKYLEFISECIIQVLQSKHPGDFGADAQGAMNKALELFRKDMASNYKELGFQG"}]}',
  '{"mode": "global"}') j;

insert into demo_jobs (label, id)
select 'molecules', j.id from public.submit_job('molecule-properties', 'Aspirin, caffeine, ibuprofen',
  '{"molecules": [
     {"id": "aspirin", "smiles": "CC(=O)OC1=CC=CC=C1C(=O)O"},
     {"id": "caffeine", "smiles": "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"},
     {"id": "ibuprofen", "smiles": "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'bad-smiles', j.id from public.submit_job('molecule-properties', 'Screening batch 7',
  '{"molecules": [{"id": "ok", "smiles": "c1ccccc1O"}, {"id": "typo", "smiles": "C1CC(=O"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'orfs', j.id from public.submit_job('sequence-tools', 'ORF scan of pUC19 fragment',
  '{"sequences": [{"id": "frag1", "sequence": "ATGACCATGATTACGCCAAGCTTGCATGCCTGCAGGTCGACTCTAGAGGATCCCCGGGTACCGAGCTCGAATTCACTGGCCGTCGTTTTACAACGTCGTGACTGGGAAAACCCTGGCGTTACCCAACTTAATCGCCTTGCAGCACATCCCCCTTTCGCCAGCTGGCGTAATAGCGAAGAGGCCCGCACCGATCGCCCTTCCCAACAGTTGCGCAGCCTGAATGGCGAATGGCGC"}]}',
  '{"operation": "orfs", "geneticCode": 11}') j;

insert into demo_jobs (label, id)
select 'cancelled', j.id from public.submit_job('protein-properties', 'Old draft run',
  '{"sequences": [{"id": "draft", "sequence": "MKTAYIAKQRQISFVKSHFSRQ"}]}', '{}') j;

select public.cancel_job(id) from demo_jobs where label = 'cancelled';
select public.set_job_visibility(id, 'authenticated') from demo_jobs where label = 'alignment';

-- The worker's part.
reset role;
select set_config('request.jwt.claims', '', true);

update public.jobs set status = 'queued' where id in (select id from demo_jobs where label <> 'orfs' and label <> 'cancelled');
update public.jobs set status = 'processing', progress = 5, progress_message = 'Started'
where id in (select id from demo_jobs where label in ('properties', 'alignment', 'molecules', 'bad-smiles'));
update public.jobs set progress = 40, progress_message = 'Molecule 2 of 3'
where id = (select id from demo_jobs where label = 'molecules');
update public.jobs set status = 'failed', error_code = 'invalid_input',
  error_message = 'molecule "typo": SMILES "C1CC(=O" has an unclosed ring (1) and an unclosed branch'
where id = (select id from demo_jobs where label = 'bad-smiles');
-- The completed jobs' results, output files and "Finished: ..." timeline
-- entries, as the tools compute them for the inputs above: written by
-- `npm run seed:results` (scripts/demo-results.ts) between the markers;
-- tests/db/seed.test.ts fails when they fall behind the tools.
-- demo-results:begin
update public.jobs set status = 'completed', progress_message = $message$Finished: 2 of 2 sequences$message$,
  result = $result${"table":{"columns":[{"key":"id","label":"ID","type":"string"},{"key":"length","label":"Length","type":"integer","unit":"aa"},{"key":"average_mass","label":"Average mass","type":"number","unit":"Da"},{"key":"monoisotopic_mass","label":"Monoisotopic mass","type":"number","unit":"Da"},{"key":"pi","label":"Theoretical pI","type":"number"},{"key":"charge","label":"Net charge at pH 7.0","type":"number"},{"key":"ext_coeff_reduced","label":"Extinction coefficient at 280 nm in water, Cys reduced","type":"integer","unit":"M^-1 cm^-1"},{"key":"ext_coeff_cystines","label":"Extinction coefficient at 280 nm in water, all Cys in cystines","type":"integer","unit":"M^-1 cm^-1"},{"key":"instability_index","label":"Instability index","type":"number"},{"key":"stability","label":"Stability (stable at index 40 or below)","type":"string"},{"key":"aliphatic_index","label":"Aliphatic index","type":"number"},{"key":"gravy","label":"GRAVY (Kyte-Doolittle)","type":"number"},{"key":"aromaticity","label":"Aromaticity (F+W+Y fraction)","type":"number"},{"key":"half_life_mammalian","label":"Half-life (mammalian reticulocytes, in vitro)","type":"string"},{"key":"half_life_yeast","label":"Half-life (yeast, in vivo)","type":"string"},{"key":"half_life_ecoli","label":"Half-life (E. coli, in vivo)","type":"string"},{"key":"pct_A","label":"A","type":"number","unit":"%"},{"key":"pct_C","label":"C","type":"number","unit":"%"},{"key":"pct_D","label":"D","type":"number","unit":"%"},{"key":"pct_E","label":"E","type":"number","unit":"%"},{"key":"pct_F","label":"F","type":"number","unit":"%"},{"key":"pct_G","label":"G","type":"number","unit":"%"},{"key":"pct_H","label":"H","type":"number","unit":"%"},{"key":"pct_I","label":"I","type":"number","unit":"%"},{"key":"pct_K","label":"K","type":"number","unit":"%"},{"key":"pct_L","label":"L","type":"number","unit":"%"},{"key":"pct_M","label":"M","type":"number","unit":"%"},{"key":"pct_N","label":"N","type":"number","unit":"%"},{"key":"pct_P","label":"P","type":"number","unit":"%"},{"key":"pct_Q","label":"Q","type":"number","unit":"%"},{"key":"pct_R","label":"R","type":"number","unit":"%"},{"key":"pct_S","label":"S","type":"number","unit":"%"},{"key":"pct_T","label":"T","type":"number","unit":"%"},{"key":"pct_V","label":"V","type":"number","unit":"%"},{"key":"pct_W","label":"W","type":"number","unit":"%"},{"key":"pct_Y","label":"Y","type":"number","unit":"%"}],"rows":[{"id":"LYSC_HUMAN","length":130,"average_mass":14700.5262,"monoisotopic_mass":14691.152,"pi":9.2778,"charge":7.7743,"ext_coeff_reduced":36440,"ext_coeff_cystines":36940,"instability_index":32.1262,"stability":"stable","aliphatic_index":69.8462,"gravy":-0.4854,"aromaticity":0.1,"half_life_mammalian":"1.3 hours","half_life_yeast":"3 min","half_life_ecoli":"2 min","pct_A":10.77,"pct_C":6.15,"pct_D":6.15,"pct_E":2.31,"pct_F":1.54,"pct_G":8.46,"pct_H":0.77,"pct_I":3.85,"pct_K":3.85,"pct_L":6.15,"pct_M":1.54,"pct_N":7.69,"pct_P":1.54,"pct_Q":4.62,"pct_R":10.77,"pct_S":4.62,"pct_T":3.85,"pct_V":6.92,"pct_W":3.85,"pct_Y":4.62},{"id":"UBIQ_HUMAN","length":76,"average_mass":8564.7357,"monoisotopic_mass":8559.6167,"pi":6.5616,"charge":-0.398,"ext_coeff_reduced":1490,"ext_coeff_cystines":1490,"instability_index":36.0553,"stability":"stable","aliphatic_index":100,"gravy":-0.4895,"aromaticity":0.0395,"half_life_mammalian":"30 hours","half_life_yeast":">20 hours","half_life_ecoli":">10 hours","pct_A":2.63,"pct_C":0,"pct_D":6.58,"pct_E":7.89,"pct_F":2.63,"pct_G":7.89,"pct_H":1.32,"pct_I":9.21,"pct_K":9.21,"pct_L":11.84,"pct_M":1.32,"pct_N":2.63,"pct_P":3.95,"pct_Q":7.89,"pct_R":5.26,"pct_S":3.95,"pct_T":9.21,"pct_V":5.26,"pct_W":0,"pct_Y":1.32}]},"hydropathy":[{"id":"LYSC_HUMAN","window":9,"positions":[5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126],"values":[-0.0333,-0.1,-0.6444,-0.5333,-0.5778,-0.5778,-0.4333,-0.0889,-0.3,-0.8889,-0.4333,-0.5,-1.4222,-1.0333,-0.0333,-0.5444,-0.0778,-0.0889,-0.0889,-0.1444,0.2111,0.9889,1.4556,1.1556,0.8111,0.2889,-0.3,0,0.0556,-0.3,-0.9667,-1.4667,-2.1667,-1.5333,-1.5111,-1.5111,-1.5667,-1.9111,-1.5667,-1.2222,-1.5333,-1.5333,-1.8222,-1.8222,-1.8222,-1.8222,-1.4778,-1.1778,-0.8222,-0.8222,0.1778,-0.1222,-0.1333,-0.2444,-0.2444,-0.3,-0.5222,-1.2222,-1.2222,-1.7667,-1.8111,-1.8,-1.4778,-1.3778,-1.0778,-0.8889,-0.8889,-0.3,0.0222,0.1,0.6,0.6889,1.0111,0.7222,0.4556,1.2667,1.4889,0.8222,0.7889,-0.0222,0.5667,0.4889,0.1889,0.1889,0.2333,0.0111,0.6778,1.2667,1.2222,0.2222,0.4889,1.3444,0.6444,-0.2111,-0.5889,-1.2556,-1.5,-0.5667,-0.5667,-0.8333,-1.4,-0.4333,0.1556,0.2333,0.1222,-0.2222,-1.2222,-0.4444,-1.0333,-1.3222,-2.2889,-2.8778,-2.3111,-2.3111,-2.3111,-1.9556,-1.7667,-1.7667,-1.4222,-0.6444,-0.3,-0.3]},{"id":"UBIQ_HUMAN","window":9,"positions":[5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72],"values":[0.9333,0.6778,0.6333,0.0556,0.2444,-0.3,0.5556,0.2444,0.2889,-0.0222,-0.1556,0.1889,-0.1222,-0.7,-0.1222,-0.9333,-0.9333,-0.9333,-0.9778,-0.6,-0.9444,-0.0556,-0.3667,-1.2556,-1.3,-1.3,-1.8111,-0.8778,-1.2556,-1,-1.8889,-1.8889,-1.8889,-1.9556,-1.1444,-0.6,-0.7889,-0.4111,-0.2778,-0.3222,-0.3222,0.4889,0.6,-0.2111,-0.7556,-1.5667,-1.8444,-1.3778,-1.0333,-1.0333,-1.6,-1.6,-0.7111,-1.0556,-0.9889,-1.3,-1.8111,-1.8,-0.9889,-1.2,-0.3889,-0.4222,0.3889,0.3222,1.1333,0.7222,0.7556,0.2889]}],"hydropathyOmitted":0}$result$::jsonb
where id = (select id from demo_jobs where label = 'properties');
insert into public.job_files (job_id, kind, name, media_type, content)
select id, 'output', 'hydropathy.csv', 'text/csv', convert_to($file$id,position,hydropathy
LYSC_HUMAN,5,-0.0333
LYSC_HUMAN,6,-0.1
LYSC_HUMAN,7,-0.6444
LYSC_HUMAN,8,-0.5333
LYSC_HUMAN,9,-0.5778
LYSC_HUMAN,10,-0.5778
LYSC_HUMAN,11,-0.4333
LYSC_HUMAN,12,-0.0889
LYSC_HUMAN,13,-0.3
LYSC_HUMAN,14,-0.8889
LYSC_HUMAN,15,-0.4333
LYSC_HUMAN,16,-0.5
LYSC_HUMAN,17,-1.4222
LYSC_HUMAN,18,-1.0333
LYSC_HUMAN,19,-0.0333
LYSC_HUMAN,20,-0.5444
LYSC_HUMAN,21,-0.0778
LYSC_HUMAN,22,-0.0889
LYSC_HUMAN,23,-0.0889
LYSC_HUMAN,24,-0.1444
LYSC_HUMAN,25,0.2111
LYSC_HUMAN,26,0.9889
LYSC_HUMAN,27,1.4556
LYSC_HUMAN,28,1.1556
LYSC_HUMAN,29,0.8111
LYSC_HUMAN,30,0.2889
LYSC_HUMAN,31,-0.3
LYSC_HUMAN,32,0
LYSC_HUMAN,33,0.0556
LYSC_HUMAN,34,-0.3
LYSC_HUMAN,35,-0.9667
LYSC_HUMAN,36,-1.4667
LYSC_HUMAN,37,-2.1667
LYSC_HUMAN,38,-1.5333
LYSC_HUMAN,39,-1.5111
LYSC_HUMAN,40,-1.5111
LYSC_HUMAN,41,-1.5667
LYSC_HUMAN,42,-1.9111
LYSC_HUMAN,43,-1.5667
LYSC_HUMAN,44,-1.2222
LYSC_HUMAN,45,-1.5333
LYSC_HUMAN,46,-1.5333
LYSC_HUMAN,47,-1.8222
LYSC_HUMAN,48,-1.8222
LYSC_HUMAN,49,-1.8222
LYSC_HUMAN,50,-1.8222
LYSC_HUMAN,51,-1.4778
LYSC_HUMAN,52,-1.1778
LYSC_HUMAN,53,-0.8222
LYSC_HUMAN,54,-0.8222
LYSC_HUMAN,55,0.1778
LYSC_HUMAN,56,-0.1222
LYSC_HUMAN,57,-0.1333
LYSC_HUMAN,58,-0.2444
LYSC_HUMAN,59,-0.2444
LYSC_HUMAN,60,-0.3
LYSC_HUMAN,61,-0.5222
LYSC_HUMAN,62,-1.2222
LYSC_HUMAN,63,-1.2222
LYSC_HUMAN,64,-1.7667
LYSC_HUMAN,65,-1.8111
LYSC_HUMAN,66,-1.8
LYSC_HUMAN,67,-1.4778
LYSC_HUMAN,68,-1.3778
LYSC_HUMAN,69,-1.0778
LYSC_HUMAN,70,-0.8889
LYSC_HUMAN,71,-0.8889
LYSC_HUMAN,72,-0.3
LYSC_HUMAN,73,0.0222
LYSC_HUMAN,74,0.1
LYSC_HUMAN,75,0.6
LYSC_HUMAN,76,0.6889
LYSC_HUMAN,77,1.0111
LYSC_HUMAN,78,0.7222
LYSC_HUMAN,79,0.4556
LYSC_HUMAN,80,1.2667
LYSC_HUMAN,81,1.4889
LYSC_HUMAN,82,0.8222
LYSC_HUMAN,83,0.7889
LYSC_HUMAN,84,-0.0222
LYSC_HUMAN,85,0.5667
LYSC_HUMAN,86,0.4889
LYSC_HUMAN,87,0.1889
LYSC_HUMAN,88,0.1889
LYSC_HUMAN,89,0.2333
LYSC_HUMAN,90,0.0111
LYSC_HUMAN,91,0.6778
LYSC_HUMAN,92,1.2667
LYSC_HUMAN,93,1.2222
LYSC_HUMAN,94,0.2222
LYSC_HUMAN,95,0.4889
LYSC_HUMAN,96,1.3444
LYSC_HUMAN,97,0.6444
LYSC_HUMAN,98,-0.2111
LYSC_HUMAN,99,-0.5889
LYSC_HUMAN,100,-1.2556
LYSC_HUMAN,101,-1.5
LYSC_HUMAN,102,-0.5667
LYSC_HUMAN,103,-0.5667
LYSC_HUMAN,104,-0.8333
LYSC_HUMAN,105,-1.4
LYSC_HUMAN,106,-0.4333
LYSC_HUMAN,107,0.1556
LYSC_HUMAN,108,0.2333
LYSC_HUMAN,109,0.1222
LYSC_HUMAN,110,-0.2222
LYSC_HUMAN,111,-1.2222
LYSC_HUMAN,112,-0.4444
LYSC_HUMAN,113,-1.0333
LYSC_HUMAN,114,-1.3222
LYSC_HUMAN,115,-2.2889
LYSC_HUMAN,116,-2.8778
LYSC_HUMAN,117,-2.3111
LYSC_HUMAN,118,-2.3111
LYSC_HUMAN,119,-2.3111
LYSC_HUMAN,120,-1.9556
LYSC_HUMAN,121,-1.7667
LYSC_HUMAN,122,-1.7667
LYSC_HUMAN,123,-1.4222
LYSC_HUMAN,124,-0.6444
LYSC_HUMAN,125,-0.3
LYSC_HUMAN,126,-0.3
UBIQ_HUMAN,5,0.9333
UBIQ_HUMAN,6,0.6778
UBIQ_HUMAN,7,0.6333
UBIQ_HUMAN,8,0.0556
UBIQ_HUMAN,9,0.2444
UBIQ_HUMAN,10,-0.3
UBIQ_HUMAN,11,0.5556
UBIQ_HUMAN,12,0.2444
UBIQ_HUMAN,13,0.2889
UBIQ_HUMAN,14,-0.0222
UBIQ_HUMAN,15,-0.1556
UBIQ_HUMAN,16,0.1889
UBIQ_HUMAN,17,-0.1222
UBIQ_HUMAN,18,-0.7
UBIQ_HUMAN,19,-0.1222
UBIQ_HUMAN,20,-0.9333
UBIQ_HUMAN,21,-0.9333
UBIQ_HUMAN,22,-0.9333
UBIQ_HUMAN,23,-0.9778
UBIQ_HUMAN,24,-0.6
UBIQ_HUMAN,25,-0.9444
UBIQ_HUMAN,26,-0.0556
UBIQ_HUMAN,27,-0.3667
UBIQ_HUMAN,28,-1.2556
UBIQ_HUMAN,29,-1.3
UBIQ_HUMAN,30,-1.3
UBIQ_HUMAN,31,-1.8111
UBIQ_HUMAN,32,-0.8778
UBIQ_HUMAN,33,-1.2556
UBIQ_HUMAN,34,-1
UBIQ_HUMAN,35,-1.8889
UBIQ_HUMAN,36,-1.8889
UBIQ_HUMAN,37,-1.8889
UBIQ_HUMAN,38,-1.9556
UBIQ_HUMAN,39,-1.1444
UBIQ_HUMAN,40,-0.6
UBIQ_HUMAN,41,-0.7889
UBIQ_HUMAN,42,-0.4111
UBIQ_HUMAN,43,-0.2778
UBIQ_HUMAN,44,-0.3222
UBIQ_HUMAN,45,-0.3222
UBIQ_HUMAN,46,0.4889
UBIQ_HUMAN,47,0.6
UBIQ_HUMAN,48,-0.2111
UBIQ_HUMAN,49,-0.7556
UBIQ_HUMAN,50,-1.5667
UBIQ_HUMAN,51,-1.8444
UBIQ_HUMAN,52,-1.3778
UBIQ_HUMAN,53,-1.0333
UBIQ_HUMAN,54,-1.0333
UBIQ_HUMAN,55,-1.6
UBIQ_HUMAN,56,-1.6
UBIQ_HUMAN,57,-0.7111
UBIQ_HUMAN,58,-1.0556
UBIQ_HUMAN,59,-0.9889
UBIQ_HUMAN,60,-1.3
UBIQ_HUMAN,61,-1.8111
UBIQ_HUMAN,62,-1.8
UBIQ_HUMAN,63,-0.9889
UBIQ_HUMAN,64,-1.2
UBIQ_HUMAN,65,-0.3889
UBIQ_HUMAN,66,-0.4222
UBIQ_HUMAN,67,0.3889
UBIQ_HUMAN,68,0.3222
UBIQ_HUMAN,69,1.1333
UBIQ_HUMAN,70,0.7222
UBIQ_HUMAN,71,0.7556
UBIQ_HUMAN,72,0.2889
$file$, 'utf8')
from demo_jobs where label = 'properties';
update public.jobs set status = 'completed', progress_message = $message$Finished: 2 of 2 pairs$message$,
  result = $result${"table":{"columns":[{"key":"query","label":"Query","type":"string"},{"key":"target","label":"Target","type":"string"},{"key":"score","label":"Score","type":"number"},{"key":"length","label":"Alignment length","type":"integer"},{"key":"identity","label":"Identical","type":"integer"},{"key":"identity_pct","label":"Identity","type":"number","unit":"%"},{"key":"similarity","label":"Similar","type":"integer"},{"key":"similarity_pct","label":"Similarity","type":"number","unit":"%"},{"key":"gaps","label":"Gaps","type":"integer"},{"key":"gaps_pct","label":"Gaps","type":"number","unit":"%"},{"key":"query_start","label":"Query start","type":"integer"},{"key":"query_end","label":"Query end","type":"integer"},{"key":"target_start","label":"Target start","type":"integer"},{"key":"target_end","label":"Target end","type":"integer"}],"rows":[{"query":"HBA_HUMAN","target":"HBB_HUMAN","score":292.5,"length":149,"identity":65,"identity_pct":43.6,"similarity":90,"similarity_pct":60.4,"gaps":9,"gaps_pct":6,"query_start":1,"query_end":142,"target_start":1,"target_end":147},{"query":"HBA_HUMAN","target":"MYG_HUMAN","score":128.5,"length":155,"identity":41,"identity_pct":26.5,"similarity":62,"similarity_pct":40,"gaps":14,"gaps_pct":9,"query_start":1,"query_end":142,"target_start":1,"target_end":154}]},"alignments":[{"target":"HBB_HUMAN","score":292.5,"query":"MV-LSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF-DLS-----HGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR","markup":"|| |:|.:|:.|.|.||||  :..|.|.|||.|:.:.:|.|:.:|..| |||     .|:.:||.|||||..|.::.:||:|::....:.||:||..||.|||.||:||.:.|:..||.|...||||.|.|:..|.:|.|:..|..||.","subject":"MVHLTPEEKSAVTALWGKV--NVDEVGGEALGRLLVVYPWTQRFFESFGDLSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLHVDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH","queryStart":1,"targetStart":1,"pair":"#=======================================\n#\n# Aligned_sequences: 2\n# 1: HBA_HUMAN\n# 2: HBB_HUMAN\n# Matrix: EBLOSUM62\n# Gap_penalty: 10.0\n# Extend_penalty: 0.5\n#\n# Length: 149\n# Identity:      65/149 (43.6%)\n# Similarity:    90/149 (60.4%)\n# Gaps:           9/149 ( 6.0%)\n# Score: 292.5\n# \n#\n#=======================================\n\nHBA_HUMAN          1 MV-LSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF-D     48\n                     || |:|.:|:.|.|.||||  :..|.|.|||.|:.:.:|.|:.:|..| |\nHBB_HUMAN          1 MVHLTPEEKSAVTALWGKV--NVDEVGGEALGRLLVVYPWTQRFFESFGD     48\n\nHBA_HUMAN         49 LS-----HGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLR     93\n                     ||     .|:.:||.|||||..|.::.:||:|::....:.||:||..||.\nHBB_HUMAN         49 LSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLH     98\n\nHBA_HUMAN         94 VDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR    142\n                     |||.||:||.:.|:..||.|...||||.|.|:..|.:|.|:..|..||.\nHBB_HUMAN         99 VDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH    147\n\n"},{"target":"MYG_HUMAN","score":128.5,"query":"MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF------DLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNF-KLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR------","markup":"|.||..:...|...||||.|....:|.|.|.|:|...|.|...|..|      |....|..:|.||..|..||...:.........:..|:..||.|.:: ||.: :.:|.|::..|.:..|.:|......:::|.|......:.|.|:      ","subject":"MGLSDGEWQLVLNVWGKVEADIPGHGQEVLIRLFKGHPETLEKFDKFKHLKSEDEMKASEDLKKHGATVLTALGGILKKKGHHEAEIKPLAQSHATKHKI-PVKYLEFISECIIQVLQSKHPGDFGADAQGAMNKALELFRKDMASNYKELGFQG","queryStart":1,"targetStart":1,"pair":"#=======================================\n#\n# Aligned_sequences: 2\n# 1: HBA_HUMAN\n# 2: MYG_HUMAN\n# Matrix: EBLOSUM62\n# Gap_penalty: 10.0\n# Extend_penalty: 0.5\n#\n# Length: 155\n# Identity:      41/155 (26.5%)\n# Similarity:    62/155 (40.0%)\n# Gaps:          14/155 ( 9.0%)\n# Score: 128.5\n# \n#\n#=======================================\n\nHBA_HUMAN          1 MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF---     47\n                     |.||..:...|...||||.|....:|.|.|.|:|...|.|...|..|   \nMYG_HUMAN          1 MGLSDGEWQLVLNVWGKVEADIPGHGQEVLIRLFKGHPETLEKFDKFKHL     50\n\nHBA_HUMAN         48 ---DLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRV     94\n                        |....|..:|.||..|..||...:.........:..|:..||.|.::\nMYG_HUMAN         51 KSEDEMKASEDLKKHGATVLTALGGILKKKGHHEAEIKPLAQSHATKHKI    100\n\nHBA_HUMAN         95 DPVNF-KLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR-    142\n                      ||.: :.:|.|::..|.:..|.:|......:::|.|......:.|.|: \nMYG_HUMAN        101 -PVKYLEFISECIIQVLQSKHPGDFGADAQGAMNKALELFRKDMASNYKE    149\n\nHBA_HUMAN        142 -----    142\n                          \nMYG_HUMAN        150 LGFQG    154\n\n"}]}$result$::jsonb
where id = (select id from demo_jobs where label = 'alignment');
insert into public.job_files (job_id, kind, name, media_type, content)
select id, 'output', 'alignments.pair', 'text/plain', convert_to($file$#=======================================
#
# Aligned_sequences: 2
# 1: HBA_HUMAN
# 2: HBB_HUMAN
# Matrix: EBLOSUM62
# Gap_penalty: 10.0
# Extend_penalty: 0.5
#
# Length: 149
# Identity:      65/149 (43.6%)
# Similarity:    90/149 (60.4%)
# Gaps:           9/149 ( 6.0%)
# Score: 292.5
# 
#
#=======================================

HBA_HUMAN          1 MV-LSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF-D     48
                     || |:|.:|:.|.|.||||  :..|.|.|||.|:.:.:|.|:.:|..| |
HBB_HUMAN          1 MVHLTPEEKSAVTALWGKV--NVDEVGGEALGRLLVVYPWTQRFFESFGD     48

HBA_HUMAN         49 LS-----HGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLR     93
                     ||     .|:.:||.|||||..|.::.:||:|::....:.||:||..||.
HBB_HUMAN         49 LSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLH     98

HBA_HUMAN         94 VDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR    142
                     |||.||:||.:.|:..||.|...||||.|.|:..|.:|.|:..|..||.
HBB_HUMAN         99 VDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH    147


#=======================================
#
# Aligned_sequences: 2
# 1: HBA_HUMAN
# 2: MYG_HUMAN
# Matrix: EBLOSUM62
# Gap_penalty: 10.0
# Extend_penalty: 0.5
#
# Length: 155
# Identity:      41/155 (26.5%)
# Similarity:    62/155 (40.0%)
# Gaps:          14/155 ( 9.0%)
# Score: 128.5
# 
#
#=======================================

HBA_HUMAN          1 MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF---     47
                     |.||..:...|...||||.|....:|.|.|.|:|...|.|...|..|   
MYG_HUMAN          1 MGLSDGEWQLVLNVWGKVEADIPGHGQEVLIRLFKGHPETLEKFDKFKHL     50

HBA_HUMAN         48 ---DLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRV     94
                        |....|..:|.||..|..||...:.........:..|:..||.|.::
MYG_HUMAN         51 KSEDEMKASEDLKKHGATVLTALGGILKKKGHHEAEIKPLAQSHATKHKI    100

HBA_HUMAN         95 DPVNF-KLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR-    142
                      ||.: :.:|.|::..|.:..|.:|......:::|.|......:.|.|: 
MYG_HUMAN        101 -PVKYLEFISECIIQVLQSKHPGDFGADAQGAMNKALELFRKDMASNYKE    149

HBA_HUMAN        142 -----    142
                          
MYG_HUMAN        150 LGFQG    154


$file$, 'utf8')
from demo_jobs where label = 'alignment';
-- demo-results:end

-- Spread the history over the last days (the database stamps "now" otherwise).
set local session_replication_role = replica;
with ages (label, age) as (values
  ('properties', interval '3 days'), ('alignment', interval '2 days'), ('bad-smiles', interval '1 day'),
  ('cancelled', interval '20 hours'), ('molecules', interval '3 minutes'), ('orfs', interval '1 minute'))
update public.jobs j set
  created_at = j.created_at - a.age,
  queued_at = j.queued_at - a.age + interval '2 seconds',
  started_at = j.started_at - a.age + interval '4 seconds',
  finished_at = j.finished_at - a.age + case when d.label = 'alignment' then interval '38 seconds' else interval '11 seconds' end,
  updated_at = j.updated_at - a.age + interval '11 seconds'
from demo_jobs d join ages a using (label)
where j.id = d.id;
with ages (label, age) as (values
  ('properties', interval '3 days'), ('alignment', interval '2 days'), ('bad-smiles', interval '1 day'),
  ('cancelled', interval '20 hours'), ('molecules', interval '3 minutes'), ('orfs', interval '1 minute'))
update public.job_events e set at = e.at - a.age + (e.id - first.id) * interval '3 seconds'
from demo_jobs d join ages a using (label),
  lateral (select min(x.id) as id from public.job_events x where x.job_id = d.id) first
where e.job_id = d.id;
set local session_replication_role = origin;
