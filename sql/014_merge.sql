-- Issue 10: the job kinds of merging (merge_videos) and of projects (render_project, regenerate_scene), allowed
-- in one place so the three parts of the issue do not each rewrite the same check.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('generate_video', 'create_scenes', 'generate_character_reference', 'merge_videos', 'render_project',
        'regenerate_scene'));
