-- Uploads: images and audio users send, typed by their bytes (assets.kind = 'upload', content_type image/* or
-- audio/*). A second upload of the same bytes in a team finds the earlier one by (team, hash): this index serves that
-- lookup (POST /api/mv/uploads) without scanning the team's other assets.
CREATE INDEX assets_team_upload_sha_idx ON assets (team_id, sha256) WHERE kind = 'upload' AND deleted_at IS NULL;
