-- Cost reports: what each succeeded job consumed at its provider, and indexes for reading the ledger's
-- resolutions (captures and releases, team side) by time.

-- Units the provider reported for the call that produced the job's output (NULL: not reported, or the job did not
-- succeed). Written by the job's completing, fenced UPDATE; multiplied by the catalog's `cost` in reports.
ALTER TABLE jobs ADD COLUMN usage_video_seconds numeric CHECK (usage_video_seconds >= 0);
ALTER TABLE jobs ADD COLUMN usage_images bigint CHECK (usage_images >= 0);
ALTER TABLE jobs ADD COLUMN usage_input_tokens bigint CHECK (usage_input_tokens >= 0);
ALTER TABLE jobs ADD COLUMN usage_output_tokens bigint CHECK (usage_output_tokens >= 0);

-- A report reads the team-side ('held') entry of every capture and release in a half-open time range, for all
-- teams (admin) or one team.
CREATE INDEX ledger_entries_resolved_at_idx ON ledger_entries (created_at)
    WHERE account = 'held' AND kind IN ('capture', 'release');
CREATE INDEX ledger_entries_team_resolved_at_idx ON ledger_entries (team_id, created_at)
    WHERE account = 'held' AND kind IN ('capture', 'release');
